/**
 * What the signals bench sets its goals against (issue 18), apart from any rule of the analysis:
 * - `cStar`: the power of a one-sided mid-p conditional test of the planted item alone, computed (not simulated) for
 *   Poisson counts: the window's cases against its baseline's, at a level alpha. It says which cells any honest test
 *   finds almost always (G1: C* >= 95%), so a goal there is one a rule can meet.
 * - `midPTwoSided`: the two-sided mid-p of the conditional binomial test, the C_m test run on the bench's own operations
 *   (the item alone at 0.05 / m, m its family's size).
 * - `wilson`: the Wilson score interval of a proportion (95%), printed beside every rate the bench measures.
 */
import { binomMidPUpper, noveltyP } from '../../functions/core/trends/exact.ts';

/** Cases per seizure line in the bench's operations (1 + Poisson(0.7) lines a case, half of them one product). */
export const CASES_PER_LINE = 0.8;

const logPois = (k: number, l: number): number => {
  let lg = 0;
  for (let i = 2; i <= k; i++) lg += Math.log(i);
  return k * Math.log(l) - l - lg;
};

/** Poisson probabilities from 0 to far in the tail (mass past it under 1e-12). */
function poisPmf(l: number): number[] {
  const hi = Math.ceil(l + 12 * Math.sqrt(l) + 25);
  return Array.from({ length: hi + 1 }, (_, k) => (l > 0 ? Math.exp(logPois(k, l)) : k === 0 ? 1 : 0));
}

/**
 * P(one-sided mid-p < alpha) when the window holds Poisson(l1) cases and the baseline Poisson(l0), the window's share
 * of the exposure being `share`: y1 | y0 + y1 ~ Bin(n, share) under no change. `up`: testing a rise (else a fall).
 */
export function conditionalPower(l0: number, l1: number, share: number, alpha: number, up: boolean): number {
  const p0 = poisPmf(l0);
  const p1 = poisPmf(l1);
  let power = 0;
  for (let y0 = 0; y0 < p0.length; y0++) {
    if (p0[y0]! < 1e-15) continue;
    for (let y1 = 0; y1 < p1.length; y1++) {
      if (p1[y1]! < 1e-15) continue;
      const n = y0 + y1;
      if (n === 0) continue;
      const p = up ? binomMidPUpper(y1, n, share) : binomMidPUpper(y0, n, 1 - share);
      if (p < alpha) power += p0[y0]! * p1[y1]!;
    }
  }
  return power;
}

export interface CStarCell {
  readonly kind: 'rise' | 'fall' | 'burst' | 'new_route';
  readonly size: number;
  readonly expected: number;
}

/**
 * C* of a cell: the mean over a baseline of 1 and of 2 phases (a plant falls in phase 2 or 3 with equal chance) of the
 * one-sided mid-p conditional test's power at alpha = 0.05 / (2 x products). Rise and fall: `expected` lines are
 * CASES_PER_LINE x expected cases in the phase, the baseline B x as many; burst: the week against `baselineWeeks`
 * weeks of the same rate; new route: `expected` one-line cases where the baseline had none (the rise-from-zero test).
 */
export function cStar(cell: CStarCell, products: number, baselineWeeks: number): number {
  const alpha = 0.05 / (2 * products);
  const mu = CASES_PER_LINE * cell.expected;
  if (cell.kind === 'burst') return conditionalPower(baselineWeeks * mu, cell.size * mu, 1 / (baselineWeeks + 1), alpha, true);
  const per = [1, 2].map((b) => {
    if (cell.kind === 'new_route') return noveltyP(cell.expected, b, 1) < alpha ? 1 : 0;
    const l1 = cell.kind === 'rise' ? cell.size * mu : mu / cell.size;
    return conditionalPower(b * mu, l1, 1 / (b + 1), alpha, cell.kind === 'rise');
  });
  return (per[0]! + per[1]!) / 2;
}

/** Two-sided mid-p of y1 | n ~ Bin(n, share): twice the smaller one-sided mid-p, at most 1. */
export function midPTwoSided(y1: number, n: number, share: number): number {
  if (n === 0) return 1;
  const up = binomMidPUpper(y1, n, share);
  return Math.min(1, 2 * Math.min(up, 1 - up));
}

/** The Wilson score interval of k successes in n (95%). */
export function wilson(k: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, c - h), high: Math.min(1, c + h) };
}
