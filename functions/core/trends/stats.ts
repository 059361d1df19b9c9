/**
 * The few numerical routines the trend detectors need, written out so that every figure in a report can be traced
 * to a formula: log-gamma, the binomial pmf and R's exact two-sided binomial test, the normal quantile, the
 * Benjamini-Hochberg adjustment, median and MAD. Pure functions, no dependencies.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0 (NaN for x < 0 or NaN, +Infinity at 0).
 * Stirling's series with five correction terms for x >= 15 (truncation error < 1e-17 relative there), and the
 * recurrence Γ(x) = Γ(x + k) / (x (x+1) ... (x+k-1)) below, so ln Γ(k + 1) = ln k! to about 1e-15 relative.
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return Infinity;
  if (x === Infinity) return Infinity;
  let shift = 0;
  let prod = 1;
  while (x < 15) {
    prod *= x;
    x += 1;
    // The product stays far from overflow: at most 15 factors, each below 15.
    shift += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 * (1 / 1188)))));
  const stirling = (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
  return shift === 0 ? stirling : stirling - Math.log(prod);
}

/** ln of the Binomial(n, p) probability of k, computed in log space so that n in the thousands stays exact. */
export function logBinomPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || p < 0 || p > 1 || Number.isNaN(p)) return NaN;
  if (k < 0 || k > n) return -Infinity;
  // The degenerate ends: 0 ** 0 is 1, so P(k = 0 | p = 0) = 1 and P(k = n | p = 1) = 1.
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  const logChoose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** The Binomial(n, p) probability of k. */
export function binomPmf(k: number, n: number, p: number): number {
  return Math.exp(logBinomPmf(k, n, p));
}

/**
 * R's relative tolerance in binom.test: outcomes whose probability is within a factor 1 + 1e-7 of the observed
 * one count as "as extreme", so ties computed with rounding error are not lost.
 */
export const BINOM_REL_ERR = 1 + 1e-7;

/**
 * Exact two-sided binomial test p-value with R's binom.test definition: the sum of the probabilities of every
 * outcome 0..n whose probability is <= that of the observed x (times {@link BINOM_REL_ERR}); 1 when x = n p.
 * Capped at 1. Throws on x outside 0..n, a non-integer, or p outside [0, 1].
 */
export function binomTestTwoSided(x: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomTestTwoSided: n must be a whole number >= 0 (got ${n})`);
  if (!Number.isInteger(x) || x < 0 || x > n) throw new RangeError(`binomTestTwoSided: x must be a whole number in 0..${n} (got ${x})`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomTestTwoSided: p must be in [0, 1] (got ${p})`);
  if (x === n * p) return 1;
  const logD = logBinomPmf(x, n, p);
  const logLimit = logD + Math.log(BINOM_REL_ERR);
  // Sum relative to the largest retained term, so tiny tails are added without underflowing one by one.
  const kept: number[] = [];
  let top = -Infinity; // a loop, not Math.max(...kept): n may exceed the engine's argument limit
  for (let k = 0; k <= n; k++) {
    const l = logBinomPmf(k, n, p);
    if (l <= logLimit) {
      kept.push(l);
      if (l > top) top = l;
    }
  }
  if (top === -Infinity) return 0;
  // Ascending order: the small terms are added first, so they are not rounded away against the large ones.
  kept.sort((a, b) => a - b);
  let s = 0;
  for (const l of kept) s += Math.exp(l - top);
  return Math.min(1, s * Math.exp(top));
}

// Wichura (1988), Algorithm AS 241 PPND16: the normal quantile to about 1e-16 relative.
const A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
  33430.575583588128105, 2509.0809287301226727,
];
const B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
  5226.495278852545925,
];
const C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966,
  5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093,
  0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5,
  1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i]!;
  return s;
}

/** The standard normal quantile z(p) = Φ⁻¹(p) (Wichura's AS 241). −Infinity at 0, +Infinity at 1, NaN outside. */
export function qnorm(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    val = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -val : val;
}

/**
 * Benjamini-Hochberg adjusted p-values (R's p.adjust(p, "BH")), in the input order:
 * q_(i) = min over j >= i of m p_(j) / j, capped at 1. NaN entries stay NaN and do not count in m.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => !Number.isNaN(p[i]!));
  const m = idx.length;
  const out = p.map(() => NaN);
  // Largest p first, carrying the running minimum down the ranks; equal p's keep their input order (stable).
  idx.sort((a, b) => p[b]! - p[a]!);
  let running = Infinity;
  idx.forEach((i, pos) => {
    const rank = m - pos;
    running = Math.min(running, (m / rank) * p[i]!);
    out[i] = Math.min(1, running);
  });
  return out;
}

/** The median (mean of the two middle values for an even count); NaN for no values. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation, unscaled (no 1.4826 factor): median(|x − median(x)|). NaN for no values. */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** Arithmetic mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divisor n − 1), as R's sd(); NaN for fewer than two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}
