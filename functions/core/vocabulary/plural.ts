/**
 * Which form a counted word takes, by the language's plural rules (Intl.PluralRules): French treats 0 and 1 as
 * singular ("0 affaire", "1 affaire", "2 affaires"); English and Spanish only 1. The one plural rule of the reports,
 * the annotated workbook, the messages and the portal (functions/web imports it).
 */
import type { Lang } from './lang.ts';

const RULES: Readonly<Record<Lang, Intl.PluralRules>> = {
  en: new Intl.PluralRules('en'),
  fr: new Intl.PluralRules('fr'),
  es: new Intl.PluralRules('es'),
};

/** `one` when `n` takes the singular in the language, else `other`: agree(2, 'fr', 'présente', 'présentes'). */
export function agree<T>(n: number, lang: Lang, one: T, other: T): T {
  return RULES[lang].select(n) === 'one' ? one : other;
}
