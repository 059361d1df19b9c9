/**
 * C_m of a planted change (issue 18): one test of the planted item alone, knowing which item was planted, at 0.05 / m
 * where m is the size of the family the analysis tests it in, with no minimum count or Members, against the same
 * baseline and exposures the analysis uses:
 * - rise/fall: the two-sided mid-p conditional test of equal rates of the product's cases in the phase against every
 *   earlier phase pooled, in the planted direction; m the products in the trend family (after Tarone's reduction);
 * - burst: the weekly exact test's mid-p of the product's cases in the planted week against its baseline weeks, made
 *   two-sided (twice); m the products tested that week;
 * - new_route: the rise-from-zero test of the new origin's cases; m the rises from zero tested.
 * The analysis also pays for the rules an analyst needs (>= 3 Members, minimum counts, BH rather than Bonferroni), so
 * its recall is measured against C_m minus a margin (G2), not above it. (The earlier "oracle", two-sided,
 * non-randomised and without multiplicity, was no ceiling: any level can be bought with false signals.)
 */
import { operationWeeks, trendBaseline } from '../../functions/core/phase/analyse.ts';
import { weekOf, type AggregateJson, type PhaseAggJson } from '../../functions/core/phase/aggregate.ts';
import { phaseExposure, reportersOf, weekExposures } from '../../functions/core/phase/exposure.ts';
import type { PhaseCloseInput } from '../../functions/core/phase/input.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { exactWeeklyAlarms } from '../../functions/core/trends/alarms.ts';
import { noveltyP } from '../../functions/core/trends/exact.ts';
import type { AnalysisJson } from '../../functions/core/phase/analyse.ts';
import { midPTwoSided } from './power.ts';
import type { Planted } from './scenarios.ts';

type Dim = 'product' | 'origin';
const casesOf = (a: PhaseAggJson, d: Dim, key: string): number => {
  const c = a.by[d]?.[key];
  return c ? (c.cases ?? c.lines) : 0;
};

/** The C_m test's p for the planted change (1 when it points the other way or cannot be tested), and its family's m. */
export function oracleMidP(
  p: Planted,
  config: OperationConfig,
  agg: AggregateJson,
  input: PhaseCloseInput,
  a: AnalysisJson,
): { p: number; m: number } {
  const phases = config.phases.slice(0, p.phase);
  const current = phases[p.phase - 1]!;
  const aggOf = (n: number) => agg.phases.find((x) => x.phase === n)!;
  const earlier = trendBaseline(phases.slice(0, -1), (ph) => reportersOf(aggOf(ph.phase)).length);
  const e1 = phaseExposure(aggOf(current.phase), current, input);
  const e0 = earlier.reduce((t, ph) => t + phaseExposure(aggOf(ph.phase), ph, input), 0);
  if (p.kind === 'rise' || p.kind === 'fall') {
    const y1 = casesOf(aggOf(current.phase), 'product', p.product!);
    const y0 = earlier.reduce((t, ph) => t + casesOf(aggOf(ph.phase), 'product', p.product!), 0);
    const m = Math.max(1, a.trends.families?.['product'] ?? 1);
    if (!(e0 > 0) || y0 + y1 === 0) return { p: 1, m };
    const up = y1 / e1 > y0 / e0;
    return { p: up === (p.kind === 'rise') ? midPTwoSided(y1, y0 + y1, e1 / (e0 + e1)) : 1, m };
  }
  if (p.kind === 'new_route') {
    const y1 = casesOf(aggOf(current.phase), 'origin', p.origin!);
    const before = earlier.reduce((t, ph) => t + casesOf(aggOf(ph.phase), 'origin', p.origin!), 0);
    const m = Math.max(1, [...a.newItems, ...a.annex].filter((x) => x.p !== undefined && x.novelty !== 'product_multi_member').length);
    return { p: before === 0 && y1 > 0 && e0 > 0 ? noveltyP(y1, e0, e1) : 1, m };
  }
  const first = weekOf(config.phases[0]!.start);
  const last = weekOf(current.end);
  const weeks = operationWeeks(agg, first, last, true);
  const t = weeks.findIndex((w) => w.week === p.week);
  if (t < 0) return { p: 1, m: 1 };
  const exposures = weekExposures(agg, phases, input, first, last).map((x) => x.exposure);
  const tests = exactWeeklyAlarms(
    weeks,
    { dimensions: ['product'], baselineWeeks: config.thresholds.alarmBaselineWeeks, minCount: 1, minMembers: 1, exposures, test: [t] },
    true,
  );
  const m = Math.max(1, tests.filter((x) => x.dimension === 'product').length);
  const mine = tests.find((x) => x.dimension === 'product' && x.key === p.product);
  return { p: mine ? Math.min(1, 2 * mine.p) : 1, m };
}
