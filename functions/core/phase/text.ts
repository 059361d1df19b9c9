/**
 * Words of the reports and alerts: labels of keys (products, countries, routes...) and one sentence per signal, in
 * English, French and Spanish, and how each language writes them: numbers and days through Intl in the reader's
 * locale (en-GB, fr-FR, es-ES), French spacing, elision and the operation's name. The emails' words are in mail-words.ts.
 */
import type { Lang } from '../operation/config.ts';
import { countryName } from '../vocabulary/countries.ts';
import { agree } from '../vocabulary/plural.ts';
import { splitKey, UNKNOWN } from '../trends/types.ts';
import { VOCABS } from '../vocabulary/vocab.ts';
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

type Counted = 'line' | 'member' | 'seizureLine' | 'seizure' | 'case' | 'unit';

const WORDS: Readonly<Record<Lang, Readonly<Record<Counted, readonly [string, string]>>>> = {
  en: {
    line: ['line', 'lines'],
    member: ['Member', 'Members'],
    seizureLine: ['seizure line', 'seizure lines'],
    seizure: ['seizure', 'seizures'],
    case: ['case', 'cases'],
    unit: ['unit', 'units'],
  },
  fr: {
    line: ['ligne', 'lignes'],
    member: ['Membre', 'Membres'],
    seizureLine: ['ligne de saisie', 'lignes de saisie'],
    seizure: ['saisie', 'saisies'],
    case: ['cas', 'cas'],
    unit: ['unité', 'unités'],
  },
  es: {
    line: ['línea', 'líneas'],
    member: ['Miembro', 'Miembros'],
    seizureLine: ['línea de incautación', 'líneas de incautación'],
    seizure: ['incautación', 'incautaciones'],
    case: ['caso', 'casos'],
    unit: ['unidad', 'unidades'],
  },
};

/** A number with the form of its word that agrees with it: counted(0, 'fr', 'affaire', 'affaires') is "0 affaire". */
export function counted(n: number, lang: Lang, one: string, other: string): string {
  return `${num(n, lang)} ${agree(n, lang, one, other)}`;
}

/** A count with its word, singular or plural: "1 line", "3 lines". */
export function count(n: number, word: Counted, lang: Lang): string {
  const [one, many] = WORDS[lang][word];
  return counted(n, lang, one, many);
}

/** The no-break space French puts before `: ; ? !` and inside « » (so a colon never wraps to the start of a line). */
export const NBSP = '\u00A0';

/**
 * French typography on a text: a no-break space before `: ; ? !` and `»`, and after `«`, whether the text had a
 * plain space there or none. Leaves URLs alone (`https://`, `?lang=`): only a punctuation mark that follows a space or
 * a letter and is followed by a space or the end is touched.
 */
export function frenchSpacing(t: string): string {
  return t.replace(/[ \u00A0\u202F]?([:;?!»])(?=\s|$|[).,])/g, (_m, p: string) => `${NBSP}${p}`).replace(/«[ \u00A0\u202F]?/g, `«${NBSP}`);
}

/** The text as the language writes it: French spacing in French, untouched otherwise. */
export const typeset = (t: string, lang: Lang): string => (lang === 'fr' ? frenchSpacing(t) : t);

const dayFormats = new Map<Lang, Intl.DateTimeFormat>();

/** A day (YYYY-MM-DD) as the reader's locale writes it, unbreakable: "31 Jan 2022", "1er févr. 2022", "31 ene 2022". */
export function day(iso: string, lang: Lang = 'en'): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  let f = dayFormats.get(lang);
  // One formatter per language: a workbook writes a day per week and per row.
  if (!f)
    dayFormats.set(lang, (f = new Intl.DateTimeFormat(LOCALE[lang], { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })));
  const text = f.format(d);
  // No-break spaces inside: a day never wraps across two lines ("31 Jan" / "2022").
  return (lang === 'fr' && d.getUTCDate() === 1 ? text.replace(/^1(?=\D)/, '1er') : text).replace(/ /g, NBSP);
}

/** A list in the reader's language: "A, B and C", "A, B et C", "A, B y C". */
export function listText(items: readonly string[], lang: Lang): string {
  return new Intl.ListFormat(LOCALE[lang], { style: 'long', type: 'conjunction' }).format(items);
}

/**
 * A label inside a sentence: "Oxygen cylinder" reads "oxygen cylinder" after a colon or a verb; names that keep their
 * capital (COVID-19 vaccine, a country) are left as they are (a second capital or a digit says so).
 */
export function inSentence(label: string, lang: Lang = 'en'): string {
  if (label.length < 2 || /^.[\p{Lu}\d]/u.test(label)) return label;
  return label.charAt(0).toLocaleLowerCase(LOCALE[lang]) + label.slice(1);
}

const VOWEL_START = /^[aeiouyhàâäéèêëîïôöûüœæ]/i;

/** French "de" before a word: elided before a vowel or a mute h ("d'azithromycine", "de bouteille"). */
export const deFr = (word: string): string => (VOWEL_START.test(word) ? `d'${word}` : `de ${word}`);

/** "Operation X" in any of the three languages (the config's name may be written in any). */
const OPERATION_WORD = /^(?:operation|opération|operación)\s+(.+)$/i;

/** The operation's name as the language writes it at the start of a sentence: "Opération STOP II", "Operación STOP II". */
export function operationName(name: string, lang: Lang): string {
  const m = OPERATION_WORD.exec(name);
  if (!m || lang === 'en') return name;
  return `${lang === 'fr' ? 'Opération' : 'Operación'} ${m[1]}`;
}

/** "of Operation STOP II", "de l'opération STOP II", "de la operación STOP II" (and "d'Atlas" for another name). */
export function ofOperation(name: string, lang: Lang): string {
  const m = OPERATION_WORD.exec(name);
  if (lang === 'en') return `of ${name}`;
  if (lang === 'fr') return m ? `de l'opération ${m[1]}` : deFr(name);
  return m ? `de la operación ${m[1]}` : `de ${name}`;
}

/** HTML-escapes text for element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
