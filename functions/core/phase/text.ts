/**
 * Words of the reports and alerts: labels of keys (products, countries, routes...) and one sentence per signal, in
 * English, French and Spanish. Reports are in English; each NCP's alert is in its Member's language.
 */
import type { Lang } from '../config.ts';
import { countryName } from '../countries.ts';
import { splitKey, UNKNOWN } from '../trends/types.ts';
import { VOCABS } from '../vocab.ts';
import type { Breakdown } from './aggregate.ts';
import type { Signal } from './analyse.ts';

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
      return [country(origin!, lang), keyLabel('transport_mode', mode!, lang), keyLabel('concealment', concealment!, lang), keyLabel('product', product!, lang)].join(' / ');
    }
    case 'product_concealment': {
      const [product, concealment] = splitKey(key);
      return `${keyLabel('product', product!, lang)} / ${keyLabel('concealment', concealment!, lang)}`;
    }
  }
}

export const DIMENSION_NAMES: Readonly<Record<Lang, Readonly<Record<'product' | 'origin' | 'route' | 'transport_mode' | 'concealment', string>>>> = {
  en: { product: 'product', origin: 'origin', route: 'route', transport_mode: 'transport mode', concealment: 'concealment method' },
  fr: { product: 'produit', origin: 'origine', route: 'itinéraire', transport_mode: 'mode de transport', concealment: 'méthode de dissimulation' },
  es: { product: 'producto', origin: 'origen', route: 'ruta', transport_mode: 'modo de transporte', concealment: 'método de ocultación' },
};

const LOCALE: Readonly<Record<Lang, string>> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES' };

/** A number for people: grouped thousands, at most `digits` decimals. */
export function num(n: number, lang: Lang = 'en', digits = 0): string {
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: digits }).format(n);
}

const WORDS: Readonly<Record<Lang, Readonly<Record<'line' | 'member' | 'seizureLine', readonly [string, string]>>>> = {
  en: { line: ['line', 'lines'], member: ['Member', 'Members'], seizureLine: ['seizure line', 'seizure lines'] },
  fr: { line: ['ligne', 'lignes'], member: ['Membre', 'Membres'], seizureLine: ['ligne de saisie', 'lignes de saisie'] },
  es: { line: ['línea', 'líneas'], member: ['Miembro', 'Miembros'], seizureLine: ['línea de incautación', 'líneas de incautación'] },
};

/** A count with its word, singular or plural: "1 line", "3 lines". */
export function count(n: number, word: 'line' | 'member' | 'seizureLine', lang: Lang): string {
  const [one, many] = WORDS[lang][word];
  return `${num(n, lang)} ${n === 1 ? one : many}`;
}

const ratio = (r: number, lang: Lang) => num(r, lang, 1);
/** `q < 0.001` or `q = 0.012`. */
const qValue = (q: number, lang: Lang) => (q < 0.001 ? `q < ${num(0.001, lang, 3)}` : `q = ${new Intl.NumberFormat(LOCALE[lang], { maximumSignificantDigits: 2 }).format(q)}`);

/** One sentence stating a signal with its figures. `threshold` is the outlier score of the operation. */
export function signalSentence(s: Signal, lang: Lang, threshold: number): string {
  const L = (d: LabelDimension, k: string) => keyLabel(d, k, lang);
  switch (s.kind) {
    case 'rising':
    case 'falling': {
      const dim = DIMENSION_NAMES[lang][s.dimension];
      const label = L(s.dimension, s.key);
      const head = { en: s.kind === 'rising' ? 'Rising' : 'Falling', fr: s.kind === 'rising' ? 'En hausse' : 'En baisse', es: s.kind === 'rising' ? 'En aumento' : 'En descenso' }[lang];
      const a = s.earlier;
      const b = s.later;
      const rr = s.rateRatio === null ? null : ratio(s.rateRatio, lang);
      const q = qValue(s.q, lang);
      if (lang === 'fr') {
        return `${head} : ${label} (${dim}) — ${count(b.lines, 'seizureLine', lang)} en phase ${b.phase} contre ${a.lines === 0 ? 'aucune' : num(a.lines, lang)} en phase ${a.phase}${rr ? `, soit ${rr} fois le taux par Membre et par semaine` : ''} (${q}).`;
      }
      if (lang === 'es') {
        return `${head}: ${label} (${dim}) — ${count(b.lines, 'seizureLine', lang)} en la fase ${b.phase} frente a ${a.lines === 0 ? 'ninguna' : num(a.lines, lang)} en la fase ${a.phase}${rr ? `, ${rr} veces la tasa por Miembro y semana` : ''} (${q}).`;
      }
      return `${head}: ${label} (${dim}) — ${count(b.lines, 'seizureLine', lang)} in phase ${b.phase} against ${a.lines === 0 ? 'none' : num(a.lines, lang)} in phase ${a.phase}${rr ? `, ${rr} times the rate per Member-week` : ''} (${q}).`;
    }
    case 'alarm': {
      const dim = DIMENSION_NAMES[lang][s.dimension];
      const label = L(s.dimension, s.key);
      const m = s.methods.map((x) => x.toUpperCase()).join('/');
      const ub = num(s.upperBound, lang, 1);
      if (lang === 'fr') return `Alerte hebdomadaire : ${label} (${dim}) — ${count(s.count, 'seizureLine', lang)} la semaine du ${s.week}, au-dessus du maximum attendu de ${ub} (EARS ${m}).`;
      if (lang === 'es') return `Alerta semanal: ${label} (${dim}) — ${count(s.count, 'seizureLine', lang)} en la semana del ${s.week}, por encima del máximo esperado de ${ub} (EARS ${m}).`;
      return `Weekly alarm: ${label} (${dim}) — ${count(s.count, 'seizureLine', lang)} in the week of ${s.week}, above the expected maximum of ${ub} (EARS ${m}).`;
    }
    case 'new': {
      const lines = count(s.lines ?? 0, 'line', lang);
      const members = count(s.members, 'member', lang);
      switch (s.novelty) {
        case 'product_multi_member': {
          const p = L('product', s.product!);
          if (lang === 'fr') return `Nouveau : ${p} saisi pour la première fois par ${members} la semaine du ${s.week} (${lines}).`;
          if (lang === 'es') return `Nuevo: ${p} incautado por primera vez por ${members} en la semana del ${s.week} (${lines}).`;
          return `New: ${p} seized for the first time by ${members} in the week of ${s.week} (${lines}).`;
        }
        case 'concealment_for_product': {
          const p = L('product', s.product!);
          const c = L('concealment', s.concealment!);
          if (lang === 'fr') return `Nouveau : ${p} dissimulé par « ${c} » pour la première fois, semaine du ${s.week} (${lines}, ${members}).`;
          if (lang === 'es') return `Nuevo: ${p} ocultado mediante «${c}» por primera vez, semana del ${s.week} (${lines}, ${members}).`;
          return `New: ${p} concealed by "${c}" for the first time, week of ${s.week} (${lines}, ${members}).`;
        }
        case 'route': {
          const r = L('route', s.route!);
          if (lang === 'fr') return `Nouvel itinéraire : ${r}, vu pour la première fois la semaine du ${s.week} (${lines}, ${members}).`;
          if (lang === 'es') return `Nueva ruta: ${r}, vista por primera vez en la semana del ${s.week} (${lines}, ${members}).`;
          return `New route: ${r}, first seen in the week of ${s.week} (${lines}, ${members}).`;
        }
        case 'origin': {
          const o = L('origin', s.origin!);
          if (lang === 'fr') return `Nouvelle origine : ${o}, vue pour la première fois la semaine du ${s.week} (${lines}, ${members}).`;
          if (lang === 'es') return `Nuevo origen: ${o}, visto por primera vez en la semana del ${s.week} (${lines}, ${members}).`;
          return `New origin: ${o}, first seen in the week of ${s.week} (${lines}, ${members}).`;
        }
        case 'product_at_member': {
          const p = L('product', s.product!);
          const m = L('member', s.member!);
          if (lang === 'fr') return `Nouveau : ${m} a saisi ${p} pour la première fois (semaine du ${s.week}).`;
          if (lang === 'es') return `Nuevo: ${m} incautó ${p} por primera vez (semana del ${s.week}).`;
          return `New: ${m} seized ${p} for the first time (week of ${s.week}).`;
        }
      }
      break;
    }
    case 'outlier': {
      const p = L('product', s.product);
      const u = L('unit', s.unit).toLocaleLowerCase(LOCALE[lang]);
      const t = num(threshold, lang, 1);
      const n = num(s.count, lang);
      if (lang === 'fr') return `Taille inhabituelle : ${n} saisie(s) de ${p} (${u}) bien plus grande(s) que d'habitude pour ce produit (score z robuste supérieur à ${t}).`;
      if (lang === 'es') return `Tamaño inusual: ${n} incautación(es) de ${p} (${u}) mucho mayor(es) de lo habitual para ese producto (puntuación z robusta superior a ${t}).`;
      return `Unusually large: ${n} seizure(s) of ${p} (${u}) far larger than usual for that product (robust z-score above ${t}).`;
    }
  }
  throw new TypeError(`signalSentence: unknown signal ${JSON.stringify(s)}`);
}

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
      mode === 'final' ? `The summary of phase ${phase} of ${op} is ready.` : `Interim update of phase ${phase} of ${op}, with the seizures dated up to ${asOf}.`,
    figures: (lines, cases, units, members) => `In this phase: ${lines} seizure lines in ${cases} cases, ${units} units, reported by ${members} Members.`,
    signalsHead: 'Signals, strongest first:',
    none: 'No new or rising signal.',
    more: (n) => `… and ${n} more in the full report.`,
    report: 'Full report',
    confidential: 'For the National Contact Points of the operation. Aggregated figures only.',
  },
  fr: {
    subjectFinal: (op, phase, n) => `${op} : synthèse de la phase ${phase}, ${n} ${n === 1 ? 'signal' : 'signaux'}`,
    subjectInterim: (op, phase, asOf, n) => `${op} : point d'étape de la phase ${phase} au ${asOf}, ${n} ${n === 1 ? 'signal' : 'signaux'}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final' ? `La synthèse de la phase ${phase} de ${op} est prête.` : `Point d'étape de la phase ${phase} de ${op}, avec les saisies datées jusqu'au ${asOf}.`,
    figures: (lines, cases, units, members) => `Dans cette phase : ${lines} lignes de saisie dans ${cases} cas, ${units} unités, déclarées par ${members} Membres.`,
    signalsHead: 'Signaux, du plus fort au plus faible :',
    none: 'Aucun signal nouveau ou en hausse.',
    more: (n) => `… et ${n} autre(s) dans le rapport complet.`,
    report: 'Rapport complet',
    confidential: "Pour les points de contact nationaux de l'opération. Chiffres agrégés uniquement.",
  },
  es: {
    subjectFinal: (op, phase, n) => `${op}: resumen de la fase ${phase}, ${n} señal${n === 1 ? '' : 'es'}`,
    subjectInterim: (op, phase, asOf, n) => `${op}: avance de la fase ${phase} al ${asOf}, ${n} señal${n === 1 ? '' : 'es'}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final' ? `El resumen de la fase ${phase} de ${op} está listo.` : `Avance de la fase ${phase} de ${op}, con las incautaciones fechadas hasta el ${asOf}.`,
    figures: (lines, cases, units, members) => `En esta fase: ${lines} líneas de incautación en ${cases} casos, ${units} unidades, declaradas por ${members} Miembros.`,
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
