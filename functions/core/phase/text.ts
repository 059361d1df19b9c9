/**
 * Words of the reports and alerts: labels of keys (products, countries, routes...) and one sentence per signal, in
 * English, French and Spanish. Reports are in English; each NCP's alert is in its Member's language.
 */
import type { Lang } from '../config.ts';
import { countryName } from '../countries.ts';
import { agree } from '../plural.ts';
import { splitKey, UNKNOWN } from '../trends/types.ts';
import { VOCABS } from '../vocab.ts';
import type { Breakdown } from './aggregate.ts';

/** What a key can be the key of: a breakdown's, or a unit. */
export type LabelDimension = Breakdown | 'unit';

const UNKNOWN_WORD: Readonly<Record<Lang, string>> = { en: 'unknown', fr: 'inconnu', es: 'desconocido' };

const country = (c: string, lang: Lang): string => (c === UNKNOWN ? UNKNOWN_WORD[lang] : countryName(c, lang));

/** The display label of a key of a dimension. */
export function keyLabel(dimension: LabelDimension, key: string, lang: Lang = 'en'): string {
  switch (dimension) {
    case 'category':
      return VOCABS.category.label(key, lang);
    case 'product':
      return VOCABS.product.label(key, lang);
    case 'member':
    case 'origin':
      return country(key, lang);
    case 'route':
      return key
        .split('>')
        .map((c) => country(c, lang))
        .join(' → ');
    case 'transport_mode':
      return VOCABS.transport_mode.label(key, lang);
    case 'concealment':
      return key === UNKNOWN ? UNKNOWN_WORD[lang] : VOCABS.concealment_method.label(key, lang);
    case 'detection':
      return VOCABS.detection_method.label(key, lang);
    case 'infringement':
      return VOCABS.infringement_type.label(key, lang);
    case 'unit':
      return VOCABS.unit.label(key, lang);
    case 'profile': {
      const [origin, mode, concealment, product] = splitKey(key);
      return [
        country(origin!, lang),
        keyLabel('transport_mode', mode!, lang),
        keyLabel('concealment', concealment!, lang),
        keyLabel('product', product!, lang),
      ].join(' / ');
    }
    case 'product_concealment': {
      const [product, concealment] = splitKey(key);
      return `${keyLabel('product', product!, lang)} / ${keyLabel('concealment', concealment!, lang)}`;
    }
  }
}

export const DIMENSION_NAMES: Readonly<
  Record<Lang, Readonly<Record<'product' | 'origin' | 'route' | 'transport_mode' | 'concealment', string>>>
> = {
  en: { product: 'product', origin: 'origin', route: 'route', transport_mode: 'transport mode', concealment: 'concealment method' },
  fr: {
    product: 'produit',
    origin: 'origine',
    route: 'itinéraire',
    transport_mode: 'mode de transport',
    concealment: 'méthode de dissimulation',
  },
  es: { product: 'producto', origin: 'origen', route: 'ruta', transport_mode: 'modo de transporte', concealment: 'método de ocultación' },
};

/** The locale each language's numbers and case folding follow. */
export const LOCALE: Readonly<Record<Lang, string>> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES' };

/** A number for people: grouped thousands, at most `digits` decimals. */
export function num(n: number, lang: Lang = 'en', digits = 0): string {
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: digits }).format(n);
}

const WORDS: Readonly<Record<Lang, Readonly<Record<'line' | 'member' | 'seizureLine', readonly [string, string]>>>> = {
  en: { line: ['line', 'lines'], member: ['Member', 'Members'], seizureLine: ['seizure line', 'seizure lines'] },
  fr: { line: ['ligne', 'lignes'], member: ['Membre', 'Membres'], seizureLine: ['ligne de saisie', 'lignes de saisie'] },
  es: { line: ['línea', 'líneas'], member: ['Miembro', 'Miembros'], seizureLine: ['línea de incautación', 'líneas de incautación'] },
};

/** A number with the form of its word that agrees with it: counted(0, 'fr', 'affaire', 'affaires') is "0 affaire". */
export function counted(n: number, lang: Lang, one: string, other: string): string {
  return `${num(n, lang)} ${agree(n, lang, one, other)}`;
}

/** A count with its word, singular or plural: "1 line", "3 lines". */
export function count(n: number, word: 'line' | 'member' | 'seizureLine', lang: Lang): string {
  const [one, many] = WORDS[lang][word];
  return counted(n, lang, one, many);
}

/**
 * One sentence stating a signal with its figures (sentences.ts): `plain` for the NCPs (how big, the interval, how
 * sure in words), `analyst` with the statistics. `threshold` is the outlier score of the operation.
 */
export { signalText as signalSentence } from './sentences.ts';

/** Words of the alert emails. */
export const MAIL_WORDS: Readonly<
  Record<
    Lang,
    {
      subjectFinal: (op: string, phase: number, n: number) => string;
      subjectInterim: (op: string, phase: number, asOf: string, n: number) => string;
      intro: (op: string, phase: number, mode: 'final' | 'interim', asOf: string) => string;
      figures: (lines: string, cases: string, units: string, members: string) => string;
      signalsHead: string;
      none: string;
      more: (n: number) => string;
      report: string;
      confidential: string;
    }
  >
> = {
  en: {
    subjectFinal: (op, phase, n) => `${op}: phase ${phase} summary, ${n} signal${n === 1 ? '' : 's'}`,
    subjectInterim: (op, phase, asOf, n) => `${op}: phase ${phase} interim update to ${asOf}, ${n} signal${n === 1 ? '' : 's'}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `The summary of phase ${phase} of ${op} is ready.`
        : `Interim update of phase ${phase} of ${op}, with the seizures dated up to ${asOf}.`,
    figures: (lines, cases, units, members) =>
      `In this phase: ${lines} seizure lines in ${cases} cases, ${units} units, reported by ${members} Members.`,
    signalsHead: 'Signals, strongest first:',
    none: 'No new or rising signal.',
    more: (n) => `… and ${n} more in the full report.`,
    report: 'Full report',
    confidential: 'For the National Contact Points of the operation. Aggregated figures only.',
  },
  fr: {
    subjectFinal: (op, phase, n) => `${op} : synthèse de la phase ${phase}, ${n} ${agree(n, 'fr', 'signal', 'signaux')}`,
    subjectInterim: (op, phase, asOf, n) =>
      `${op} : point d'étape de la phase ${phase} au ${asOf}, ${n} ${agree(n, 'fr', 'signal', 'signaux')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `La synthèse de la phase ${phase} de ${op} est prête.`
        : `Point d'étape de la phase ${phase} de ${op}, avec les saisies datées jusqu'au ${asOf}.`,
    figures: (lines, cases, units, members) =>
      `Dans cette phase : ${lines} lignes de saisie dans ${cases} cas, ${units} unités, déclarées par ${members} Membres.`,
    signalsHead: 'Signaux, du plus fort au plus faible :',
    none: 'Aucun signal nouveau ou en hausse.',
    more: (n) => `… et ${n} ${agree(n, 'fr', 'autre', 'autres')} dans le rapport complet.`,
    report: 'Rapport complet',
    confidential: "Pour les points de contact nationaux de l'opération. Chiffres agrégés uniquement.",
  },
  es: {
    subjectFinal: (op, phase, n) => `${op}: resumen de la fase ${phase}, ${n} señal${n === 1 ? '' : 'es'}`,
    subjectInterim: (op, phase, asOf, n) => `${op}: avance de la fase ${phase} al ${asOf}, ${n} señal${n === 1 ? '' : 'es'}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `El resumen de la fase ${phase} de ${op} está listo.`
        : `Avance de la fase ${phase} de ${op}, con las incautaciones fechadas hasta el ${asOf}.`,
    figures: (lines, cases, units, members) =>
      `En esta fase: ${lines} líneas de incautación en ${cases} casos, ${units} unidades, declaradas por ${members} Miembros.`,
    signalsHead: 'Señales, de la más fuerte a la más débil:',
    none: 'Ninguna señal nueva o en aumento.',
    more: (n) => `… y ${n} más en el informe completo.`,
    report: 'Informe completo',
    confidential: 'Para los puntos de contacto nacionales de la operación. Solo cifras agregadas.',
  },
};

/** HTML-escapes text for element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
