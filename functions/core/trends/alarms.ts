/**
 * Weekly alarms for the alerts: each week's count of a key against its own baseline, with an exact test fit for
 * sparse counts (EARS C1 with a floored sigma alarms on 1-3% of quiet weeks of a sparse series, 15-40x nominal).
 *
 * For week t and key k, with y the week's lines, S the lines of the b weeks before (b = baselineWeeks, fewer at the
 * start of the operation but at least minBaselineWeeks), and E_t, E_base the exposures (reporting Member-weeks) of
 * the week and of its baseline:
 *   y | y + S ~ Binomial(y + S, E_t / (E_t + E_base))     (1 / (b + 1) when every week has the same exposure)
 * p = one-sided mid-p P(Y > y) + P(Y = y) / 2 (trends/exact.ts). Only series with y >= minCount and >= minMembers
 * Members in the week are tested (the others cannot alarm); Benjamini-Hochberg runs across the series tested that
 * week (every dimension together), and a series alarms when q < q-level.
 * The test of week t reads weeks t-b .. t only, so testing every week of a phase at once gives exactly what interim
 * runs as of each Monday would have given.
 */
import { weeklyConditionalTest } from './exact.ts';
import { benjaminiHochberg } from './stats.ts';
import { memberCount, type Dimension, type WeekAggregate } from './types.ts';
import { weeklySeries } from './weekly.ts';

export interface ExactAlarm {
  readonly dimension: Dimension;
  readonly key: string;
  readonly week: string;
  readonly count: number;
  readonly members: number;
  /** Lines in the baseline weeks, and how many weeks. */
  readonly baselineSum: number;
  readonly baselineWeeks: number;
  /** The count expected in the week at the baseline's rate (exposure-adjusted). */
  readonly expected: number;
  readonly p: number;
  readonly q: number;
}

export interface ExactWeeklyOptions {
  /** @default ['product', 'route'] */
  readonly dimensions?: readonly Dimension[];
  /** @default 12 */
  readonly baselineWeeks?: number;
  /** @default 4 */
  readonly minBaselineWeeks?: number;
  /** @default 3 */
  readonly minCount?: number;
  /** @default 2 */
  readonly minMembers?: number;
  /** BH level across the series tested in a week. @default 0.001 */
  readonly q?: number;
  /** Exposure of each week (same length as weeks): reporting Member-weeks. @default 1 each */
  readonly exposures?: readonly number[];
  /** Indices of the weeks to test. @default the last week only */
  readonly test?: readonly number[];
}

/** The alarms of the tested weeks, by week, then q, then dimension and key. `all` also returns the non-alarming tests. */
export function exactWeeklyAlarms(weeks: readonly WeekAggregate[], options: ExactWeeklyOptions = {}, all = false): ExactAlarm[] {
  const dims = options.dimensions ?? ['product', 'route'];
  const b = options.baselineWeeks ?? 12;
  const minB = options.minBaselineWeeks ?? 4;
  const minCount = options.minCount ?? 3;
  const minMembers = options.minMembers ?? 2;
  const level = options.q ?? 0.001;
  const exposures = options.exposures ?? weeks.map(() => 1);
  if (exposures.length !== weeks.length) throw new RangeError(`exactWeeklyAlarms: ${exposures.length} exposures for ${weeks.length} weeks`);
  const toTest = options.test ?? (weeks.length ? [weeks.length - 1] : []);
  const series = new Map(dims.map((d) => [d, weeklySeries(weeks, d)] as const));
  const out: ExactAlarm[] = [];
  for (const t of toTest) {
    const from = Math.max(0, t - b);
    const nb = t - from;
    if (nb < minB) continue;
    let eBase = 0;
    for (let i = from; i < t; i++) eBase += exposures[i]!;
    const eNow = exposures[t]!;
    if (!(eNow > 0) || !(eBase > 0)) continue;
    const share = eNow / (eNow + eBase);
    const tests: Omit<ExactAlarm, 'q'>[] = [];
    for (const d of dims) {
      for (const [key, counts] of series.get(d)!) {
        const y = counts[t]!;
        if (y < minCount) continue;
        const members = memberCount(weeks[t]!.counts[d]?.get(key)?.members ?? 0);
        if (members < minMembers) continue;
        let s = 0;
        for (let i = from; i < t; i++) s += counts[i]!;
        const r = weeklyConditionalTest(y, s, nb, share);
        tests.push({ dimension: d, key, week: weeks[t]!.week, count: y, members, baselineSum: s, baselineWeeks: nb, expected: r.expected, p: r.midP });
      }
    }
    const q = benjaminiHochberg(tests.map((x) => x.p));
    const found = tests.map((x, i) => ({ ...x, q: q[i]! })).filter((x) => all || x.q < level);
    found.sort((x, y) => x.q - y.q || x.p - y.p || dims.indexOf(x.dimension) - dims.indexOf(y.dimension) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    out.push(...found);
  }
  return out;
}
