/**
 * Trend and risk detectors: pure functions over aggregate counts (types.ts), no I/O.
 * - final mode: phaseOverPhase (rate-ratio.ts), rankRiskProfiles (risk.ts);
 * - interim mode: earsC (ears.ts) and weeklyAlarms (weekly.ts);
 * - either: newItems (novelty.ts), sizeOutliers (outliers.ts).
 */
export * from './types.ts';
export * from './stats.ts';
export * from './ears.ts';
export * from './weekly.ts';
export * from './rate-ratio.ts';
export * from './novelty.ts';
export * from './outliers.ts';
export * from './risk.ts';
