/**
 * Size outliers of a run: the modified z-score of trends/outliers.ts (0.6745 (log10 q - median) / MAD within a
 * product and unit, flagged above thresholds.outlierScore), with the median and MAD taken from the size distribution
 * of all the operation's lines so far (the aggregate keeps it per product and unit, not the lines), and the
 * candidates from the largest lines kept per slice.
 *
 * Heaped sizes (at least half a product's seizures of one size, e.g. 100 pieces) give MAD = 0, where the score is
 * undefined. Then, as Iglewicz and Hoaglin advise, the scale is the mean absolute deviation instead:
 * score = (log10 q - median) / (1.253314 MeanAD); and neither is let below MIN_SCALE_LOG10 (a size 1/100 of a decade
 * away is not an outlier). Only a product whose every seizure has the same size yields none.
 */
import { pbeta } from '../trends/exact.ts';
import { compareCandidates, mergePhaseAggs, sizeLog10Counts, type AggregateJson, type Candidate, type SizesJson } from './aggregate.ts';
import type { PhaseCloseInput } from './input.ts';

/** One outlier seizure (analysts only). */
export interface OutlierSeizure extends Candidate {
  readonly product: string;
  readonly unit: string;
  readonly score: number;
}

export interface OutlierGroup {
  readonly product: string;
  readonly unit: string;
  /** Outlier seizures in the window (final: counted from the phase's size distribution; interim: those listed). */
  readonly count: number;
  readonly maxScore: number;
  /** Reference: lines, median and MAD of log10 size. */
  readonly n: number;
  readonly medianLog10: number;
  readonly madLog10: number;
  /** The scale used for the scores: madLog10, or 1.253314 MeanAD / 0.6745 when the MAD is 0 (floored). */
  readonly scaleLog10?: number;
  /** Chance of a score this high among n seizures of a log-normal size: min(1, n P(T > maxScore)) (scoreTail). */
  readonly p?: number;
  /** p across every product and unit assessed (Bonferroni: min(1, p x groups)). */
  readonly q?: number;
}

/**
 * The MAD's efficiency at the normal (0.367): a scale taken from n sizes' MAD is about as sure as a standard deviation
 * from 0.367 n of them, so a score against it is Student's t with about 0.367 (n - 1) degrees of freedom, not normal.
 */
export const MAD_EFFICIENCY = 0.367;

/**
 * P(T > score) for the score of one of n sizes against their median and MAD: Student's t with MAD_EFFICIENCY (n - 1)
 * degrees of freedom (at least 1). The normal tail used before took the scale as known: on quiet operations it made
 * an outlier signal in 4% of phase 1 and 2 closes where the rule promises about 0.1% (issue 18); with the scale's own
 * uncertainty counted, none in 150 phase 1 closes.
 */
export function scoreTail(score: number, n: number): number {
  const df = Math.max(1, MAD_EFFICIENCY * (n - 1));
  return 0.5 * pbeta(df / (df + score * score), df / 2, 0.5);
}

/** Smallest scale (log10 size) of the outlier score: the size bins' resolution. */
export const MIN_SCALE_LOG10 = 0.01;

/** Median of a weighted sample given as [value, count] sorted by value (mean of the two middle values for an even total). */
function weightedMedian(pairs: readonly (readonly [number, number])[]): number {
  let total = 0;
  for (const [, n] of pairs) total += n;
  if (total === 0) return NaN;
  const lo = (total - 1) >> 1;
  const hi = total >> 1;
  let seen = 0;
  let a = NaN;
  for (const [v, n] of pairs) {
    if (Number.isNaN(a) && lo < seen + n) a = v;
    if (hi < seen + n) return (a + v) / 2;
    seen += n;
  }
  return a;
}

/** Median and MAD (unscaled) of log10 size, from a size distribution (aggregate.ts SizesJson). */
export function logScale(s: Pick<SizesJson, 'binned' | 'counts'>): { median: number; mad: number; n: number; scale: number } {
  const pairs = sizeLog10Counts(s);
  const median = weightedMedian(pairs);
  const dev = pairs.map(([v, n]) => [Math.abs(v - median), n] as const).sort((a, b) => a[0] - b[0]);
  const n = pairs.reduce((t, [, k]) => t + k, 0);
  const mad = weightedMedian(dev);
  let scale = mad;
  if (!(mad > 0)) {
    const meanAd = dev.reduce((t, [d, k]) => t + d * k, 0) / n;
    // 0.6745 x score with MAD equals (x - median) / (1.253314 MeanAD): the MAD stand-in is 1.253314 MeanAD x 0.6745.
    scale = meanAd > 0 ? Math.max(MIN_SCALE_LOG10, 1.253314 * meanAd * 0.6745) : 0;
  }
  return { median, mad, n, scale };
}

/** The modified z-score of a size against a scale (trends/outliers.ts). */
export const sizeScore = (quantity: number, s: { median: number; mad: number; scale?: number }): number =>
  (0.6745 * (Math.log10(quantity) - s.median)) / (s.scale ?? s.mad);

export function outliersOf(
  agg: AggregateJson,
  threshold: number,
  window: { from: string; to: string } | null,
  mode: PhaseCloseInput['mode'],
): { groups: OutlierGroup[]; seizures: OutlierSeizure[] } {
  if (!window) return { groups: [], seizures: [] };
  const all = mergePhaseAggs(agg.phase, agg.phases);
  const closed = agg.phases.find((p) => p.phase === agg.phase);
  const groups: OutlierGroup[] = [];
  const seizures: OutlierSeizure[] = [];
  for (const [gk, ref] of Object.entries(all.sizes)) {
    const scale = logScale(ref);
    if (!(scale.scale > 0)) continue; // every seizure the same size: no outlier for this product and unit
    // Candidates: the closed phase's largest lines (final), or the largest lines of every phase dated in the week (interim).
    const pool = mode === 'final' ? (closed?.sizes[gk]?.top ?? []) : agg.phases.flatMap((p) => p.sizes[gk]?.top ?? []);
    const found = pool
      .filter((c) => c.seizure_date >= window.from && c.seizure_date <= window.to)
      .map((c) => ({ ...c, product: ref.product, unit: ref.unit, score: sizeScore(c.quantity, scale) }))
      .filter((c) => c.score > threshold)
      .sort(compareCandidates);
    // Final: the exact count from the closed phase's size distribution (the list keeps only the largest lines).
    let count = found.length;
    if (mode === 'final' && closed?.sizes[gk]) {
      count = sizeLog10Counts(closed.sizes[gk]!).reduce(
        (t, [lg, n]) => t + ((0.6745 * (lg - scale.median)) / scale.scale > threshold ? n : 0),
        0,
      );
      count = Math.max(count, found.length);
    }
    if (count === 0) continue;
    seizures.push(...found);
    const maxScore = found.length ? Math.max(...found.map((f) => f.score)) : threshold;
    groups.push({
      product: ref.product,
      unit: ref.unit,
      count,
      maxScore,
      n: scale.n,
      medianLog10: scale.median,
      madLog10: scale.mad,
      scaleLog10: scale.scale,
      p: Math.min(1, scale.n * scoreTail(maxScore, scale.n)),
    });
  }
  // Every product and unit with a scale was looked at: the family of the outlier tests.
  const family = Object.values(all.sizes).filter((ref) => logScale(ref).scale > 0).length;
  for (let i = 0; i < groups.length; i++) groups[i] = { ...groups[i]!, q: Math.min(1, (groups[i]!.p ?? 1) * Math.max(1, family)) };
  groups.sort((a, b) => b.maxScore - a.maxScore || b.count - a.count || cmp(a.product, b.product) || cmp(a.unit, b.unit));
  seizures.sort((a, b) => b.score - a.score || compareCandidates(a, b));
  return { groups, seizures };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
