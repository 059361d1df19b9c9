/**
 * Aggregation of seizure lines into per-phase aggregates, while the lines stream: memory grows with the number of
 * groups (keys of each breakdown, weeks, distinct sizes of a product), never with the number of lines.
 *
 * One slice (a Member, a phase) gives a partial; partials merge into the run's aggregate; merging every slice's
 * partial equals aggregating all the lines at once (the same LineAggregator does both).
 *
 * What a phase aggregate holds (PhaseAggJson), all from the stored lines:
 * - lines, cases (distinct (Member, case_ref)), reporting Members;
 * - quantities: pieces, doses, packs, units = pieces + doses + packs; kg and litres apart (never added to units);
 * - estimated value by currency (`XXX` when a value has no currency), with the lines that gave one;
 * - per breakdown (category, product, reporting Member, origin, route, transport mode, concealment, detection,
 *   infringement, and for the trend detectors product x concealment and the risk profile): lines, units, kg, litres
 *   and the Members that reported them (the Member cells also count cases);
 * - per week (Monday, UTC): lines, and lines and Members per product, route, origin and product x concealment;
 * - per product and unit, the size distribution for the outlier test: how many lines of each size, exact up to
 *   EXACT_SIZES_CAP distinct sizes, beyond that in bins of 1/100 of a decade of log10 size (a median or MAD taken
 *   from the bins is within 0.005 of the exact one), and the `topK` largest lines with what identifies them (for the
 *   analysts' version only).
 *
 * ## Cases
 * The byPhase index returns a (phase, Member)'s lines ordered by `{case_ref NFC}#{line_no:6}` in UTF-8 byte order
 * (store/keys.ts phaseSk), so a case's lines come together and distinct cases are counted without a set. One quirk
 * of that order: the lines of case `X` can be split by those of a case `X#...` (e.g. `X#2` sorts between lines 199999
 * and 200000 of `X`); the counter keeps the chain of such open cases (CaseCounter). Input out of that order is
 * refused (LineOrderError) rather than miscounted.
 * Cumulative cases (since the start of the operation) are distinct across phases: a case whose lines fall in two
 * phases counts once. The slice of the phase being closed also streams the Member's earlier phases, merged in index
 * order, only to count them (the earlier slices count their own phase's figures).
 *
 * Modules: aggregate-types.ts (the JSON shapes and errors), case-counter.ts (order, weeks, CaseCounter),
 * accumulate.ts (LineAggregator), merge.ts (slices, partials, merge, all at once). This module re-exports them.
 */
export * from './aggregate-types.ts';
export { compareUtf8, weekOf, CaseCounter } from './case-counter.ts';
export {
  LineAggregator,
  EXACT_SIZES_CAP,
  SIZE_BINS_PER_DECADE,
  sizeLog10Counts,
  compareCandidates,
  type LineAggregatorOptions,
} from './accumulate.ts';
export {
  forEachInIndexOrder,
  aggregateSlice,
  emptyPhase,
  mergePhaseAggs,
  mergePartials,
  aggregateLines,
  compareIndexOrder,
  type SliceSource,
  type LineStream,
} from './merge.ts';
