/**
 * Phase over phase (final mode): for every key of every dimension seen in either phase, the exact conditional
 * test of equal rates. With y1, y2 the seizure lines of the earlier and later phase and E1, E2 their exposures
 * (weeks in the phase x participating Members), under equal rates y1 | y1 + y2 ~ Binomial(y1 + y2, E1 / (E1 + E2));
 * p is R's two-sided binom.test p-value on that. Benjamini-Hochberg runs once across all the tests of all the
 * dimensions (one family per pair of phases).
 *
 * A key is flagged
 * - rising when q < trendQ, rate ratio >= trendRatio and the LATER phase has >= trendMinCount lines;
 * - falling when q < trendQ, rate ratio <= 1 / trendRatio and the EARLIER phase has >= trendMinCount lines.
 * (The count condition is on the phase with the higher rate: the one whose lines make the trend.)
 *
 * Options for alerts (analyse.ts passes the operation's thresholds; the defaults keep the bare test):
 * - testMinCount: only keys with y1 + y2 >= testMinCount are tested at all, before BH (a key that cannot reach the
 *   minimum count cannot be flagged, and testing it would only dilute the family);
 * - minMembers: a flagged key needs >= minMembers Members on the higher side (one Member's 30-line case is not a
 *   trend);
 * - familyPerDimension: BH within each dimension rather than across all of them;
 * - discreteFamily: Tarone's reduction of each family to the keys that could reach significance (Gilbert 2005);
 * Every test carries the exact 95% interval of its rate ratio (trends/exact.ts rateRatioInterval).
 */
import { DEFAULT_THRESHOLDS, type Phase, type Thresholds } from '../operation/config.ts';
import { daysIn } from '../operation/days.ts';
import { benjaminiHochberg, binomTestTwoSided } from './stats.ts';
import { rateRatioInterval } from './exact.ts';
import { DIMENSIONS, memberCount, type Cell, type Dimension, type PhaseAggregate } from './types.ts';

/** Weeks in a phase: its days, first and last included, divided by 7. */
export function weeksIn(phase: Pick<Phase, 'start' | 'end'>): number {
  const days = daysIn(phase);
  if (!(days >= 1)) throw new RangeError(`weeksIn: phase ${phase.start}..${phase.end} has no day`);
  return days / 7;
}

export interface PhaseSide {
  readonly phase: number;
  readonly lines: number;
  /** Members that reported the key in that phase. */
  readonly members: number;
  /** weeks x participating Members of the phase. */
  readonly exposure: number;
}

export interface PhaseTrend {
  readonly dimension: Dimension;
  readonly key: string;
  readonly earlier: PhaseSide;
  readonly later: PhaseSide;
  /** (later lines / later exposure) / (earlier lines / earlier exposure); Infinity when the earlier phase has none. */
  readonly rateRatio: number;
  /** Exact 95% interval of the rate ratio (high Infinity when the earlier phase has none). */
  readonly ci: { readonly low: number; readonly high: number };
  /** Two-sided exact conditional p-value. */
  readonly p: number;
  /** Benjamini-Hochberg q across every test of this comparison. */
  readonly q: number;
  /** Whether the key was in its BH family (discreteFamily: Tarone's reduction may leave it out, q 1). */
  readonly inFamily: boolean;
  readonly trend: 'rising' | 'falling' | 'none';
  /** 'latest' when the key was compared with the latest earlier phase alone (options.latest); else the pool. */
  readonly baseline?: 'pooled' | 'latest';
}

export type TrendThresholds = Pick<Thresholds, 'trendQ' | 'trendRatio' | 'trendMinCount'>;

export interface TrendOptions extends Partial<TrendThresholds> {
  /** Keys with fewer lines in both phases together are not tested. @default 0 (every key) */
  readonly testMinCount?: number;
  /** Members needed on the higher side of a flagged key. @default 1 */
  readonly minMembers?: number;
  /**
   * Benjamini-Hochberg within each dimension (products among products, routes among routes) instead of across all.
   * The many per-destination routes would otherwise set the bar for products. @default false (one family)
   */
  readonly familyPerDimension?: boolean;
  /**
   * Tarone's reduction before BH (Gilbert 2005, for discrete tests): a key with n cases can reach at best the p of
   * all n on one side; keys whose best p exceeds trendQ / K, K the smallest with at most K keys below trendQ / K,
   * could not be significant and leave the family (q = 1). @default false
   */
  readonly discreteFamily?: boolean;
  /**
   * The latest of the phases `earlier` pools, alone. A key whose latest earlier phase differs from the older ones
   * (two-sided exact test, p < poolAlpha) is compared with the latest phase alone: a pool of unlike phases (10 oxygen
   * cylinders, then 80) describes neither, and "0.4 times the rate of phases 1–2" would hide a fall to a seventh of
   * phase 2's. The choice reads only earlier phases, never the phase tested. @default undefined (always the pool)
   */
  readonly latest?: PhaseAggregate;
  /** Level of that heterogeneity test. @default 0.01 */
  readonly poolAlpha?: number;
}

/**
 * The smallest two-sided p a key of n cases can reach: every case on one side. At the likelier-to-be-rare end, the p
 * sums at most n + 1 outcomes each no likelier than min(share, 1 - share)^n; once that bound is below 1e-12 (far
 * under any trendQ / K) it is returned instead, sparing two O(n) sums for each common key of a large phase.
 */
export function minAttainableP(n: number, share: number): number {
  const bound = (n + 1) * Math.min(share, 1 - share) ** n * (1 + 1e-7);
  if (bound < 1e-12) return bound;
  return Math.min(binomTestTwoSided(0, n, share), binomTestTwoSided(n, n, share));
}

/** Tarone's K: the smallest K with at most K of the attainable minima <= alpha / K; returns the keys kept. */
export function taroneFamily(minP: readonly number[], alpha: number): boolean[] {
  const sorted = [...minP].sort((a, b) => a - b);
  let m = sorted.length; // how many minima are <= alpha / k: falls as k grows
  for (let k = 1; k <= minP.length; k++) {
    while (m > 0 && sorted[m - 1]! > alpha / k) m--;
    if (m <= k) return minP.map((p) => p <= alpha / k);
  }
  return minP.map(() => true);
}

const EMPTY: Cell = { lines: 0, members: 0 };

/** The earlier side's share of the exposure: the binomial p of the conditional test under equal rates. */
const shareOf = (t: Pick<PhaseTrend, 'earlier' | 'later'>): number => t.earlier.exposure / (t.earlier.exposure + t.later.exposure);

function exposureOf(p: PhaseAggregate): number {
  const e = p.weeks * p.participatingMembers;
  if (!(e > 0) || !Number.isFinite(e))
    throw new RangeError(
      `phase ${p.phase}: exposure (weeks x participating Members) must be > 0 (got ${p.weeks} x ${p.participatingMembers})`,
    );
  return e;
}

/**
 * Tests every key of the five dimensions between two phases. Returns one entry per key, grouped by dimension in
 * the order of DIMENSIONS, and within one by p then key. Dimensions absent from both phases are skipped.
 */
export function phaseOverPhase(earlier: PhaseAggregate, later: PhaseAggregate, thresholds: TrendOptions = {}): PhaseTrend[] {
  const t = { ...pick(DEFAULT_THRESHOLDS), ...thresholds };
  const testMin = thresholds.testMinCount ?? 0;
  const minMembers = thresholds.minMembers ?? 1;
  const e1 = exposureOf(earlier);
  const e2 = exposureOf(later);
  const eL = thresholds.latest ? exposureOf(thresholds.latest) : e1;
  // Only a pool of several phases can be split into the latest and the older ones.
  const latest = thresholds.latest && eL < e1 ? thresholds.latest : undefined;
  const poolAlpha = thresholds.poolAlpha ?? 0.01;

  const tests: Omit<PhaseTrend, 'q' | 'trend' | 'inFamily'>[] = [];
  for (const dimension of DIMENSIONS) {
    const c1 = earlier.counts[dimension];
    const c2 = later.counts[dimension];
    if (!c1 && !c2) continue;
    const keys = [...new Set([...(c1?.keys() ?? []), ...(c2?.keys() ?? [])])];
    const cL = latest?.counts[dimension];
    const rows = keys.flatMap((key) => {
      const pool = c1?.get(key) ?? EMPTY;
      const last = cL?.get(key) ?? EMPTY;
      const unlike = latest !== undefined && pool.lines > 0 && binomTestTwoSided(last.lines, pool.lines, eL / e1) < poolAlpha;
      const a = unlike ? last : pool;
      const ea = unlike ? eL : e1;
      const b = c2?.get(key) ?? EMPTY;
      const n = a.lines + b.lines;
      if (n === 0 || n < testMin) return [];
      return [
        {
          dimension,
          key,
          earlier: { phase: earlier.phase, lines: a.lines, members: memberCount(a.members), exposure: ea },
          later: { phase: later.phase, lines: b.lines, members: memberCount(b.members), exposure: e2 },
          rateRatio: b.lines / e2 / (a.lines / ea),
          ci: rateRatioInterval(b.lines, e2, a.lines, ea),
          p: binomTestTwoSided(a.lines, n, ea / (ea + e2)),
          ...(latest ? { baseline: unlike ? ('latest' as const) : ('pooled' as const) } : {}),
        },
      ];
    });
    rows.sort((x, y) => x.p - y.p || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    tests.push(...rows);
  }

  const q = new Array<number>(tests.length).fill(1);
  const kept = new Array<boolean>(tests.length).fill(false);
  const families = thresholds.familyPerDimension ? DIMENSIONS.map((d) => (x: (typeof tests)[number]) => x.dimension === d) : [() => true];
  for (const inFamily of families) {
    let idx = tests.map((x, i) => (inFamily(x) ? i : -1)).filter((i) => i >= 0);
    if (thresholds.discreteFamily) {
      const keep = taroneFamily(
        idx.map((i) => minAttainableP(tests[i]!.earlier.lines + tests[i]!.later.lines, shareOf(tests[i]!))),
        t.trendQ,
      );
      idx = idx.filter((_, j) => keep[j]);
    }
    benjaminiHochberg(idx.map((i) => tests[i]!.p)).forEach((v, j) => (q[idx[j]!] = v));
    for (const i of idx) kept[i] = true;
  }
  return tests.map((x, i) => {
    const qi = q[i]!;
    const significant = qi < t.trendQ;
    const trend =
      significant && x.rateRatio >= t.trendRatio && x.later.lines >= t.trendMinCount && x.later.members >= minMembers
        ? 'rising'
        : significant && x.rateRatio <= 1 / t.trendRatio && x.earlier.lines >= t.trendMinCount && x.earlier.members >= minMembers
          ? 'falling'
          : 'none';
    return { ...x, q: qi, inFamily: kept[i]!, trend };
  });
}

function pick(th: Thresholds): TrendThresholds {
  return { trendQ: th.trendQ, trendRatio: th.trendRatio, trendMinCount: th.trendMinCount };
}
