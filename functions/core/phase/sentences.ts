/**
 * One sentence per signal, in English, French and Spanish, in two registers:
 * - 'plain' (every NCP's report and email): how big, with the interval, and how sure in words ("very unlikely to be
 *   chance"); "expected about 0.1, seen 2"; no p or q;
 * - 'analyst' (the analysts' version): the same sentence followed by the statistics (ratio and 95% interval, p, q,
 *   the method).
 * French and Spanish agree in gender and number: sentences are built around nouns whose gender is known (lignes de
 * saisie, líneas: feminine; itinéraire, origen: masculine...), never around a product's name.
 */
import type { Lang } from '../operation/config.ts';
import { agree } from '../vocabulary/plural.ts';
import type { Signal, SeenAs } from './signals.ts';
import { count, counted, DIMENSION_NAMES, keyLabel, LOCALE, num, type LabelDimension } from './text.ts';

export type Register = 'plain' | 'analyst';

/** A ratio for people: 2 significant digits below 10, whole above ("about 5.3", "0.21", "12"). */
export function ratioText(r: number, lang: Lang): string {
  if (!Number.isFinite(r)) return '∞';
  if (r >= 10) return num(Math.round(r), lang);
  return new Intl.NumberFormat(LOCALE[lang], { maximumSignificantDigits: 2 }).format(r);
}

/** A small expected count: one decimal below 10 ("about 0.1"), whole above. */
const expectedText = (e: number, lang: Lang): string => (e < 0.05 ? num(0, lang, 0) : e < 10 ? num(e, lang, 1) : num(Math.round(e), lang));

const sig2 = (x: number, lang: Lang) => new Intl.NumberFormat(LOCALE[lang], { maximumSignificantDigits: 2 }).format(x);
const pText = (name: string, p: number, lang: Lang) => (p < 0.001 ? `${name} < ${num(0.001, lang, 3)}` : `${name} = ${sig2(p, lang)}`);

/** How sure, in words, from the adjusted p (q). */
export function sureWords(q: number | undefined, lang: Lang): string {
  const w = {
    en: ['very unlikely to be chance', 'unlikely to be chance', 'could be chance'],
    fr: ['très probablement pas dû au hasard', 'probablement pas dû au hasard', 'pourrait être dû au hasard'],
    es: ['muy improbable que se deba al azar', 'improbable que se deba al azar', 'podría deberse al azar'],
  }[lang];
  return q === undefined ? w[2]! : q < 0.001 ? w[0]! : q < 0.01 ? w[1]! : w[2]!;
}

const HEAD = {
  en: {
    rising: 'Rising',
    falling: 'Falling',
    alarm: 'Weekly alarm',
    route: 'New route',
    origin: 'New origin',
    transit: 'New transit country',
    conc: 'New concealment',
    spread: 'Spreading',
    mine: 'New',
    outlier: 'Unusually large',
  },
  fr: {
    rising: 'En hausse',
    falling: 'En baisse',
    alarm: 'Alerte hebdomadaire',
    route: 'Nouvel itinéraire',
    origin: 'Nouvelle origine',
    transit: 'Nouveau pays de transit',
    conc: 'Nouvelle dissimulation',
    spread: 'En diffusion',
    mine: 'Nouveau',
    outlier: 'Taille inhabituelle',
  },
  es: {
    rising: 'En aumento',
    falling: 'En descenso',
    alarm: 'Alerta semanal',
    route: 'Nueva ruta',
    origin: 'Nuevo origen',
    transit: 'Nuevo país de tránsito',
    conc: 'Nueva ocultación',
    spread: 'En expansión',
    mine: 'Nuevo',
    outlier: 'Tamaño inusual',
  },
} as const;

const colon = (lang: Lang) => (lang === 'fr' ? ' : ' : ': ');
/** The semicolon, with French spacing. */
const semi = (lang: Lang) => (lang === 'fr' ? ' ; ' : '; ');

/** "from 4 Members" / "de 4 Membres" / "de 4 Miembros". */
/** "4 baseline weeks", "1 semaine de référence": the weeks a weekly alarm's baseline spans. */
const BASELINE_WEEKS: Readonly<Record<Lang, (n: number) => string>> = {
  en: (n) => counted(n, 'en', 'baseline week', 'baseline weeks'),
  fr: (n) => counted(n, 'fr', 'semaine de référence', 'semaines de référence'),
  es: (n) => counted(n, 'es', 'semana de referencia', 'semanas de referencia'),
};
const fromMembers = (n: number, lang: Lang) => `${{ en: 'from', fr: 'de', es: 'de' }[lang]} ${count(n, 'member', lang)}`;

/** Short label of a merged signal, for "the same seizures also show ...". */
function seenAsText(a: SeenAs, lang: Lang): string {
  const h = HEAD[lang];
  if (a.kind === 'new') {
    const what =
      a.novelty === 'route'
        ? h.route
        : a.novelty === 'origin'
          ? h.origin
          : a.novelty === 'transit'
            ? h.transit
            : a.novelty === 'concealment_for_product'
              ? h.conc
              : h.spread;
    const dim: LabelDimension =
      a.novelty === 'route'
        ? 'route'
        : a.novelty === 'origin' || a.novelty === 'transit'
          ? 'origin'
          : a.novelty === 'concealment_for_product'
            ? 'product_concealment'
            : 'product';
    return `${what.toLocaleLowerCase(LOCALE[lang])} ${keyLabel(dim, a.key, lang)}`;
  }
  const head = a.kind === 'alarm' ? h.alarm : a.kind === 'rising' ? h.rising : a.kind === 'falling' ? h.falling : h.outlier;
  return `${head.toLocaleLowerCase(LOCALE[lang])}${colon(lang)}${a.dimension ? keyLabel(a.dimension, a.key, lang) : a.key}`;
}

function alsoText(s: Signal, lang: Lang): string {
  if (!s.alsoSeenAs?.length) return '';
  const lead = {
    en: 'The same seizures also show',
    fr: 'Les mêmes saisies montrent aussi',
    es: 'Las mismas incautaciones muestran también',
  }[lang];
  return ` ${lead}${colon(lang)}${s.alsoSeenAs.map((a) => seenAsText(a, lang)).join(semi(lang))}.`;
}

/**
 * The baseline of a trend in words: "phase 1", or "phases 1–2" when earlier phases are pooled ("la fase 1", "las
 * fases 1–2": Spanish takes the article, French and English none).
 */
export function basePhases(a: { readonly phase: number; readonly phases?: readonly number[] }, lang: Lang): string {
  const ps = a.phases?.length ? a.phases : [a.phase];
  const one = ps.length === 1;
  const list = one ? `${ps[0]}` : ps.every((p, i) => i === 0 || p === ps[i - 1]! + 1) ? `${ps[0]}–${ps[ps.length - 1]}` : ps.join(', ');
  if (lang === 'es') return `${one ? 'la fase' : 'las fases'} ${list}`;
  return `${one ? 'phase' : 'phases'} ${list}`;
}

/** One sentence stating a signal. `threshold` is the operation's outlier score; `register` see the module comment. */
export function signalText(s: Signal, lang: Lang, threshold: number, register: Register = 'plain'): string {
  const L = (d: LabelDimension, k: string) => keyLabel(d, k, lang);
  const h = HEAD[lang];
  const c = colon(lang);
  const stats = (parts: string[]) => (register === 'analyst' && parts.length ? ` [${parts.join('; ')}]` : '');
  switch (s.kind) {
    case 'rising':
    case 'falling': {
      const dim = DIMENSION_NAMES[lang][s.dimension];
      const label = L(s.dimension, s.key);
      const a = s.earlier;
      const b = s.later;
      const sure = sureWords(s.q, lang);
      const lo = s.ci ? ratioText(s.ci.low, lang) : undefined;
      const hi = s.ci?.high === null || s.ci === undefined ? undefined : ratioText(s.ci.high, lang);
      const st = stats([
        `RR ${s.rateRatio === null ? '∞' : ratioText(s.rateRatio, lang)}${s.ci ? `, 95% CI ${lo}–${hi ?? '∞'}` : ''}`,
        pText('p', s.p, lang),
        pText('q', s.q, lang),
      ]);
      const head = s.kind === 'rising' ? h.rising : h.falling;
      const seen = `${count(b.lines, 'seizureLine', lang)} ${{ en: 'in phase', fr: 'en phase', es: 'en la fase' }[lang]} ${b.phase} ${fromMembers(b.members, lang)}`;
      const before = a.lines === 0 ? { en: 'none', fr: 'aucune', es: 'ninguna' }[lang] : num(a.lines, lang);
      const was = basePhases(a, lang);
      const against = `${{ en: 'against', fr: 'contre', es: 'frente a' }[lang]} ${before} ${{ en: 'in', fr: 'en', es: 'en' }[lang]} ${was}`;
      if (s.rateRatio === null) {
        const atLeast = { en: `at least ${lo} times the rate`, fr: `au moins ${lo} fois le taux`, es: `al menos ${lo} veces la tasa` }[
          lang
        ];
        return `${head}${c}${label} (${dim}) — ${seen}, ${against} (${atLeast})${semi(lang)}${sure}.${st}${alsoText(s, lang)}`;
      }
      const rr = ratioText(s.rateRatio, lang);
      const fewer = s.rateRatio < 1 && lang !== 'en';
      const inv = (x: number | null | undefined) => (x === null || x === undefined ? '∞' : x === 0 ? '∞' : ratioText(1 / x, lang));
      const size = fewer
        ? lang === 'fr'
          ? `environ ${inv(s.rateRatio)} fois moins de saisies par Membre déclarant et par semaine qu'en ${was}${s.ci ? ` (entre ${inv(s.ci.high)} et ${inv(s.ci.low)} fois moins)` : ''}`
          : `unas ${inv(s.rateRatio)} veces menos incautaciones por Miembro declarante y semana que en ${was}${s.ci ? ` (entre ${inv(s.ci.high)} y ${inv(s.ci.low)} veces menos)` : ''}`
        : lang === 'fr'
          ? `environ ${rr} fois plus de saisies par Membre déclarant et par semaine qu'en ${was}${lo ? ` (entre ${lo} et ${hi ?? '∞'} fois)` : ''}`
          : lang === 'es'
            ? `unas ${rr} veces más incautaciones por Miembro declarante y semana que en ${was}${lo ? ` (entre ${lo} y ${hi ?? '∞'} veces)` : ''}`
            : `about ${rr} times as many seizures per reporting Member-week as in ${was}${lo ? ` (between ${lo} and ${hi ?? '∞'} times)` : ''}`;
      return `${head}${c}${label} (${dim}) — ${size}${c}${seen}, ${against}${semi(lang)}${sure}.${st}${alsoText(s, lang)}`;
    }
    case 'alarm': {
      const dim = DIMENSION_NAMES[lang][s.dimension];
      const label = L(s.dimension, s.key);
      const inWeek = { en: 'in the week of', fr: 'la semaine du', es: 'en la semana del' }[lang];
      const others = (s.weeks ?? []).filter((w) => w !== s.week);
      const alsoWeeks = others.length
        ? ` ${{ en: 'Also alarmed in the weeks of', fr: 'Alerte aussi les semaines du', es: 'También en alerta las semanas del' }[lang]} ${others.join(', ')}.`
        : '';
      if (s.expected === undefined) {
        // EARS: the bound is a threshold, not an expectation.
        const ub = num(s.upperBound, lang, 1);
        const m = s.methods.map((x) => x.toUpperCase()).join('/');
        const above = {
          en: `above the usual level of at most ${ub} (EARS ${m})`,
          fr: `au-dessus du niveau habituel d'au plus ${ub} (EARS ${m})`,
          es: `por encima del nivel habitual de como máximo ${ub} (EARS ${m})`,
        }[lang];
        return `${h.alarm}${c}${label} (${dim}) — ${count(s.count, 'seizureLine', lang)} ${inWeek} ${s.week}, ${above}.${alsoWeeks}`;
      }
      const e = expectedText(s.expected, lang);
      const expected =
        lang === 'fr'
          ? `environ ${e} ${s.expected < 2 ? 'attendue' : 'attendues'}, ${num(s.count, lang)} ${agree(s.count, lang, 'vue', 'vues')}`
          : lang === 'es'
            ? `se esperaban unas ${e}, se ${agree(s.count, lang, 'vio', 'vieron')} ${num(s.count, lang)}`
            : `expected about ${e}, seen ${num(s.count, lang)}`;
      const who = s.members !== undefined ? ` ${fromMembers(s.members, lang)}` : '';
      const st = stats([
        `mid-p ${pText('p', s.p ?? 1, lang).slice(2)}`,
        pText('q', s.q ?? 1, lang),
        ...(s.baselineSum !== undefined && s.baselineWeeks !== undefined
          ? [`${count(s.baselineSum, 'line', lang)} ${{ en: 'in', fr: 'en', es: 'en' }[lang]} ${BASELINE_WEEKS[lang](s.baselineWeeks)}`]
          : []),
      ]);
      return `${h.alarm}${c}${label} (${dim}) — ${count(s.count, 'seizureLine', lang)} ${inWeek} ${s.week}${who}${c}${expected}${semi(lang)}${sureWords(s.q, lang)}.${st}${alsoWeeks}${alsoText(s, lang)}`;
    }
    case 'new': {
      const lines = count(s.lines ?? 0, 'seizureLine', lang);
      const members = fromMembers(s.members, lang);
      const sure = sureWords(s.q, lang);
      const st = stats([...(s.p !== undefined ? [pText('p', s.p, lang)] : []), ...(s.q !== undefined ? [pText('q', s.q, lang)] : [])]);
      // The participle agrees with the head noun: itinéraire, pays (m.), origine, dissimulation (f.); ruta, ocultación (f.), origen, país (m.).
      const feminine =
        lang === 'fr'
          ? s.novelty === 'origin' || s.novelty === 'concealment_for_product'
          : s.novelty === 'route' || s.novelty === 'concealment_for_product';
      const first = {
        en: 'first seen in the week of',
        fr: `${feminine ? 'vue' : 'vu'} pour la première fois la semaine du`,
        es: `${feminine ? 'vista' : 'visto'} por primera vez en la semana del`,
      }[lang];
      const none = { en: 'none before', fr: 'aucune auparavant', es: 'ninguna antes' }[lang];
      const tail = (what: string) =>
        `${what} — ${lines} ${members}, ${first} ${s.week}${semi(lang)}${none}${semi(lang)}${sure}.${st}${alsoText(s, lang)}`;
      switch (s.novelty) {
        case 'route':
          return tail(`${h.route}${c}${L('route', s.route!)}`);
        case 'origin':
          return tail(`${h.origin}${c}${L('origin', s.origin!)}`);
        case 'transit':
          return tail(`${h.transit}${c}${L('origin', s.transit!)}`);
        case 'concealment_for_product': {
          const p = L('product', s.product!);
          const cm = L('concealment', s.concealment!);
          const how = { en: `${p} concealed by "${cm}"`, fr: `${p}, dissimulation « ${cm} »`, es: `${p}, ocultación «${cm}»` }[lang];
          return tail(`${h.conc}${c}${how}`);
        }
        case 'product_multi_member': {
          const p = L('product', s.product!);
          const e = s.expected !== undefined ? expectedText(s.expected, lang) : undefined;
          const k = count(s.members, 'member', lang);
          const body =
            lang === 'fr'
              ? `${p} saisi pour la première fois par ${k}${e ? ` (environ ${e} attendus à son rythme habituel)` : ''}, ${count(s.lines ?? 0, 'seizureLine', lang)} en tout`
              : lang === 'es'
                ? `${p} incautado por primera vez por ${k}${e ? ` (se esperaban unos ${e} a su ritmo habitual)` : ''}, ${count(s.lines ?? 0, 'seizureLine', lang)} en total`
                : `${p} seized for the first time by ${k}${e ? ` (about ${e} expected at its usual rate)` : ''}, ${count(s.lines ?? 0, 'seizureLine', lang)} in all`;
          return `${h.spread}${c}${body}${semi(lang)}${sure}.${st}${alsoText(s, lang)}`;
        }
        case 'product_at_member': {
          const p = L('product', s.product!);
          const m = L('member', s.member!);
          if (lang === 'fr') return `${h.mine} : ${m} a saisi ${p} pour la première fois (semaine du ${s.week}).`;
          if (lang === 'es') return `${h.mine}: ${m} incautó ${p} por primera vez (semana del ${s.week}).`;
          return `${h.mine}: ${m} seized ${p} for the first time (week of ${s.week}).`;
        }
      }
      break;
    }
    case 'outlier': {
      const p = L('product', s.product);
      const u = L('unit', s.unit).toLocaleLowerCase(LOCALE[lang]);
      const n = num(s.count, lang);
      const one = agree(s.count, lang, true, false);
      const t = num(threshold, lang, 1);
      const st = stats([
        `${{ en: 'robust z-score above', fr: 'score z robuste supérieur à', es: 'puntuación z robusta superior a' }[lang]} ${t}`,
        ...(s.maxScore !== undefined ? [`max ${num(s.maxScore, lang, 1)}`] : []),
      ]);
      const body =
        lang === 'fr'
          ? `${n} ${one ? 'saisie' : 'saisies'} de ${p} (${u}) bien plus ${one ? 'grande' : 'grandes'} que d'habitude pour ce produit`
          : lang === 'es'
            ? `${n} ${one ? 'incautación' : 'incautaciones'} de ${p} (${u}) mucho ${one ? 'mayor' : 'mayores'} de lo habitual para ese producto`
            : `${n} ${one ? 'seizure' : 'seizures'} of ${p} (${u}) far larger than usual for that product`;
      return `${h.outlier}${c}${body}${semi(lang)}${sureWords(s.p, lang)}.${st}`;
    }
  }
  throw new TypeError(`signalText: unknown signal ${JSON.stringify(s)}`);
}
