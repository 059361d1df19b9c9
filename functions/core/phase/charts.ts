/**
 * Charts of the HTML report, drawn for a phone first: every chart is an inline SVG 340 px wide with 13 px text, so
 * that scaled to a 412 px phone's column (about 360 px) its text stays above 12 px; CSS caps its width on a desktop.
 * - Bars (categories, routes, origins, rising products) are horizontal, each label on its own line(s) above its bar
 *   and the value at the bar's end: long labels (a route of six countries) wrap instead of being cut. Drawn here as
 *   SVG text and rects: nothing to lay out but rows.
 * - The weekly series is a Vega-Lite spec compiled and rendered to SVG on the server (vega's headless View), with the
 *   reader's locale for its dates and numbers. Data is inline; the loader refuses any fetch.
 * Each SVG keeps its viewBox (no width/height attributes), so CSS scales it to its box.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Lang } from '../operation/config.ts';
import { esc, LOCALE, num } from './text.ts';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
/** The chart's own width in px: its text is FONT_SIZE px at this width. */
export const CHART_WIDTH = 340;
/** Chart text size in px at CHART_WIDTH. */
export const FONT_SIZE = 13;
const LINE = 17;
const BAR = 14;
const INK = '#1b1f24';
const MUTED = '#5b6470';
export const COLORS = ['#1f5f99', '#c0392b'] as const;

function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`charts are rendered offline: no data may be loaded (${uri})`);
  };
  return Object.assign(loader, { load: refuse, sanitize: refuse, http: refuse, file: refuse }) as vega.Loader;
}

/** d3's number and time locale of a language, taken from Intl (no table to keep). */
function vegaLocale(lang: Lang): { number: vega.NumberLocale; time: vega.TimeLocale } {
  const loc = LOCALE[lang];
  const parts = new Intl.NumberFormat(loc).formatToParts(12345.6);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const month = (m: number, style: 'long' | 'short') =>
    new Intl.DateTimeFormat(loc, { month: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2022, m, 15)));
  const day = (d: number, style: 'long' | 'short') =>
    new Intl.DateTimeFormat(loc, { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2022, 0, 2 + d)));
  const months = [...Array(12).keys()];
  const days = [...Array(7).keys()];
  return {
    number: { decimal, thousands: group, grouping: [3], currency: ['', ''] },
    time: {
      dateTime: '%x, %X',
      date: '%d/%m/%Y',
      time: '%H:%M:%S',
      periods: ['AM', 'PM'],
      days: days.map((d) => day(d, 'long')),
      shortDays: days.map((d) => day(d, 'short')),
      months: months.map((m) => month(m, 'long')),
      shortMonths: months.map((m) => month(m, 'short')),
    },
  } as { number: vega.NumberLocale; time: vega.TimeLocale };
}

const locales = new Map<Lang, { number: vega.NumberLocale; time: vega.TimeLocale }>();
const localeOf = (lang: Lang) => {
  let l = locales.get(lang);
  if (!l) locales.set(lang, (l = vegaLocale(lang)));
  return l;
};

const CONFIG = {
  // The chart is one image with its title as its name (role="img", aria-label): no mark of it is announced alone,
  // so none can be an unnamed image to a screen reader.
  aria: false,
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: FONT_SIZE, titleFontSize: FONT_SIZE, labelColor: INK, titleColor: INK, titleFontWeight: 'normal' },
  legend: { labelFontSize: FONT_SIZE, titleFontSize: FONT_SIZE },
  bar: { color: COLORS[0] },
};

const aria = (title: string) => `role="img" aria-label="${esc(title)}"`;

/** Renders a Vega-Lite spec to an SVG element (text), without width/height attributes so that it scales. */
export async function renderChart(spec: TopLevelSpec, title: string, lang: Lang = 'en'): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  // The locale's definitions (vega builds its formatters from them: its typings ask for the formatters).
  const options = { renderer: 'none', loader: offlineLoader(), locale: localeOf(lang) };
  const view = new vega.View(vega.parse(compiled), options as unknown as vega.ViewOptions);
  try {
    const svg = await view.toSVG();
    return (
      svg
        .replace(/^<svg([^>]*?) width="[\d.]+" height="[\d.]+"/, '<svg$1')
        // Vega names its groups as graphics with no name of their own: the chart is one image, named below.
        .replace(/ role="graphics-[a-z]+"| aria-roledescription="[^"]*"/g, '')
        .replace(/^<svg/, `<svg ${aria(title)}`)
    );
  } finally {
    view.finalize();
  }
}

/** Seizure lines per week (UTC Mondays): dates and numbers in the reader's locale, a few ticks that fit a phone. */
export function weeklySpec(weeks: readonly { week: string; lines: number }[], titles: { x: string; y: string }): TopLevelSpec {
  const months = Math.max(1, Math.round((weeks.length * 7) / 30.4));
  const step = Math.max(1, Math.ceil(months / 4));
  return {
    // The whole chart, axes included, is CHART_WIDTH wide.
    width: CHART_WIDTH,
    autosize: { type: 'fit-x', contains: 'padding' },
    height: 180,
    data: { values: weeks.map((w) => ({ week: w.week, lines: w.lines })) },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'week',
        type: 'temporal',
        scale: { type: 'utc' },
        axis: {
          format: step > 1 || months > 3 ? '%b %Y' : '%d %b',
          labelAngle: 0,
          tickCount: { interval: 'month', step },
          title: titles.x,
          labelOverlap: true,
        },
      },
      y: { field: 'lines', type: 'quantitative', title: titles.y, axis: { format: ',d', tickCount: 4 } },
    },
  } as unknown as TopLevelSpec;
}

export interface Bars {
  /** One row per label; `values[i]` is the series i's. */
  readonly rows: readonly { label: string; values: readonly number[] }[];
  /** Names of the series (a legend is drawn when there are two or more). */
  readonly series: readonly string[];
}

/** Splits a label into lines of at most `max` characters, at spaces (a route: after its arrows). */
export function wrapLabel(label: string, max: number): string[] {
  const words = label.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (next.length > max && cur) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
}

/**
 * Horizontal bars, in the order given: each label on its own line(s) above its bar(s), the value at the bar's end in
 * the reader's locale. The longest bar leaves room for its value.
 */
export function barChart(bars: Bars, title: string, lang: Lang): string {
  const k = bars.series.length;
  const maxChars = Math.floor(CHART_WIDTH / (FONT_SIZE * 0.56));
  const rows = bars.rows.map((r) => ({ ...r, lines: wrapLabel(r.label, maxChars).slice(0, 3) }));
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const valueRoom = Math.max(...rows.flatMap((r) => r.values.map((v) => num(v, lang).length))) * FONT_SIZE * 0.6 + 8;
  const scale = (CHART_WIDTH - valueRoom) / max;
  const out: string[] = [];
  let y = 0;
  const legend = k > 1 ? LINE + 6 : 0;
  if (k > 1) {
    let x = 0;
    bars.series.forEach((s, i) => {
      out.push(`<rect x="${x}" y="3" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
      out.push(`<text x="${x + 16}" y="14" font-size="${FONT_SIZE}" fill="${INK}">${esc(s)}</text>`);
      x += 16 + s.length * FONT_SIZE * 0.58 + 14;
    });
    y = legend;
  }
  for (const r of rows) {
    y += 4;
    for (const l of r.lines) {
      y += LINE;
      out.push(`<text x="0" y="${y - 4}" font-size="${FONT_SIZE}" fill="${INK}">${esc(l)}</text>`);
    }
    r.values.forEach((v, i) => {
      const w = Math.max(v > 0 ? 1 : 0, Math.round(v * scale * 10) / 10);
      y += 2;
      out.push(`<rect x="0" y="${y}" width="${w}" height="${BAR}" fill="${COLORS[i % COLORS.length]}"/>`);
      out.push(`<text x="${w + 4}" y="${y + BAR - 2}" font-size="${FONT_SIZE}" fill="${MUTED}">${esc(num(v, lang))}</text>`);
      y += BAR;
    });
    y += 6;
  }
  const h = Math.ceil(y + 2);
  return `<svg ${aria(title)} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${h}" font-family='${FONT}'>${out.join('')}</svg>`;
}
