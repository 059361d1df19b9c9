/**
 * The words of the reports (summary.{lang}.html and .xlsx) in English, French and Spanish: headings, column names,
 * notes, and the formats of dates, ratios and intervals in the reader's locale ("31 Jan 2022", "31 janv. 2022",
 * "31 ene 2022"; "2.7–10", "2,7–10"). The sentences of the signals are sentences.ts's; the labels of keys text.ts's.
 * French puts a no-break space before : ; ? ! so that no line starts with one.
 */
import type { Lang } from '../operation/config.ts';
import { ratioText, signalText } from './sentences.ts';
import type { SignalEntry, SummaryJson } from './summary.ts';
import { W } from './report-words.ts';
import { day, DIMENSION_NAMES, keyLabel, LOCALE, NBSP, type LabelDimension } from './text.ts';

/** Every language a summary is rendered in for the NCPs (summary.{lang}.html, summary.{lang}.xlsx). */
export const REPORT_LANGS: readonly Lang[] = ['en', 'fr', 'es'];

/** ": " in English and Spanish, " : " with a no-break space in French. */
export const colonOf = (lang: Lang): string => (lang === 'fr' ? `${NBSP}: ` : ': ');

/** A day (YYYY-MM-DD) for people, as the emails write it (text.ts `day`): "31 Jan 2022", "1er févr. 2022". Else as given. */
export const dateText = (iso: string, lang: Lang): string => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? day(iso, lang) : iso);

/** "31 Jan 2022 – 1 May 2022". */
export const dateRange = (from: string, to: string, lang: Lang): string => `${dateText(from, lang)} – ${dateText(to, lang)}`;

/** A 95% interval of a ratio: "2.7–10", "2,7–10"; an infinite upper bound is "∞". */
export function intervalText(low: number | undefined, high: number | null | undefined, lang: Lang): string {
  if (low === undefined) return '';
  return `${ratioText(low, lang)}–${high === null || high === undefined ? '∞' : ratioText(high, lang)}`;
}

/** A ratio to 2 significant digits ("3.3", "0.21", "12"); null (nothing before) is "∞". */
export const ratioOrInfinite = (r: number | null | undefined, lang: Lang): string =>
  r === null || r === undefined ? '∞' : ratioText(r, lang);

/** The dimension's name, capitalised: "Product", "Origine", "Ruta". */
export function dimensionName(d: string, lang: Lang): string {
  const names = DIMENSION_NAMES[lang] as Readonly<Record<string, string>>;
  const n = names[d] ?? W[lang].dimensions[d] ?? d.replaceAll('_', ' ');
  return n.charAt(0).toLocaleUpperCase(LOCALE[lang]) + n.slice(1);
}

/** The label of a breakdown row in the language: the key's label; the merged small cells' row in words. */
export function rowLabel(
  dimension: LabelDimension,
  row: { key: string; label: string; labels?: Partial<Record<Lang, string>> },
  lang: Lang,
  minMembers: number,
): string {
  // Rows whose key is no code (regions, coarser routes, the merged small cells) carry their labels (disclosure.ts).
  const own = row.labels?.[lang];
  if (own) return own;
  if (row.key === 'other') return W[lang].other(minMembers);
  const l = keyLabel(dimension, row.key, lang);
  // A key of a shape text.ts does not know (a code given back as it is): the row's own label.
  return l === row.key && row.label ? row.label : l;
}

/** The sentence of a signal in the language (the analysts' version: with its statistics). */
export function signalIn(s: SummaryJson, x: SignalEntry, lang: Lang): string {
  if (lang === 'en') return x.text;
  try {
    return signalText(x.signal, lang, s.thresholds.outlierScore, s.version === 'analysts' ? 'analyst' : 'plain');
  } catch {
    return x.text;
  }
}

/** A signal entry of summary.json with its sentence in every language of REPORT_LANGS (the portal words it so). */
export type WordedEntry = SignalEntry & { texts?: Readonly<Record<Lang, string>> };

/**
 * The summary as summary.json stores it: every signal, headline and annex entry also carries `texts`, its sentence in
 * en, fr and es (the register of the version), so that the portal shows it in the page's language with no sentence
 * code of its own. Nothing is renamed or removed.
 */
export function withTexts(s: SummaryJson): SummaryJson {
  const word = (x: SignalEntry): WordedEntry => ({
    ...x,
    texts: Object.fromEntries(REPORT_LANGS.map((l) => [l, signalIn(s, x, l)])) as Record<Lang, string>,
  });
  return {
    ...s,
    signals: s.signals.map(word),
    ...(s.headline ? { headline: s.headline.map(word) } : {}),
    ...(s.annex ? { annex: s.annex.map(word) } : {}),
  };
}

/** What a new item is, in words: "Paracetamol at France", "Face mask / Vehicle cavity", a route, a country. */
export function newLabel(n: SummaryJson['newItems'][number], lang: Lang): string {
  switch (n.novelty) {
    case 'product_at_member':
      return `${keyLabel('product', n.product!, lang)} — ${keyLabel('member', n.member!, lang)}`;
    case 'product_multi_member':
      return keyLabel('product', n.product!, lang);
    case 'concealment_for_product':
      return `${keyLabel('product', n.product!, lang)} / ${keyLabel('concealment', n.concealment!, lang)}`;
    case 'route':
      return keyLabel('route', n.route!, lang);
    case 'origin':
      return keyLabel('origin', n.origin!, lang);
    case 'transit':
      return keyLabel('origin', n.transit!, lang);
  }
}
