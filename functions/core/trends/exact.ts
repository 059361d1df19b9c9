/**
 * Exact tests for sparse counts, written out so every figure of a signal traces to a formula:
 * - the regularized incomplete beta I_x(a, b) (continued fraction, Lentz), hence binomial tails
 *   P(Y >= k) = I_p(k, n - k + 1) for Y ~ Bin(n, p), in O(1) work whatever n;
 * - the weekly test: a week's count y against its baseline sum S over b weeks, under equal rates
 *   y | y + S ~ Bin(y + S, share) with share = 1/(b+1) (or the week's share of the exposure); one-sided mid-p
 *   P(Y > y) + P(Y = y)/2;
 * - the Clopper-Pearson interval of a binomial proportion, and from it the exact interval of a rate ratio
 *   (R's poisson.test on two counts with exposures): q / (1 - q) x exposure0 / exposure1;
 * - rise from zero (novelty): with no line in a baseline of exposure E0 and y1 lines in a window of exposure E1,
 *   under equal rates the y0 + y1 lines fall in the window with probability E1 / (E0 + E1) each, so
 *   p_new = (E1 / (E0 + E1))^y1;
 * - several Members new to an item: K_new ~ Bin(N_eligible, 1 - exp(-rate T1)), P(K >= k).
 * Reference values: shared/testdata/exact-tests (SciPy), checked in test/functions/core/trends/exact.test.ts.
 */
import { lgamma, logBinomPmf } from './stats.ts';

const EPS = 1e-15;
const TINY = 1e-300;

/** Continued fraction of the incomplete beta (Numerical Recipes betacf, modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
export function pbeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) beyond.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lbt) * betacf(a, b, x)) / a;
  return 1 - (Math.exp(lbt) * betacf(b, a, 1 - x)) / b;
}

/** P(Y >= k) for Y ~ Bin(n, p). */
export function binomUpper(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return pbeta(p, k, n - k + 1);
}

/** P(Y <= k) for Y ~ Bin(n, p). */
export function binomLower(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return 1 - binomUpper(k + 1, n, p);
}

/** One-sided mid-p of an upper-tail binomial test: P(Y > k) + P(Y = k) / 2. */
export function binomMidPUpper(k: number, n: number, p: number): number {
  return binomUpper(k + 1, n, p) + Math.exp(logBinomPmf(k, n, p)) / 2;
}

export interface WeeklyTest {
  /** P(Y >= count). */
  readonly pUpper: number;
  /** P(Y > count) + P(Y = count) / 2. */
  readonly midP: number;
  /** The count expected in the week at the baseline's rate: baselineSum x share / (1 - share). */
  readonly expected: number;
}

/**
 * A week's count against its baseline: count | count + baselineSum ~ Bin(count + baselineSum, share), share =
 * 1 / (baselineWeeks + 1) when every week has the same exposure, else the week's exposure over the total.
 */
export function weeklyConditionalTest(count: number, baselineSum: number, baselineWeeks: number, share = 1 / (baselineWeeks + 1)): WeeklyTest {
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(baselineSum) || baselineSum < 0) {
    throw new RangeError(`weeklyConditionalTest: counts must be whole numbers >= 0 (got ${count}, ${baselineSum})`);
  }
  if (!(share > 0 && share < 1)) throw new RangeError(`weeklyConditionalTest: share must be in (0, 1) (got ${share})`);
  const n = count + baselineSum;
  return { pUpper: binomUpper(count, n, share), midP: binomMidPUpper(count, n, share), expected: (baselineSum * share) / (1 - share) };
}

/** Solves f(p) = target for a monotone f on [0, 1] by bisection (to 1e-13). */
function solve(f: (p: number) => number, target: number, increasing: boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    const v = f(mid);
    if (v < target === increasing) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The Clopper-Pearson interval of a binomial proportion x / n at the given confidence. */
export function clopperPearson(x: number, n: number, confidence = 0.95): { low: number; high: number } {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(x) || x < 0 || x > n) throw new RangeError(`clopperPearson: need whole 0 <= x <= n (got ${x}, ${n})`);
  if (n === 0) return { low: 0, high: 1 };
  const a = (1 - confidence) / 2;
  const low = x === 0 ? 0 : solve((p) => binomUpper(x, n, p), a, true);
  const high = x === n ? 1 : solve((p) => binomLower(x, n, p), a, false);
  return { low, high };
}

/**
 * The exact interval of the rate ratio (y1 / exposure1) / (y0 / exposure0), from the Clopper-Pearson interval of
 * y1 out of y1 + y0 (as R's poisson.test). high is Infinity when y0 = 0; both 0..Infinity when there is no line.
 */
export function rateRatioInterval(y1: number, exposure1: number, y0: number, exposure0: number, confidence = 0.95): { low: number; high: number } {
  const n = y1 + y0;
  if (n === 0) return { low: 0, high: Infinity };
  const { low, high } = clopperPearson(y1, n, confidence);
  const map = (q: number) => (q >= 1 ? Infinity : (q / (1 - q)) * (exposure0 / exposure1));
  return { low: map(low), high: map(high) };
}

/** Rise from zero: p_new = (E1 / (E0 + E1))^y1 for y1 lines in the window and none in the baseline. */
export function noveltyP(y1: number, baselineExposure: number, windowExposure: number): number {
  if (!(windowExposure > 0) || !(baselineExposure >= 0)) throw new RangeError(`noveltyP: exposures must be > 0 (got ${baselineExposure}, ${windowExposure})`);
  return (windowExposure / (baselineExposure + windowExposure)) ** y1;
}

/**
 * Several Members new to an item at once: with the item's pooled rate per Member-week `rate` and the window's
 * length `weeks`, each of `eligible` Members (reporting, not seen with the item before) seizes it at least once
 * with probability 1 - exp(-rate weeks); P(K >= k).
 */
export function newMembersP(k: number, eligible: number, rate: number, weeks: number): number {
  if (k <= 0) return 1;
  if (k > eligible) return 0;
  const pi = -Math.expm1(-rate * weeks);
  return binomUpper(k, eligible, pi);
}

/** P(Z > z) for a standard normal Z: the erf series below 3, the Mills-ratio continued fraction above (about 1e-14 relative). */
export function pnormUpper(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 1 - pnormUpper(-z);
  if (z < 3) {
    // Series for erf: erf(x) = 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)).
    const x = z / Math.SQRT2;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 0.5 - sum / Math.sqrt(Math.PI);
  }
  // Continued fraction (Lentz) for the Mills ratio: P(Z > z) = phi(z) / (z + 1/(z + 2/(z + 3/(z + ...)))).
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / f;
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / f;
}
