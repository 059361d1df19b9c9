/**
 * Within a phase (interim mode): weekly seizure-line counts per key of a dimension (product and route by default),
 * each run through EARS (ears.ts). A key missing from a week counts 0 there. Defaults come from the operation's
 * thresholds: α = earsAlpha, minSigma = earsMinSigma (per-product weekly counts are sparse, and a flat baseline
 * with σ = 0 would alarm on any single line).
 */
import { DEFAULT_THRESHOLDS } from '../operation/config.ts';
import { earsC, type EarsMethod } from './ears.ts';
import type { Dimension, WeekAggregate } from './types.ts';

const WEEK_MS = 7 * 86_400_000;

/** The weekly count series of every key of a dimension; weeks must be consecutive Mondays in order. */
export function weeklySeries(weeks: readonly WeekAggregate[], dimension: Dimension): Map<string, number[]> {
  for (let i = 1; i < weeks.length; i++) {
    const gap = Date.parse(`${weeks[i]!.week}T00:00:00Z`) - Date.parse(`${weeks[i - 1]!.week}T00:00:00Z`);
    if (gap !== WEEK_MS) throw new RangeError(`weeklySeries: week ${weeks[i]!.week} does not follow ${weeks[i - 1]!.week} by 7 days`);
  }
  const series = new Map<string, number[]>();
  weeks.forEach((w, i) => {
    for (const [key, cell] of w.counts[dimension] ?? []) {
      let s = series.get(key);
      if (!s) series.set(key, (s = new Array<number>(weeks.length).fill(0)));
      s[i] = cell.lines;
    }
  });
  return series;
}

export interface WeeklyAlarm {
  readonly dimension: Dimension;
  readonly key: string;
  readonly week: string;
  readonly method: EarsMethod;
  readonly count: number;
  readonly upperBound: number;
  readonly score: number;
}

export interface WeeklyOptions {
  /** @default ['product', 'route'] */
  readonly dimensions?: readonly Dimension[];
  /** @default 'c1' (R's default) */
  readonly method?: EarsMethod;
  /** @default DEFAULT_THRESHOLDS.earsAlpha */
  readonly alpha?: number;
  /** @default DEFAULT_THRESHOLDS.earsMinSigma */
  readonly minSigma?: number;
  /** Only the alarms of the last week (the one just closed). @default false: every week's */
  readonly latestOnly?: boolean;
}

/** Every alarm, by week, then dimension (in the order given), then key. */
export function weeklyAlarms(weeks: readonly WeekAggregate[], options: WeeklyOptions = {}): WeeklyAlarm[] {
  const method = options.method ?? 'c1';
  const alpha = options.alpha ?? DEFAULT_THRESHOLDS.earsAlpha;
  const minSigma = options.minSigma ?? DEFAULT_THRESHOLDS.earsMinSigma;
  const dims = options.dimensions ?? ['product', 'route'];
  const alarms: { i: number; d: number; a: WeeklyAlarm }[] = [];
  dims.forEach((dimension, d) => {
    for (const [key, counts] of weeklySeries(weeks, dimension)) {
      earsC(counts, { method, alpha, minSigma }).forEach((r, i) => {
        if (!r.alarm || (options.latestOnly && i !== weeks.length - 1)) return;
        alarms.push({
          i,
          d,
          a: { dimension, key, week: weeks[i]!.week, method, count: r.count, upperBound: r.upperBound!, score: r.score! },
        });
      });
    }
  });
  alarms.sort((x, y) => x.i - y.i || x.d - y.d || (x.a.key < y.a.key ? -1 : x.a.key > y.a.key ? 1 : 0));
  return alarms.map((x) => x.a);
}
