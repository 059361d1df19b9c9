/**
 * Trend and risk detectors: pure functions over aggregate counts (types.ts), no I/O.
 * - final mode: phaseOverPhase (rate-ratio.ts), rankRiskProfiles (risk.ts);
 * - interim mode: earsC (ears.ts) and weeklyAlarms (weekly.ts);
 * - either: newItems (novelty.ts: first sightings), testNewItems (novelty-test.ts: the tested rule), SeizureSize (outliers.ts);
 * - alerts: exactWeeklyAlarms (alarms.ts) and the exact tests and intervals (exact.ts).
 */
export * from './types.ts';
export * from './stats.ts';
export * from './ears.ts';
export * from './weekly.ts';
export * from './rate-ratio.ts';
export * from './novelty.ts';
export * from './outliers.ts';
export * from './risk.ts';
export * from './exact.ts';
export * from './alarms.ts';
export * from './novelty-test.ts';
