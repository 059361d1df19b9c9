/**
 * One sentence per signal, in English, French and Spanish, in two registers:
 * - 'plain' (every NCP's report and email): what each key is ("origin Türkiye", "concealment “vehicle cavity”"), how
 *   big in round numbers ("about 5 times fewer seizures a week for each Member that reported than in phase 2"), how
 *   sure in words ("very unlikely to be chance"), what else the same seizures show in one short clause; no test
 *   names, intervals, scores or formulas; under about 40 words;
 * - 'analyst' (the analysts' version): the same sentence, then the statistics, labelled ("rate ratio 3.3, 95% CI
 *   2.0–5.6; p < 0.001; BH q < 0.001"), and every other name of the same seizures.
 * Days and numbers are written in the reader's locale (text.ts). French and Spanish agree in gender and number:
 * sentences are built around nouns whose gender is known (saisies, incautaciones: feminine; itinéraire, origen:
 * masculine...), never around a product's name; French has its elisions and no-break spaces.
 */
import type { Lang } from '../operation/config.ts';
import { agree } from '../vocabulary/plural.ts';
import type { AlarmSignal, NewSignal, OutlierSignal, SeenAs, Signal, TrendSignal } from './signals.ts';
import { count, counted, day, deFr, DIMENSION_NAMES, inSentence, keyLabel, listText, LOCALE, NBSP, num, typeset } from './text.ts';
import type { Dimension } from '../trends/types.ts';

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
    fr: ['très probablement pas un hasard', 'probablement pas un hasard', 'peut-être un hasard'],
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
    first: 'First seizures',
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
    first: 'Premières saisies',
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
    first: 'Primeras incautaciones',
    mine: 'Nuevo',
    outlier: 'Tamaño inusual',
  },
} as const;

const colon = (lang: Lang) => (lang === 'fr' ? `${NBSP}: ` : ': ');
const semi = (lang: Lang) => (lang === 'fr' ? `${NBSP}; ` : '; ');
/** A label in quotes as the language writes them. */
const quoted = (t: string, lang: Lang) => (lang === 'fr' ? `«${NBSP}${t}${NBSP}»` : lang === 'es' ? `«${t}»` : `“${t}”`);

/** "4 baseline weeks", "1 semaine de référence": the weeks a weekly alarm's baseline spans. */
const BASELINE_WEEKS: Readonly<Record<Lang, (n: number) => string>> = {
  en: (n) => counted(n, 'en', 'baseline week', 'baseline weeks'),
  fr: (n) => counted(n, 'fr', 'semaine de référence', 'semaines de référence'),
  es: (n) => counted(n, 'es', 'semana de referencia', 'semanas de referencia'),
};

/** "30 seizures by 5 Members", "30 saisies par 5 Membres", "30 incautaciones de 5 Miembros". */
const byMembers = (lines: number, members: number, lang: Lang) =>
  `${count(lines, 'seizure', lang)} ${{ en: 'by', fr: 'par', es: 'de' }[lang]} ${count(members, 'member', lang)}`;

/** A route's countries; `short`: its first and last only, with the number between ("Türkiye → … → Germany"). */
function routeText(key: string, lang: Lang, short = false): string {
  const parts = keyLabel('route', key, lang).split(' → ');
  return short && parts.length > 3 ? `${parts[0]} → … → ${parts[parts.length - 1]}` : parts.join(' → ');
}

/**
 * What a key is, in words: "origin Türkiye", "route Türkiye → … → Germany", "concealment “vehicle cavity”",
 * "transport mode “air cargo”"; a product by its name ("oxygen cylinder").
 */
export function describeKey(dimension: Dimension, key: string, lang: Lang, short = false): string {
  const name = DIMENSION_NAMES[lang];
  switch (dimension) {
    case 'product':
      return inSentence(keyLabel('product', key, lang), lang);
    case 'origin':
      return `${name.origin} ${keyLabel('origin', key, lang)}`;
    case 'route':
      return `${name.route} ${routeText(key, lang, short)}`;
    case 'transport_mode':
      return `${name.transport_mode} ${quoted(inSentence(keyLabel('transport_mode', key, lang), lang), lang)}`;
    case 'concealment':
      return `${{ en: 'concealment', fr: 'dissimulation', es: 'ocultación' }[lang]} ${quoted(inSentence(keyLabel('concealment', key, lang), lang), lang)}`;
  }
}

/** One other name of the same seizures, short: "new origin Türkiye", "rising concealment “vehicle cavity”". */
function seenAsText(a: SeenAs, lang: Lang): string {
  const h = HEAD[lang];
  const low = (t: string) => t.toLocaleLowerCase(LOCALE[lang]);
  if (a.kind === 'new') {
    switch (a.novelty) {
      case 'route':
        return `${low(h.route)} ${routeText(a.key, lang, true)}`;
      case 'origin':
        return `${low(h.origin)} ${keyLabel('origin', a.key, lang)}`;
      case 'transit':
        return `${low(h.transit)} ${keyLabel('origin', a.key, lang)}`;
      case 'concealment_for_product': {
        const [p = '', c = ''] = keyLabel('product_concealment', a.key, lang).split(' / ');
        const of = lang === 'fr' ? deFr(inSentence(p, lang)) : `${lang === 'en' ? 'of' : 'de'} ${inSentence(p, lang)}`;
        return `${low(h.conc)} ${of} (${quoted(inSentence(c, lang), lang)})`;
      }
      default:
        return `${low(h.spread)} ${inSentence(keyLabel('product', a.key, lang), lang)}`;
    }
  }
  const what = a.dimension ? describeKey(a.dimension, a.key, lang, true) : a.key;
  if (lang === 'en')
    return `${a.kind === 'rising' ? 'rising' : a.kind === 'falling' ? 'falling' : a.kind === 'alarm' ? 'weekly alarm on' : 'unusual size of'} ${what}`;
  const tail = { rising: h.rising, falling: h.falling, alarm: h.alarm, outlier: h.outlier }[a.kind];
  return a.kind === 'alarm' ? `${low(tail)} (${what})` : `${what} ${low(tail)}`;
}

/**
 * The other names of a signal's seizures. Plain: one short clause, the same key named once (a new origin is not also
 * "rising"), several new transit countries counted, at most three items ("Also: new origin Türkiye, rising
 * concealment “vehicle cavity” and 4 new transit countries."). Analyst: every name.
 */
function alsoText(s: Signal, lang: Lang, register: Register): string {
  const others = s.alsoSeenAs ?? [];
  if (!others.length) return '';
  const lead = { en: 'Also', fr: 'Également', es: 'También' }[lang];
  if (register === 'analyst') return ` ${lead}${colon(lang)}${others.map((a) => seenAsText(a, lang)).join(semi(lang))}.`;
  // One name per thing: a key that is new is not also said to rise; the signal's own key is not named again.
  const own = s.kind === 'new' ? (s.route ?? s.origin ?? s.transit ?? s.key) : s.kind === 'outlier' ? undefined : s.key;
  const newKeys = new Set(others.filter((a) => a.kind === 'new').map((a) => a.key));
  const kept = others.filter((a) => a.key !== own && !(a.kind !== 'new' && newKeys.has(a.key)));
  const transits = kept.filter((a) => a.kind === 'new' && a.novelty === 'transit');
  const items = kept.filter((a) => !(a.kind === 'new' && a.novelty === 'transit')).map((a) => seenAsText(a, lang));
  if (transits.length === 1) items.push(seenAsText(transits[0]!, lang));
  else if (transits.length > 1)
    items.push(
      {
        en: `${num(transits.length, lang)} new transit countries`,
        fr: `${num(transits.length, lang)} nouveaux pays de transit`,
        es: `${num(transits.length, lang)} nuevos países de tránsito`,
      }[lang],
    );
  if (!items.length) return '';
  const shown =
    items.length > 3
      ? [...items.slice(0, 2), { en: `${items.length - 2} more`, fr: `${items.length - 2} autres`, es: `${items.length - 2} más` }[lang]]
      : items;
  return ` ${lead}${colon(lang)}${listText(shown, lang)}.`;
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

/** "than in phase 2", "qu'en phase 2", "que en la fase 2". */
const thanIn = (was: string, lang: Lang) => ({ en: `than in ${was}`, fr: `qu'en ${was}`, es: `que en ${was}` })[lang];

/**
 * How much more or fewer, in round words: "about 3 times as many", "about 40% more", "about 5 times fewer" (a ratio
 * of at least 2 either way in whole times, 2 significant digits from 10; under 2 in tens of percent).
 */
function howMuch(r: number, lang: Lang): string {
  const up = r >= 1;
  const x = up ? r : 1 / r;
  const round = (v: number) => (v >= 10 ? Number(v.toPrecision(2)) : Math.round(v));
  if (x >= 1.95) {
    const n = num(round(x), lang);
    if (up)
      return { en: `about ${n} times as many seizures`, fr: `environ ${n} fois plus de saisies`, es: `unas ${n} veces más incautaciones` }[
        lang
      ];
    return { en: `about ${n} times fewer seizures`, fr: `environ ${n} fois moins de saisies`, es: `unas ${n} veces menos incautaciones` }[
      lang
    ];
  }
  const pct = Math.max(10, Math.round(((up ? r - 1 : 1 - r) * 100) / 10) * 10);
  const p = new Intl.NumberFormat(LOCALE[lang], { style: 'percent' }).format(pct / 100);
  if (up) return { en: `about ${p} more seizures`, fr: `environ ${p} de saisies en plus`, es: `un ${p} más de incautaciones` }[lang];
  return { en: `about ${p} fewer seizures`, fr: `environ ${p} de saisies en moins`, es: `un ${p} menos de incautaciones` }[lang];
}

const PER_MEMBER_WEEK: Readonly<Record<Lang, string>> = {
  en: 'a week for each Member that reported',
  fr: 'par semaine et par Membre déclarant',
  es: 'por semana y por Miembro declarante',
};

function trendText(s: TrendSignal, lang: Lang, register: Register): string {
  const h = HEAD[lang];
  const c = colon(lang);
  const head = s.kind === 'rising' ? h.rising : h.falling;
  const what = describeKey(s.dimension, s.key, lang);
  const was = basePhases(s.earlier, lang);
  const now = { en: `phase ${s.later.phase}`, fr: `phase ${s.later.phase}`, es: `la fase ${s.later.phase}` }[lang];
  const inNow = { en: `in ${now}`, fr: `en ${now}`, es: `en ${now}` }[lang];
  const inWas = { en: `in ${was}`, fr: `en ${was}`, es: `en ${was}` }[lang];
  const none = { en: 'none', fr: 'aucune', es: 'ninguna' }[lang];
  const against = { en: 'against', fr: 'contre', es: 'frente a' }[lang];
  const sure = sureWords(s.q, lang);
  let body: string;
  if (s.rateRatio === null || s.earlier.lines === 0) {
    // Nothing before: the counts say it all.
    body = `${byMembers(s.later.lines, s.later.members, lang)} ${inNow}, ${none} ${inWas}`;
  } else if (s.later.lines === 0) {
    body = `${none} ${inNow}, ${against} ${byMembers(s.earlier.lines, s.earlier.members, lang)} ${inWas}`;
  } else {
    // English: "3 times as many … as in", "5 times fewer … than in", "40% more … than in".
    const asMany = lang === 'en' && s.rateRatio >= 1.95;
    body = `${howMuch(s.rateRatio, lang)} ${PER_MEMBER_WEEK[lang]} ${asMany ? `as in ${was}` : thanIn(was, lang)} (${byMembers(s.later.lines, s.later.members, lang)}, ${against} ${num(s.earlier.lines, lang)})`;
  }
  const stats =
    register === 'analyst'
      ? ` [${[
          `rate ratio ${s.rateRatio === null ? '∞' : ratioText(s.rateRatio, lang)}${s.ci ? `, 95% CI ${ratioText(s.ci.low, lang)}–${s.ci.high === null ? '∞' : ratioText(s.ci.high, lang)}` : ''}`,
          pText('p', s.p, lang),
          pText('BH q', s.q, lang),
          'exact conditional test, cases per reporting Member-week',
        ].join('; ')}]`
      : '';
  return `${head}${c}${what} — ${body}${semi(lang)}${sure}.${stats}${alsoText(s, lang, register)}`;
}

/** "in the week of 31 Jan 2022", "la semaine du 31 janv. 2022", "en la semana del 31 ene 2022". */
const inWeekOf = (w: string, lang: Lang) =>
  ({ en: `in the week of ${day(w, lang)}`, fr: `la semaine du ${day(w, lang)}`, es: `en la semana del ${day(w, lang)}` })[lang];

/** Plain: "about 3 expected", "fewer than 1 expected"; fr/es agree with saisies/incautaciones. */
function expectedPlain(e: number, lang: Lang): string {
  if (e < 0.95) return { en: 'fewer than 1 expected', fr: "moins d'une attendue", es: 'cuando se esperaba menos de una' }[lang];
  const n = Math.round(e);
  if (n === 1) return { en: 'about 1 expected', fr: 'environ 1 attendue', es: 'cuando se esperaba una' }[lang];
  return { en: `about ${num(n, lang)} expected`, fr: `environ ${num(n, lang)} attendues`, es: `cuando se esperaban unas ${num(n, lang)}` }[
    lang
  ];
}

function alarmText(s: AlarmSignal, lang: Lang, register: Register): string {
  const h = HEAD[lang];
  const what = describeKey(s.dimension, s.key, lang);
  const seen = s.members !== undefined ? byMembers(s.count, s.members, lang) : count(s.count, 'seizure', lang);
  const others = (s.weeks ?? []).filter((w) => w !== s.week);
  // At most two more weeks by their day (the year is the alarm's), the rest counted.
  const sameYear = (w: string) => (w.slice(0, 4) === s.week.slice(0, 4) ? day(w, lang).replace(/\s+\d{4}$/, '') : day(w, lang));
  const shownWeeks = others.length > 3 ? others.slice(0, 2).map(sameYear) : others.map(sameYear);
  if (others.length > 3)
    shownWeeks.push({ en: `${others.length - 2} more`, fr: `${others.length - 2} autres`, es: `${others.length - 2} más` }[lang]);
  const alsoWeeks = others.length
    ? ` ${{ en: 'Also in the weeks of', fr: 'Aussi en alerte les semaines du', es: 'También en alerta las semanas del' }[lang]} ${listText(shownWeeks, lang)}.`
    : '';
  let compared: string;
  let stats: string[];
  if (s.expected === undefined) {
    // EARS: the bound is a threshold, not an expectation.
    const ub = num(s.upperBound, lang, register === 'plain' ? 0 : 1);
    compared = {
      en: `above the usual level (at most ${ub})`,
      fr: `au-dessus du niveau habituel (au plus ${ub})`,
      es: `por encima del nivel habitual (como máximo ${ub})`,
    }[lang];
    stats = [`EARS ${s.methods.map((x) => x.toUpperCase()).join('/')}`, `threshold ${num(s.upperBound, lang, 1)}`];
  } else {
    compared =
      register === 'plain'
        ? expectedPlain(s.expected, lang)
        : {
            en: `about ${expectedText(s.expected, lang)} expected`,
            fr: `environ ${expectedText(s.expected, lang)} ${s.expected < 2 ? 'attendue' : 'attendues'}`,
            es: `cuando se esperaban unas ${expectedText(s.expected, lang)}`,
          }[lang];
    stats = [
      `mid-p ${pText('p', s.p ?? 1, lang).slice(2)}`,
      pText('BH q', s.q ?? 1, lang),
      ...(s.baselineSum !== undefined && s.baselineWeeks !== undefined
        ? [`${count(s.baselineSum, 'line', lang)} ${{ en: 'in', fr: 'en', es: 'en' }[lang]} ${BASELINE_WEEKS[lang](s.baselineWeeks)}`]
        : []),
    ];
  }
  const sure = s.expected === undefined ? '' : `${semi(lang)}${sureWords(s.q, lang)}`;
  const st = register === 'analyst' ? ` [${stats.join('; ')}]` : '';
  return `${h.alarm}${colon(lang)}${what} — ${seen} ${inWeekOf(s.week, lang)}, ${compared}${sure}.${st}${alsoWeeks}${alsoText(s, lang, register)}`;
}

function newText(s: NewSignal, lang: Lang, register: Register): string {
  const h = HEAD[lang];
  const c = colon(lang);
  const sure = sureWords(s.q, lang);
  const parts = [
    ...(s.p !== undefined ? [pText('p', s.p, lang)] : []),
    ...(s.q !== undefined ? [pText('BH q', s.q, lang)] : []),
    ...(s.expected !== undefined && s.novelty === 'product_multi_member' ? [`expected ${expectedText(s.expected, lang)}`] : []),
  ];
  const st = register === 'analyst' && parts.length ? ` [${parts.join('; ')}]` : '';
  const since = {
    en: `since the week of ${day(s.week, lang)}`,
    fr: `depuis la semaine du ${day(s.week, lang)}`,
    es: `desde la semana del ${day(s.week, lang)}`,
  }[lang];
  const tail = (what: string) =>
    `${what} — ${byMembers(s.lines ?? 0, s.members, lang)} ${since}${semi(lang)}${sure}.${st}${alsoText(s, lang, register)}`;
  switch (s.novelty) {
    case 'route':
      return tail(`${h.route}${c}${routeText(s.route!, lang)}`);
    case 'origin':
      return tail(`${h.origin}${c}${keyLabel('origin', s.origin!, lang)}`);
    case 'transit':
      return tail(`${h.transit}${c}${keyLabel('origin', s.transit!, lang)}`);
    case 'concealment_for_product': {
      const p = inSentence(keyLabel('product', s.product!, lang), lang);
      const cm = quoted(inSentence(keyLabel('concealment', s.concealment!, lang), lang), lang);
      return tail(`${h.conc}${c}${p}, ${cm}`);
    }
    case 'product_multi_member': {
      const p = inSentence(keyLabel('product', s.product!, lang), lang);
      const k = count(s.members, 'member', lang);
      // "Spreading" only when more Members seized it than its usual rate would have had; else a plain count.
      const spreading = s.expected === undefined || s.members > s.expected;
      const e =
        s.expected !== undefined ? (register === 'plain' ? num(Math.round(s.expected), lang) : expectedText(s.expected, lang)) : undefined;
      const all = count(s.lines ?? 0, 'seizure', lang);
      const body = {
        en: `${p} — ${k} seized it for the first time${e ? ` (about ${e} expected)` : ''}, ${all} in all`,
        fr: `${p} — ${k} en ${agree(s.members, 'fr', 'a', 'ont')} saisi pour la première fois${e ? ` (environ ${e} attendus)` : ''}, ${all} en tout`,
        es: `${p} — ${k} ${agree(s.members, 'es', 'incautó', 'incautaron')} este producto por primera vez${e ? ` (se esperaban unos ${e})` : ''}, ${all} en total`,
      }[lang];
      return spreading ? `${h.spread}${c}${body}${semi(lang)}${sure}.${st}${alsoText(s, lang, register)}` : `${h.first}${c}${body}.${st}`;
    }
    case 'product_at_member': {
      const p = inSentence(keyLabel('product', s.product!, lang), lang);
      const m = keyLabel('member', s.member!, lang);
      const w = day(s.week, lang);
      if (lang === 'fr') return `${h.mine}${c}première saisie ${deFr(p)} par ${m} (semaine du ${w}).`;
      if (lang === 'es') return `${h.mine}${c}primera incautación de ${p} por ${m} (semana del ${w}).`;
      return `${h.mine}${c}${m} seized ${p} for the first time (week of ${w}).`;
    }
  }
}

function outlierText(s: OutlierSignal, lang: Lang, threshold: number, register: Register): string {
  const p = inSentence(keyLabel('product', s.product, lang), lang);
  const u = keyLabel('unit', s.unit, lang).toLocaleLowerCase(LOCALE[lang]);
  const n = num(s.count, lang);
  const one = agree(s.count, lang, true, false);
  const st =
    register === 'analyst'
      ? ` [${[`robust z-score above ${num(threshold, lang, 1)}`, ...(s.maxScore !== undefined ? [`max ${num(s.maxScore, lang, 1)}`] : []), ...(s.p !== undefined ? [pText('Bonferroni p', s.p, lang)] : [])].join('; ')}]`
      : '';
  const body = {
    en: `${n} ${one ? 'seizure' : 'seizures'} of ${p} (${u}) far larger than usual for that product`,
    fr: `${n} ${one ? 'saisie' : 'saisies'} ${deFr(p)} (${u}) bien plus ${one ? 'grande' : 'grandes'} que d'habitude pour ce produit`,
    es: `${n} ${one ? 'incautación' : 'incautaciones'} de ${p} (${u}) mucho ${one ? 'mayor' : 'mayores'} de lo habitual para ese producto`,
  }[lang];
  return `${HEAD[lang].outlier}${colon(lang)}${body}${semi(lang)}${sureWords(s.p, lang)}.${st}`;
}

/**
 * One sentence stating a signal, in `lang` (en, fr, es). `threshold` is the operation's outlier score; `register`
 * see the module comment. French text comes with its no-break spaces.
 */
export function signalText(s: Signal, lang: Lang, threshold: number, register: Register = 'plain'): string {
  let t: string;
  switch (s.kind) {
    case 'rising':
    case 'falling':
      t = trendText(s, lang, register);
      break;
    case 'alarm':
      t = alarmText(s, lang, register);
      break;
    case 'new':
      t = newText(s, lang, register);
      break;
    case 'outlier':
      t = outlierText(s, lang, threshold, register);
      break;
    default:
      throw new TypeError(`signalText: unknown signal ${JSON.stringify(s)}`);
  }
  return typeset(t, lang);
}
