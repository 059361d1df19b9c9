/**
 * Outlier seizures by size: Iglewicz and Hoaglin's modified z-score on log10 quantities within a product,
 *   score = 0.6745 (log10 q − median) / MAD,   MAD = median |log10 q − median| (unscaled),
 * flagged when score > threshold (the operation's outlierScore, 3.5): an unusually large seizure. With
 * `twoSided`, |score| > threshold also flags unusually small ones.
 * "Within a product" means within a product and unit: 10 kg and 10 pieces are not on one scale.
 * When a product's MAD is 0 (at least half its seizures have the same size, e.g. heaped at 100 pieces) this bare rule
 * has no score; the phase close (phase/outliers.ts) then scales by 1.253314 x the mean absolute deviation, floored,
 * so a heaped product still shows its one huge seizure. Quantities that are not > 0 have no logarithm and are left
 * out (validation refuses them anyway). The rule on a list of seizures (sizeOutliers) is test-only:
 * test/functions/core/trends/helpers.ts.
 */

/** One seizure line's size. `id` identifies the line for the analyst (e.g. recordKey); it is passed through. */
export interface SeizureSize {
  readonly id: string;
  readonly product: string;
  readonly unit: string;
  readonly quantity: number;
}

export interface SizeOutlier {
  readonly id: string;
  readonly product: string;
  readonly unit: string;
  readonly quantity: number;
  /** The modified z-score (signed: > 0 larger than usual). */
  readonly score: number;
  /** Median and MAD of log10 quantity over the product's seizures in this unit, and how many there are. */
  readonly medianLog10: number;
  readonly madLog10: number;
  readonly n: number;
}

export interface OutlierOptions {
  /** @default DEFAULT_THRESHOLDS.outlierScore (3.5) */
  readonly threshold?: number;
  /** Also flag scores below −threshold. @default false */
  readonly twoSided?: boolean;
}
