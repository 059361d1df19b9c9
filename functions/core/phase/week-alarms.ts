/**
 * The weekly alarms of a run, as signals: the exact conditional test on cases (thresholds.alarmMethod 'exact',
 * trends/alarms.ts) or EARS C1 and C2 ('ears'), over the weeks analyse.ts chooses. Split from analyse.ts, which
 * decides which weeks are tested and with what exposure; this module turns each tested week into AlarmSignals.
 */
import type { OperationConfig } from '../operation/config.ts';
import { pnormUpper, weeklyConditionalTest } from '../trends/exact.ts';
import { exactWeeklyAlarms, weeklyAlarms, type WeekAggregate } from '../trends/index.ts';
import { evidenceOf, type AlarmSignal } from './signals.ts';

/** The smallest count that the week's test alone would call an alarm at `level` (the exact method's "bound"). */
function criticalCount(baselineSum: number, baselineWeeks: number, share: number, level: number): number {
  for (let c = 1; c < 100_000; c++) if (weeklyConditionalTest(c, baselineSum, baselineWeeks, share).midP < level) return c;
  return Infinity;
}

/**
 * The exact weekly test runs on cases (a case's lines are not independent events: one case of 8 lines is one
 * seizure event); the signal shows lines, with the lines expected from the baseline's lines.
 */
export function exactAlarms(
  weeks: readonly WeekAggregate[],
  caseWeeks: readonly WeekAggregate[],
  exposures: readonly number[],
  test: readonly number[],
  th: OperationConfig['thresholds'],
): AlarmSignal[] {
  const found = exactWeeklyAlarms(caseWeeks, {
    dimensions: ['product', 'route'],
    baselineWeeks: th.alarmBaselineWeeks,
    minCount: th.alarmMinCount,
    minMembers: th.alarmMinMembers,
    q: th.alarmQ,
    exposures,
    test,
  });
  // One signal per key: its strongest week, with every week that alarmed (deduplicated).
  const byKey = new Map<string, AlarmSignal>();
  for (const a of found) {
    const k = `${a.dimension}\u0000${a.key}`;
    const had = byKey.get(k);
    const t = weeks.findIndex((w) => w.week === a.week);
    let eBase = 0;
    for (let i = t - a.baselineWeeks; i < t; i++) eBase += exposures[i]!;
    const share = exposures[t]! / (exposures[t]! + eBase);
    const lineCell = (i: number) => weeks[i]!.counts[a.dimension]?.get(a.key)?.lines ?? 0;
    let baseLines = 0;
    for (let i = t - a.baselineWeeks; i < t; i++) baseLines += lineCell(i);
    const lines = lineCell(t);
    const expectedLines = (baseLines * share) / (1 - share);
    const sig: AlarmSignal = {
      kind: 'alarm',
      dimension: a.dimension,
      key: a.key,
      week: a.week,
      count: lines,
      upperBound: criticalCount(a.baselineSum, a.baselineWeeks, share, th.alarmQ),
      score: (a.count - a.expected) / Math.sqrt(Math.max(a.expected, 0.01)),
      methods: ['exact'],
      members: a.members,
      expected: expectedLines,
      cases: a.count,
      expectedCases: a.expected,
      p: a.p,
      q: a.q,
      baselineWeeks: a.baselineWeeks,
      baselineSum: a.baselineSum,
      weeks: [...(had?.weeks ?? []), a.week].sort(),
      evidence: evidenceOf(a.q),
      effect: Math.log((lines + 0.5) / (expectedLines + 0.5)),
    };
    byKey.set(k, had && (had.q ?? 1) <= a.q ? { ...had, weeks: sig.weeks } : sig);
  }
  return [...byKey.values()];
}

export function earsAlarms(weeks: readonly WeekAggregate[], test: readonly number[], th: OperationConfig['thresholds']): AlarmSignal[] {
  const byKey = new Map<string, AlarmSignal>();
  const testSet = new Set(test);
  for (const method of ['c1', 'c2'] as const) {
    for (const a of weeklyAlarms(weeks, { dimensions: ['product', 'route'], method, alpha: th.earsAlpha, minSigma: th.earsMinSigma })) {
      const t = weeks.findIndex((w) => w.week === a.week);
      if (!testSet.has(t)) continue;
      const k = `${a.dimension}\u0000${a.key}\u0000${a.week}`;
      const had = byKey.get(k);
      const score = had ? Math.max(had.score, a.score) : a.score;
      byKey.set(k, {
        kind: 'alarm',
        dimension: a.dimension,
        key: a.key,
        week: a.week,
        count: a.count,
        upperBound: had ? Math.min(had.upperBound, a.upperBound) : a.upperBound,
        score,
        methods: [...(had?.methods ?? []), method],
        weeks: [a.week],
        evidence: evidenceOf(pnormUpper(score)),
        effect: score,
      });
    }
  }
  // One per key: the strongest week, every week listed.
  const out = new Map<string, AlarmSignal>();
  for (const a of byKey.values()) {
    const k = `${a.dimension}\u0000${a.key}`;
    const had = out.get(k);
    const weeksAll = [...(had?.weeks ?? []), a.week].sort();
    out.set(k, had && had.score >= a.score ? { ...had, weeks: weeksAll } : { ...a, weeks: weeksAll });
  }
  return [...out.values()];
}
