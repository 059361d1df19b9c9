/**
 * EARS C1, C2 and C3 on a weekly count series, as R's `surveillance::earsC` computes them (its R/earsC.R), so that
 * the reference vectors in shared/testdata/ears are reproduced alarm for alarm.
 *
 * For week t (0-based), with baseline length b (default 7):
 * - C1: reference weeks t-b .. t-1; m = mean, σ = max(sample sd, minSigma);
 *       upperBound = m + z(1-α) σ; alarm when count_t > upperBound. Weeks 0 .. b-1 have no baseline.
 * - C2: the same with reference weeks t-b-2 .. t-3 (a 2-week guard band). Weeks 0 .. b+1 have no baseline.
 * - C3: with C2_s = (count_s − m_s) / σ_s the C2 statistic of week s (its own C2 baseline),
 *       S_t = max(0, C2_{t-1} − 1) + max(0, C2_{t-2} − 1),
 *       upperBound = max(0, count_t + σ_t (z(1-α) − S_t)); alarm when count_t > upperBound.
 *       That is R's formula: the textbook C3 would add C2_t to S_t, R's bound does not. It amounts to "alarm when
 *       S_t > z(1-α)", except that a week with count 0 never alarms (its bound is clipped to 0, and 0 > 0 is false).
 *       Weeks 0 .. b+3 have no bound.
 * With minSigma = 0 a flat baseline gives σ = 0: C1/C2 then alarm on any count above the mean, and C3 inherits
 * R's 0/0 = NaN (no alarm) — pass a small minSigma (the operation's earsMinSigma) for sparse series.
 * α defaults to 0.001 for all three methods (R itself defaults C3 to 0.025 when α is not given).
 */
import { mean, qnorm, sampleSd } from './stats.ts';

export type EarsMethod = 'c1' | 'c2' | 'c3';

export interface EarsOptions {
  readonly method: EarsMethod;
  /** False-alarm rate; the bound uses z(1-α). @default 0.001 */
  readonly alpha?: number;
  /** Floor on the standard deviation, as R's minSigma. @default 0 */
  readonly minSigma?: number;
  /** Reference weeks (R's `baseline`, at least 3). @default 7 */
  readonly baseline?: number;
}

export interface EarsWeek {
  readonly count: number;
  /** Mean of the week's reference weeks (C1/C2 baseline; for C3 the C2 baseline of this week); undefined before it exists. */
  readonly mean: number | undefined;
  /** max(sample sd of the reference weeks, minSigma); undefined before the baseline exists. */
  readonly sd: number | undefined;
  /** The alarm threshold; undefined for the first weeks (no baseline), NaN where R's is NaN (C3 on a flat series). */
  readonly upperBound: number | undefined;
  readonly alarm: boolean;
  /**
   * The statistic compared with z(1-α): C1/C2 (count − mean) / sd; C3 the lag sum S_t above. undefined for the first
   * weeks; ±Infinity or NaN when sd = 0.
   */
  readonly score: number | undefined;
}

function checkOptions(o: EarsOptions): { alpha: number; minSigma: number; baseline: number } {
  const alpha = o.alpha ?? 0.001;
  const minSigma = o.minSigma ?? 0;
  const baseline = o.baseline ?? 7;
  if (!['c1', 'c2', 'c3'].includes(o.method)) throw new RangeError(`earsC: method must be c1, c2 or c3 (got '${o.method}')`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`earsC: alpha must be between 0 and 1 (got ${alpha})`);
  if (!(minSigma >= 0 && Number.isFinite(minSigma))) throw new RangeError(`earsC: minSigma must be >= 0 (got ${minSigma})`);
  if (!Number.isInteger(baseline) || baseline < 3) throw new RangeError(`earsC: baseline must be a whole number >= 3 (got ${baseline})`);
  return { alpha, minSigma, baseline };
}

/** Mean and floored sd of counts[t-lag-b .. t-lag-1], or undefined when that window starts before week 0. */
function window(counts: readonly number[], t: number, lag: number, b: number, minSigma: number) {
  const from = t - lag - b;
  if (from < 0) return undefined;
  const ref = counts.slice(from, t - lag);
  return { mean: mean(ref), sd: Math.max(sampleSd(ref), minSigma) };
}

/** One entry per week of `counts`, in order. See the module comment for the formulas. */
export function earsC(counts: readonly number[], options: EarsOptions): EarsWeek[] {
  const { alpha, minSigma, baseline } = checkOptions(options);
  const z = qnorm(1 - alpha);
  const none = (count: number): EarsWeek => ({
    count,
    mean: undefined,
    sd: undefined,
    upperBound: undefined,
    alarm: false,
    score: undefined,
  });

  if (options.method === 'c1' || options.method === 'c2') {
    const lag = options.method === 'c1' ? 0 : 2;
    return counts.map((count, t) => {
      const w = window(counts, t, lag, baseline, minSigma);
      if (!w) return none(count);
      const upperBound = w.mean + z * w.sd;
      return { count, mean: w.mean, sd: w.sd, upperBound, alarm: count > upperBound, score: (count - w.mean) / w.sd };
    });
  }

  // C3: the C2 statistic of every week that has a C2 baseline, then R's bound from the two weeks before.
  const c2 = counts.map((count, t) => {
    const w = window(counts, t, 2, baseline, minSigma);
    return w ? { ...w, stat: (count - w.mean) / w.sd } : undefined;
  });
  return counts.map((count, t) => {
    const here = c2[t];
    const lag1 = c2[t - 1];
    const lag2 = c2[t - 2];
    if (!here || !lag1 || !lag2) return none(count);
    // Math.max propagates NaN like R's pmax, so a 0/0 statistic gives a NaN bound and no alarm.
    const s = Math.max(0, lag1.stat - 1) + Math.max(0, lag2.stat - 1);
    const upperBound = Math.max(0, count + here.sd * (z - s));
    return { count, mean: here.mean, sd: here.sd, upperBound, alarm: count > upperBound, score: s };
  });
}
