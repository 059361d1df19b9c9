/**
 * Trends and risk indicators of a run, from its merged aggregate, with the detectors of functions/core/trends. Every
 * rate is per reporting Member-week (exposure.ts). See README.md (## Signals) for the rules in words.
 *
 * - final: phaseOverPhase (the closed phase against every earlier phase pooled, exposure-weighted, or the latest alone
 *   for a key whose earlier phases disagree: keys with >=
 *   trendMinCount cases tested, Tarone's reduction then BH, >= trendMinMembers Members on the higher side, exact
 *   interval of the ratio); weekly alarms for EVERY week of the closed phase, each tested as an interim run as of the
 *   next Monday would have tested it, listed once per key with the weeks that alarmed; new items of the phase against everything before (trends/novelty-test.ts); size outliers
 *   among the phase's seizures; risk profiles against the previous phase (>= riskMinMembers, by the lower bound);
 * - interim: the latest complete week (Monday to Sunday, on or before asOf): its weekly alarms, its new items
 *   against every earlier week, its size outliers; risk profiles of the phase so far.
 *
 * Weekly alarms: thresholds.alarmMethod 'exact' (trends/alarms.ts) or 'ears' (EARS C1 and C2, as before).
 * Signals (signals.ts): one evidence score orders every kind; signals on the same lines are merged; `signals` holds
 * what every NCP may read (no Member's own first time, no cell of fewer than minCellMembers Members), and
 * `analystsSignals` everything flagged. Weaker first sightings go to `annex`, which raises no alert.
 */
import type { OperationConfig, Phase } from '../operation/config.ts';
import {
  phaseOverPhase,
  rankRiskProfiles,
  testNewItems,
  transitCounts,
  type Counts,
  type DimensionCounts,
  type PhaseAggregate,
  type RiskProfile,
  type TestedNewItem,
  type WeekAggregate,
} from '../trends/index.ts';
import { weekOf, WEEK_DIMENSIONS, type AggregateJson, type PhaseAggJson, type WeekDimension } from './aggregate.ts';
import { addDays } from '../operation/days.ts';
import { phaseExposure, reportersOf, weekExposures, weekReporters } from './exposure.ts';
import { phaseOfInput, phasesThrough, type PhaseCloseInput } from './input.ts';
import { earsAlarms, exactAlarms } from './week-alarms.ts';
import { outliersOf, type OutlierGroup, type OutlierSeizure } from './outliers.ts';
import {
  alertOf,
  countSignals,
  evidenceOf,
  forNcp,
  mergeSameLines,
  sortSignals,
  type AlarmSignal,
  type NewSignal,
  type OutlierSignal,
  type Signal,
  type SignalCounts,
  type TrendSignal,
} from './signals.ts';

export * from './signals.ts';
export { countedDays } from './exposure.ts';
export { logScale, sizeScore, type OutlierGroup, type OutlierSeizure } from './outliers.ts';

export interface AnalysisJson {
  schema: 'phase-analysis/1';
  operation: string;
  phase: number;
  mode: PhaseCloseInput['mode'];
  asOf: string;
  runLabel: string;
  /** The days whose signals are reported (final: the phase; interim: the latest complete week, or null if none). */
  window: { from: string; to: string } | null;
  /** The phase before the closed one (final, from phase 2 on): the risk profiles' comparison. */
  comparedWith: number | null;
  /** The phases the trends pool as their baseline (every earlier phase with reporters); empty when none. */
  comparedWithPhases: number[];
  /** families: keys per dimension in the BH family (after Tarone's reduction): what each flag paid for. */
  trends: { tested: number; flagged: TrendSignal[]; families?: Record<string, number> };
  alarms: AlarmSignal[];
  /** Flagged new items. */
  newItems: NewSignal[];
  /** Weaker first sightings: listed, never a signal, never an alert (product_at_member: analysts only). */
  annex: NewSignal[];
  outliers: { groups: OutlierGroup[]; seizures: OutlierSeizure[] };
  riskProfiles: RiskProfile[];
  /** What every NCP may read, strongest first. */
  signals: Signal[];
  /** Everything flagged (small cells included), strongest first: the analysts' version. */
  analystsSignals: Signal[];
  counts: SignalCounts;
  /** Reporting Member-weeks of the window and of what it is compared with. */
  exposure: { window: number; baseline: number; reporters: number };
  /** Whether this run sends an alert: a final run always; an interim run when a signal reaches alertEvidence. */
  alert: boolean;
}

export const RISK_TOP = 20;

/** Evidence cap of an outlier signal: a single seizure never outranks a tested change in rates. */
export const OUTLIER_EVIDENCE_CAP = 3;

/**
 * An outlier group is a signal only when its q (min(1, n P(T > maxScore)) times the products and units assessed, T
 * Student's t for a scale estimated by the MAD: outliers.ts scoreTail) is
 * below this (0.001: the size scale is itself estimated, so scores run a little wider than normal): the 3.5 score alone, over thousands of log-normal sizes, flags about one seizure in 4,300 by chance.
 */
export const OUTLIER_SIGNAL_P = 0.001;

/** Seizures of a product and unit needed before one of them is a signal: a median and MAD from fewer are too unsure. */
export const OUTLIER_MIN_N = 20;

/** The baseline of a final run's trends: every earlier phase that has reporters, pooled (exposure-weighted). */
export const trendBaseline = (earlier: readonly Phase[], reporters: (p: Phase) => number): Phase[] =>
  earlier.filter((p) => reporters(p) > 0);

/** The latest complete week (Monday) on or before a day: the week ending on the last Sunday <= day. */
export const lastCompleteWeek = (day: string): string => addDays(weekOf(addDays(day, 1)), -7);

/** @deprecated counts-only rule of earlier versions; analyse uses signals.ts alertOf (the evidence threshold). */
export const alertRule = (mode: PhaseCloseInput['mode'], c: SignalCounts): boolean => mode === 'final' || c.new + c.rising + c.alarms > 0;

// ---------------------------------------------------------------------------------------------------------------
// Cells as the detectors read them

type CellRecord = Record<string, { lines: number; cases?: number; members: string[] }>;

/**
 * Unites cell records (counts add, Members unite) into Counts with Member sets. With `cases`, a cell's count is its
 * distinct cases (what the tests count: a case's lines are one seizure event; older aggregates fall back to lines).
 */
function unite(records: readonly (CellRecord | undefined)[], cases = false): Counts {
  const m = new Map<string, { lines: number; members: Set<string> }>();
  for (const r of records) {
    for (const [k, c] of Object.entries(r ?? {})) {
      const t = m.get(k) ?? { lines: 0, members: new Set<string>() };
      t.lines += cases ? (c.cases ?? c.lines) : c.lines;
      for (const x of c.members) t.members.add(x);
      m.set(k, t);
    }
  }
  return m;
}

const NOVELTY_DIMS: readonly WeekDimension[] = ['product', 'route', 'origin', 'product_concealment'];

function phaseCounts(ps: readonly PhaseAggJson[], dims: readonly string[], cases = false): DimensionCounts {
  return Object.fromEntries(
    dims.map((d) => [
      d,
      unite(
        ps.map((p) => p.by[d as keyof PhaseAggJson['by']]),
        cases,
      ),
    ]),
  );
}

function weekCounts(ps: readonly PhaseAggJson[], weeks: (w: string) => boolean, cases = false): DimensionCounts {
  return Object.fromEntries(
    NOVELTY_DIMS.map((d) => [
      d,
      unite(
        ps.flatMap((p) =>
          Object.entries(p.weeks)
            .filter(([w]) => weeks(w))
            .map(([, wk]) => wk.by[d]),
        ),
        cases,
      ),
    ]),
  );
}

/** The lines of a tested key (the tests count cases; people read lines). */
function linesIn(c: DimensionCounts, dimension: string, key: string): number {
  const cell = (c as Record<string, Counts | undefined>)[dimension]?.get(key);
  if (cell) return cell.lines;
  if (dimension === 'transit') return transitCounts(c.route).get(key)?.lines ?? 0;
  return 0;
}

/**
 * Every week of the operation from its first to `last`, summed across phases, empty weeks included. With `cases`,
 * a cell counts the distinct cases with a line of the key (aggregates before case counts fall back to lines).
 */
export function operationWeeks(agg: AggregateJson, first: string, last: string, cases = false): WeekAggregate[] {
  const out: WeekAggregate[] = [];
  for (let w = first; w <= last; w = addDays(w, 7)) {
    const parts = agg.phases.map((p) => p.weeks[w]).filter((x) => x !== undefined);
    const pick = (r: Record<string, { lines: number; cases?: number; members: string[] }>): CellRecord =>
      cases ? Object.fromEntries(Object.entries(r).map(([k, c]) => [k, { lines: c.cases ?? c.lines, members: c.members }])) : r;
    const counts = Object.fromEntries(WEEK_DIMENSIONS.map((d) => [d, unite(parts.map((p) => pick(p.by[d])))]));
    out.push({ week: w, counts });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// New items

function firstWeek(item: TestedNewItem, weeks: readonly { week: string; counts: DimensionCounts }[]): string | undefined {
  for (const w of weeks) {
    const c = w.counts;
    const has =
      item.kind === 'route'
        ? c.route?.has(item.key)
        : item.kind === 'origin'
          ? c.origin?.has(item.key)
          : item.kind === 'transit'
            ? transitCounts(c.route).has(item.key)
            : item.kind === 'concealment_for_product'
              ? c.product_concealment?.has(item.key)
              : item.kind === 'product_at_member'
                ? (c.product?.get(item.product!)?.members as Set<string> | undefined)?.has(item.member!)
                : c.product?.has(item.key);
    if (has) return w.week;
  }
  return undefined;
}

/** A tested item as a signal: its lines from the line counts (`shown`), its tested count as `cases`. */
function asNewSignal(item: TestedNewItem, week: string, shown: DimensionCounts): NewSignal {
  const { flagged: _f, kind, ...rest } = item;
  const dim =
    kind === 'route'
      ? 'route'
      : kind === 'origin'
        ? 'origin'
        : kind === 'transit'
          ? 'transit'
          : kind === 'concealment_for_product'
            ? 'product_concealment'
            : 'product';
  const lines = kind === 'product_at_member' ? undefined : linesIn(shown, dim, item.key);
  return {
    kind: 'new',
    novelty: kind,
    week,
    ...rest,
    ...(lines !== undefined ? { lines, ...(item.lines !== undefined ? { cases: item.lines } : {}) } : {}),
    ...(item.q !== undefined ? { evidence: evidenceOf(item.q) } : {}),
    effect: Math.log(1 + (item.kind === 'product_multi_member' ? item.members : (item.lines ?? 0))),
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** The analysis of a run's aggregate. */
export function analyse(input: PhaseCloseInput, config: OperationConfig, agg: AggregateJson): AnalysisJson {
  const th = config.thresholds;
  const phases = phasesThrough(config, input.phase);
  const current = phaseOfInput(config, input);
  const idx = phases.findIndex((p) => p.phase === current.phase);
  const previous = idx > 0 ? phases[idx - 1]! : undefined;
  const aggOf = (p: Phase): PhaseAggJson => {
    const a = agg.phases.find((x) => x.phase === p.phase);
    if (!a) throw new RangeError(`analyse: the aggregate has no phase ${p.phase}`);
    return a;
  };
  const firstMonday = weekOf(phases[0]!.start);
  /** Phases pooled as one period: cases add, exposures add (so the rate is exposure-weighted), reporters unite. */
  const trendsPhase = (ps: readonly Phase[]): PhaseAggregate => {
    const reporters = new Set(ps.flatMap((p) => reportersOf(aggOf(p))));
    const exposure = ps.reduce((t, p) => t + phaseExposure(aggOf(p), p, input), 0);
    return {
      phase: ps[ps.length - 1]!.phase,
      weeks: exposure / Math.max(1, reporters.size),
      participatingMembers: Math.max(1, reporters.size),
      counts: phaseCounts(
        ps.map(aggOf),
        ['product', 'origin', 'route', 'transport_mode', 'concealment', 'product_concealment', 'profile'],
        true,
      ),
    };
  };
  const TREND_DIMS = ['product', 'origin', 'route', 'transport_mode', 'concealment'];
  const cur = trendsPhase([current]);
  const prev = previous && reportersOf(aggOf(previous)).length > 0 ? trendsPhase([previous]) : undefined;
  // Trends compare the phase with every earlier phase pooled (those with reporters): a single previous phase as the
  // baseline left a 3x rise on 10 expected lines undetected about half the time (README, ## Analysis).
  const basePhases = trendBaseline(phases.slice(0, idx), (p) => reportersOf(aggOf(p)).length);
  // Only final runs test trends; a baseline of the previous phase alone is `prev`, already built.
  const base =
    input.mode !== 'final' || basePhases.length === 0
      ? undefined
      : basePhases.length === 1 && basePhases[0] === previous && prev
        ? prev
        : trendsPhase(basePhases);

  // Trends (final, from the second phase on, when the phase and some earlier phase have reporters).
  let tested = 0;
  const families: Record<string, number> = {};
  const flagged: TrendSignal[] = [];
  if (input.mode === 'final' && base && reportersOf(aggOf(current)).length > 0) {
    const all = phaseOverPhase(base, cur, {
      trendQ: th.trendQ,
      trendRatio: th.trendRatio,
      trendMinCount: th.trendMinCount,
      testMinCount: th.trendMinCount,
      minMembers: th.trendMinMembers,
      familyPerDimension: true,
      discreteFamily: true,
      // A key whose earlier phases disagree is compared with the latest of them alone (rate-ratio.ts).
      ...(prev && basePhases.length > 1 && basePhases.at(-1) === previous ? { latest: prev } : {}),
    });
    tested = all.length;
    for (const t of all) if (t.inFamily) families[t.dimension] = (families[t.dimension] ?? 0) + 1;
    const l0 = phaseCounts(basePhases.map(aggOf), TREND_DIMS);
    // Lines of the latest phase alone, for keys compared with it (only a pool of several phases has such keys).
    const lLatest = previous && basePhases.length > 1 ? phaseCounts([aggOf(previous)], TREND_DIMS) : l0;
    const l1 = phaseCounts([aggOf(current)], TREND_DIMS);
    const pooled = basePhases.map((p) => p.phase);
    for (const t of all) {
      if (t.trend === 'none') continue;
      const rr = Number.isFinite(t.rateRatio) ? t.rateRatio : null;
      flagged.push({
        kind: t.trend,
        dimension: t.dimension,
        key: t.key,
        earlier: {
          phase: t.earlier.phase,
          phases: t.baseline === 'latest' ? [t.earlier.phase] : pooled,
          lines: linesIn(t.baseline === 'latest' ? lLatest : l0, t.dimension, t.key),
          members: t.earlier.members,
          cases: t.earlier.lines,
        },
        later: { phase: t.later.phase, lines: linesIn(l1, t.dimension, t.key), members: t.later.members, cases: t.later.lines },
        rateRatio: rr,
        ci: { low: t.ci.low, high: Number.isFinite(t.ci.high) ? t.ci.high : null },
        exposure: { earlier: t.earlier.exposure, later: t.later.exposure },
        p: t.p,
        q: t.q,
        evidence: evidenceOf(t.q),
        effect: rr === null ? 10 : Math.abs(Math.log(rr)),
      });
    }
  }

  // The window whose signals are reported, and the weeks tested for alarms.
  let window: { from: string; to: string } | null;
  let lastWeek: string;
  if (input.mode === 'final') {
    window = { from: current.start, to: current.end };
    lastWeek = weekOf(current.end);
  } else {
    lastWeek = lastCompleteWeek(input.asOf);
    window = lastWeek >= firstMonday ? { from: lastWeek, to: addDays(lastWeek, 6) } : null;
  }

  const alarms: AlarmSignal[] = [];
  if (window) {
    const weeks = operationWeeks(agg, firstMonday, lastWeek);
    const caseWeeks = operationWeeks(agg, firstMonday, lastWeek, true);
    const exposures = weekExposures(agg, phases, input, firstMonday, lastWeek).map((x) => x.exposure);
    const from = input.mode === 'final' ? weekOf(current.start) : lastWeek;
    const test = weeks.map((w, i) => (w.week >= from ? i : -1)).filter((i) => i >= 0);
    alarms.push(...(th.alarmMethod === 'ears' ? earsAlarms(weeks, test, th) : exactAlarms(weeks, caseWeeks, exposures, test, th)));
  }

  // New items: the window against everything before it.
  const newOnes: NewSignal[] = [];
  const annex: NewSignal[] = [];
  let exposure = { window: 0, baseline: 0, reporters: reportersOf(aggOf(current)).length };
  const novelty = { q: th.noveltyQ, minLines: th.noveltyMinLines, minMembers: th.noveltyMinMembers, minNewMembers: th.newMembersMin };
  if (input.mode === 'final' && previous) {
    const before = phases.slice(0, idx).map(aggOf);
    const E0 = phases.slice(0, idx).reduce((t, p) => t + phaseExposure(aggOf(p), p, input), 0);
    const E1 = phaseExposure(aggOf(current), current, input);
    exposure = { window: E1, baseline: E0, reporters: reportersOf(aggOf(current)).length };
    const items = testNewItems(
      {
        baseline: phaseCounts(before, NOVELTY_DIMS, true),
        window: phaseCounts([aggOf(current)], NOVELTY_DIMS, true),
        baselineExposure: E0,
        windowExposure: E1,
        windowWeeks: cur.weeks,
        windowReporters: new Set(reportersOf(aggOf(current))),
      },
      novelty,
    );
    const weeks = Object.keys(aggOf(current).weeks)
      .sort()
      .map((w) => ({ week: w, counts: weekCounts([aggOf(current)], (x) => x === w) }));
    const shown = phaseCounts([aggOf(current)], NOVELTY_DIMS);
    for (const item of items)
      (item.flagged ? newOnes : annex).push(asNewSignal(item, firstWeek(item, weeks) ?? weekOf(current.start), shown));
  } else if (input.mode === 'interim' && window && lastWeek > firstMonday) {
    const exps = weekExposures(agg, phases, input, firstMonday, lastWeek);
    const E1 = exps[exps.length - 1]!.exposure;
    const E0 = exps.slice(0, -1).reduce((t, x) => t + x.exposure, 0);
    const reporters = weekReporters(agg, phases, lastWeek);
    exposure = { window: E1, baseline: E0, reporters: reporters.size };
    const items = testNewItems(
      {
        baseline: weekCounts(agg.phases, (w) => w < lastWeek, true),
        window: weekCounts(agg.phases, (w) => w === lastWeek, true),
        baselineExposure: E0,
        windowExposure: E1,
        windowWeeks: reporters.size ? E1 / reporters.size : 1,
        windowReporters: reporters,
      },
      novelty,
    );
    const shown = weekCounts(agg.phases, (w) => w === lastWeek);
    for (const item of items) (item.flagged ? newOnes : annex).push(asNewSignal(item, lastWeek, shown));
  }

  const outliers = outliersOf(agg, th.outlierScore, window, input.mode);
  // Outliers are listed whatever their chance; they are signals only when unlikely among so many seizures.
  const outlierSignals: OutlierSignal[] = outliers.groups
    .filter((g) => (g.q ?? g.p ?? 1) < OUTLIER_SIGNAL_P && g.n >= OUTLIER_MIN_N)
    .map((g) => ({
      kind: 'outlier',
      product: g.product,
      unit: g.unit,
      count: g.count,
      maxScore: g.maxScore,
      ...(g.q !== undefined ? { p: g.q } : {}),
      // One seizure, however far from the rest, is one observation: its evidence is capped at OUTLIER_EVIDENCE_CAP.
      evidence: Math.min(OUTLIER_EVIDENCE_CAP, evidenceOf(g.q ?? g.p ?? 1)),
      effect: g.maxScore,
    }));

  const riskProfiles = rankRiskProfiles(cur, prev, { top: RISK_TOP, minMembers: th.riskMinMembers, byLowerBound: true });

  const analystsSignals = mergeSameLines([...flagged, ...alarms, ...newOnes, ...outlierSignals]);
  const productMembers = (p: string) => aggOf(current).by.product[p]?.members.length ?? 0;
  const signals = analystsSignals.filter((s) => forNcp(s, th, { productMembers }));
  const counts = countSignals(signals);
  return {
    schema: 'phase-analysis/1',
    operation: input.operation,
    phase: input.phase,
    mode: input.mode,
    asOf: input.asOf,
    runLabel: agg.runLabel,
    window,
    comparedWith: input.mode === 'final' && previous ? previous.phase : null,
    comparedWithPhases: input.mode === 'final' && base ? basePhases.map((p) => p.phase) : [],
    trends: { tested, flagged: sortSignals(flagged), families },
    alarms: sortSignals(alarms),
    newItems: sortSignals(newOnes),
    annex,
    outliers,
    riskProfiles,
    signals,
    analystsSignals,
    counts,
    exposure,
    alert: alertOf(input.mode, analystsSignals, th),
  };
}
