/**
 * The oracle ceiling of a planted change: what one honest test could attain if it knew which item was planted. One
 * exact test on the planted item alone, at alpha 0.05, with no multiplicity control, no minimum count and no
 * minimum of Members, against the same baseline and exposures the analysis uses:
 * - rise/fall: the exact conditional test of equal rates (two-sided, as the trend rule) of the product's cases in the
 *   phase against every earlier phase pooled, in the planted direction;
 * - burst: the exact weekly test (one-sided mid-p) of the product's cases in the planted week against its baseline weeks;
 * - new_route: the rise-from-zero test of the new origin's cases in the phase against every earlier phase.
 * The analysis pays for testing every key (BH) and for the rules an analyst needs (>= 3 Members, minimum counts), so
 * its recall can only come near this; a cell whose ceiling is under 90% cannot meet the target by any such test.
 */
import { operationWeeks, trendBaseline } from '../../functions/core/phase/analyse.ts';
import { weekOf, type AggregateJson, type PhaseAggJson } from '../../functions/core/phase/aggregate.ts';
import { phaseExposure, reportersOf, weekExposures } from '../../functions/core/phase/exposure.ts';
import type { PhaseCloseInput } from '../../functions/core/phase/input.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { exactWeeklyAlarms } from '../../functions/core/trends/alarms.ts';
import { noveltyP } from '../../functions/core/trends/exact.ts';
import { binomTestTwoSided } from '../../functions/core/trends/stats.ts';
import type { Planted } from './scenarios.ts';

export const ORACLE_ALPHA = 0.05;

type Dim = 'product' | 'origin';
const casesOf = (a: PhaseAggJson, d: Dim, key: string): number => {
  const c = a.by[d]?.[key];
  return c ? (c.cases ?? c.lines) : 0;
};

/** Whether the oracle test finds the planted change, on the aggregate of the final close of its phase. */
export const oracleFinds = (p: Planted, config: OperationConfig, agg: AggregateJson, input: PhaseCloseInput): boolean =>
  oracleP(p, config, agg, input) < ORACLE_ALPHA;

/** The oracle test's p for the planted change (1 when it points the other way or cannot be tested). */
export function oracleP(p: Planted, config: OperationConfig, agg: AggregateJson, input: PhaseCloseInput): number {
  const phases = config.phases.slice(0, p.phase);
  const current = phases[p.phase - 1]!;
  const aggOf = (n: number) => agg.phases.find((x) => x.phase === n)!;
  const earlier = trendBaseline(phases.slice(0, -1), (ph) => reportersOf(aggOf(ph.phase)).length);
  const e1 = phaseExposure(aggOf(current.phase), current, input);
  const e0 = earlier.reduce((t, ph) => t + phaseExposure(aggOf(ph.phase), ph, input), 0);
  if (p.kind === 'rise' || p.kind === 'fall') {
    const y1 = casesOf(aggOf(current.phase), 'product', p.product!);
    const y0 = earlier.reduce((t, ph) => t + casesOf(aggOf(ph.phase), 'product', p.product!), 0);
    if (!(e0 > 0) || y0 + y1 === 0) return 1;
    const up = y1 / e1 > y0 / e0;
    return up === (p.kind === 'rise') ? binomTestTwoSided(y0, y0 + y1, e0 / (e0 + e1)) : 1;
  }
  if (p.kind === 'new_route') {
    const y1 = casesOf(aggOf(current.phase), 'origin', p.origin!);
    const before = earlier.reduce((t, ph) => t + casesOf(aggOf(ph.phase), 'origin', p.origin!), 0);
    return before === 0 && y1 > 0 && e0 > 0 ? noveltyP(y1, e0, e1) : 1;
  }
  const first = weekOf(config.phases[0]!.start);
  const last = weekOf(current.end);
  const weeks = operationWeeks(agg, first, last, true);
  const t = weeks.findIndex((w) => w.week === p.week);
  if (t < 0) return 1;
  const exposures = weekExposures(agg, phases, input, first, last).map((x) => x.exposure);
  const tests = exactWeeklyAlarms(
    weeks,
    { dimensions: ['product'], baselineWeeks: config.thresholds.alarmBaselineWeeks, minCount: 1, minMembers: 1, exposures, test: [t] },
    true,
  );
  return tests.find((x) => x.key === p.product)?.p ?? 1;
}
