/**
 * Words of the reports and alerts: labels of keys (products, countries, routes...) and one sentence per signal, in
 * English, French and Spanish. Reports are in English; each NCP's alert is in its Member's language.
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

type Counted = 'line' | 'member' | 'seizureLine' | 'case' | 'unit';

const WORDS: Readonly<Record<Lang, Readonly<Record<Counted, readonly [string, string]>>>> = {
  en: {
    line: ['line', 'lines'],
    member: ['Member', 'Members'],
    seizureLine: ['seizure line', 'seizure lines'],
    case: ['case', 'cases'],
    unit: ['unit', 'units'],
  },
  fr: {
    line: ['ligne', 'lignes'],
    member: ['Membre', 'Membres'],
    seizureLine: ['ligne de saisie', 'lignes de saisie'],
    case: ['cas', 'cas'],
    unit: ['unité', 'unités'],
  },
  es: {
    line: ['línea', 'líneas'],
    member: ['Miembro', 'Miembros'],
    seizureLine: ['línea de incautación', 'líneas de incautación'],
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

/** The counts of a phase an alert states. */
export interface PhaseCounts {
  readonly lines: number;
  readonly cases: number;
  readonly units: number;
  readonly members: number;
}

/** Words of the alert emails. */
export const MAIL_WORDS: Readonly<
  Record<
    Lang,
    {
      subjectFinal: (op: string, phase: number, n: number) => string;
      subjectInterim: (op: string, phase: number, asOf: string, n: number) => string;
      intro: (op: string, phase: number, mode: 'final' | 'interim', asOf: string) => string;
      /** The phase's figures, each count with its word in agreement: "1 seizure line in 1 case". */
      figures: (f: PhaseCounts) => string;
      signalsHead: string;
      none: string;
      more: (n: number) => string;
      report: string;
      confidential: string;
    }
  >
> = {
  en: {
    subjectFinal: (op, phase, n) => `${op}: phase ${phase} summary, ${counted(n, 'en', 'signal', 'signals')}`,
    subjectInterim: (op, phase, asOf, n) => `${op}: phase ${phase} interim update to ${asOf}, ${counted(n, 'en', 'signal', 'signals')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `The summary of phase ${phase} of ${op} is ready.`
        : `Interim update of phase ${phase} of ${op}, with the seizures dated up to ${asOf}.`,
    figures: (f) =>
      `In this phase: ${count(f.lines, 'seizureLine', 'en')} in ${count(f.cases, 'case', 'en')}, ${count(f.units, 'unit', 'en')}, reported by ${count(f.members, 'member', 'en')}.`,
    signalsHead: 'Signals, strongest first:',
    none: 'No new or rising signal.',
    more: (n) => `… and ${n} more in the full report.`,
    report: 'Full report',
    confidential: 'For the National Contact Points of the operation. Aggregated figures only.',
  },
  fr: {
    subjectFinal: (op, phase, n) => `${op} : synthèse de la phase ${phase}, ${counted(n, 'fr', 'signal', 'signaux')}`,
    subjectInterim: (op, phase, asOf, n) =>
      `${op} : point d'étape de la phase ${phase} au ${asOf}, ${counted(n, 'fr', 'signal', 'signaux')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `La synthèse de la phase ${phase} de ${op} est prête.`
        : `Point d'étape de la phase ${phase} de ${op}, avec les saisies datées jusqu'au ${asOf}.`,
    figures: (f) =>
      `Dans cette phase : ${count(f.lines, 'seizureLine', 'fr')} dans ${count(f.cases, 'case', 'fr')}, ${count(f.units, 'unit', 'fr')}, ${agree(f.lines, 'fr', 'déclarée', 'déclarées')} par ${count(f.members, 'member', 'fr')}.`,
    signalsHead: 'Signaux, du plus fort au plus faible :',
    none: 'Aucun signal nouveau ou en hausse.',
    more: (n) => `… et ${n} ${agree(n, 'fr', 'autre', 'autres')} dans le rapport complet.`,
    report: 'Rapport complet',
    confidential: "Pour les points de contact nationaux de l'opération. Chiffres agrégés uniquement.",
  },
  es: {
    subjectFinal: (op, phase, n) => `${op}: resumen de la fase ${phase}, ${counted(n, 'es', 'señal', 'señales')}`,
    subjectInterim: (op, phase, asOf, n) => `${op}: avance de la fase ${phase} al ${asOf}, ${counted(n, 'es', 'señal', 'señales')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `El resumen de la fase ${phase} de ${op} está listo.`
        : `Avance de la fase ${phase} de ${op}, con las incautaciones fechadas hasta el ${asOf}.`,
    figures: (f) =>
      `En esta fase: ${count(f.lines, 'seizureLine', 'es')} en ${count(f.cases, 'case', 'es')}, ${count(f.units, 'unit', 'es')}, ${agree(f.lines, 'es', 'declarada', 'declaradas')} por ${count(f.members, 'member', 'es')}.`,
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
