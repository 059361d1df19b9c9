/**
 * Trends and risk indicators of a run, from its merged aggregate, with the detectors of functions/core/trends:
 *
 * - final: phaseOverPhase (the closed phase against the one before; rising/falling as flagged there), new items first
 *   seen in the closed phase (from phase 2 on: in the first phase everything is new), size outliers among the closed
 *   phase's seizures, risk profiles ranked against the previous phase;
 * - interim: EARS C1 and C2 (weeklyAlarms, latest week only) per product and per route over every week of the
 *   operation up to the latest complete week (Monday to Sunday, on or before asOf), new items first seen in that week,
 *   size outliers among that week's seizures, risk profiles of the phase so far.
 *
 * New items use weeks as periods (a route with an unknown end, or a product's "unknown" concealment, is not news) (a product newly seized by 2+ Members "in the same week"); the week a phase starts
 * in is split between the two phases, so that a final run lists exactly what first appeared within its phase.
 *
 * Size outliers: the modified z-score of trends/outliers.ts (0.6745 (log10 q - median) / MAD within a product and
 * unit, flagged above thresholds.outlierScore), with the median and MAD taken from the size distribution of all the
 * operation's lines so far (the aggregate keeps it per product and unit, not the lines), and the candidates from the
 * largest lines kept per slice. Equal to sizeOutliers on the same lines while a product and unit has at most
 * EXACT_SIZES_CAP distinct sizes (beyond, the distribution is binned: see aggregate.ts).
 *
 * Signals: what the reports and alerts list, strongest first (SIGNAL_ORDER, then within a kind by its statistic).
 */
import type { OperationConfig, Phase } from '../config.ts';
import {
  newItems as findNewItems,
  phaseOverPhase,
  rankRiskProfiles,
  weeklyAlarms,
  weeksIn,
  type Cell,
  type Counts,
  type Dimension,
  type DimensionCounts,
  type NewItem,
  type NoveltyKind,
  type PhaseAggregate,
  type RiskProfile,
  type WeekAggregate,
  type WeeklyAlarm,
  UNKNOWN,
} from '../trends/index.ts';
import { compareCandidates, mergePhaseAggs, sizeLog10Counts, weekOf, WEEK_DIMENSIONS, type AggregateJson, type Candidate, type PhaseAggJson, type SizesJson, type WeekDimension } from './aggregate.ts';
import { addDays } from '../days.ts';
import { phaseOfInput, phasesThrough, type PhaseCloseInput } from './input.ts';

export interface TrendSignal {
  readonly kind: 'rising' | 'falling';
  readonly dimension: Dimension;
  readonly key: string;
  readonly earlier: { readonly phase: number; readonly lines: number; readonly members: number };
  readonly later: { readonly phase: number; readonly lines: number; readonly members: number };
  /** Rate per Member-week, later / earlier; null when the earlier phase had none (infinite). */
  readonly rateRatio: number | null;
  readonly p: number;
  readonly q: number;
}

export interface AlarmSignal {
  readonly kind: 'alarm';
  readonly dimension: Dimension;
  readonly key: string;
  readonly week: string;
  readonly count: number;
  /** The lowest bound crossed among the methods that alarmed. */
  readonly upperBound: number;
  readonly score: number;
  readonly methods: ('c1' | 'c2')[];
}

/** A new item (trends/novelty.ts) as a signal: its kind is the `novelty`, the period it was first seen a `week`. */
export interface NewSignal extends Omit<NewItem, 'kind' | 'firstSeen'> {
  readonly kind: 'new';
  readonly novelty: NoveltyKind;
  /** The week (Monday) it was first seen. */
  readonly week: string;
}

/** Seizures of a product and unit far larger than usual: a count only (the seizures are in the analysts' list). */
export interface OutlierSignal {
  readonly kind: 'outlier';
  readonly product: string;
  readonly unit: string;
  readonly count: number;
}

export type Signal = TrendSignal | AlarmSignal | NewSignal | OutlierSignal;

export interface SignalCounts {
  rising: number;
  falling: number;
  new: number;
  alarms: number;
  outliers: number;
}

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
}

export interface AnalysisJson {
  schema: 'phase-analysis/1';
  operation: string;
  phase: number;
  mode: PhaseCloseInput['mode'];
  asOf: string;
  runLabel: string;
  /** The days whose signals are reported (final: the phase; interim: the latest complete week, or null if none). */
  window: { from: string; to: string } | null;
  /** The phase compared with (final, from phase 2 on). */
  comparedWith: number | null;
  trends: { tested: number; flagged: TrendSignal[] };
  alarms: AlarmSignal[];
  newItems: NewSignal[];
  outliers: { groups: OutlierGroup[]; seizures: OutlierSeizure[] };
  riskProfiles: RiskProfile[];
  /** Strongest first. */
  signals: Signal[];
  counts: SignalCounts;
  /** Whether this run sends an alert: a final run always, an interim run when it finds new or rising signals. */
  alert: boolean;
}

export const RISK_TOP = 20;

const TREND_DIMENSIONS: readonly Dimension[] = ['product', 'origin', 'route', 'transport_mode', 'concealment'];

// ---------------------------------------------------------------------------------------------------------------
// Aggregates as the detectors read them

function countsOf(cells: Record<string, { lines: number; members: string[] }> | undefined): Counts {
  const m = new Map<string, Cell>();
  for (const [k, c] of Object.entries(cells ?? {})) m.set(k, { lines: c.lines, members: new Set(c.members) });
  return m;
}

function dimensionCounts(p: PhaseAggJson): DimensionCounts {
  return {
    product: countsOf(p.by.product),
    origin: countsOf(p.by.origin),
    route: countsOf(p.by.route),
    transport_mode: countsOf(p.by.transport_mode),
    concealment: countsOf(p.by.concealment),
    product_concealment: countsOf(p.by.product_concealment),
    profile: countsOf(p.by.profile),
  };
}

/** The days of a phase a run counts: all of it, or up to asOf for an interim run. */
export function countedDays(phase: Phase, input: PhaseCloseInput): { start: string; end: string } {
  const end = input.mode === 'interim' && input.asOf < phase.end ? input.asOf : phase.end;
  // biome-ignore lint/complexity/useMathMinMax: the days are ISO strings, compared as such; Math.max would give NaN.
  return { start: phase.start, end: end < phase.start ? phase.start : end };
}

function trendsPhase(p: PhaseAggJson, phase: Phase, input: PhaseCloseInput, config: OperationConfig): PhaseAggregate {
  return {
    phase: p.phase,
    weeks: weeksIn(countedDays(phase, input)),
    participatingMembers: Math.max(1, config.members.length),
    counts: dimensionCounts(p),
  };
}

/** The latest complete week (Monday) on or before a day: the week ending on the last Sunday <= day. */
export const lastCompleteWeek = (day: string): string => addDays(weekOf(addDays(day, 1)), -7);

// ---------------------------------------------------------------------------------------------------------------
// Outliers from size distributions

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
export function logScale(s: Pick<SizesJson, 'binned' | 'counts'>): { median: number; mad: number; n: number } {
  const pairs = sizeLog10Counts(s);
  const median = weightedMedian(pairs);
  const dev = pairs.map(([v, n]) => [Math.abs(v - median), n] as const).sort((a, b) => a[0] - b[0]);
  return { median, mad: weightedMedian(dev), n: pairs.reduce((t, [, n]) => t + n, 0) };
}

/** The modified z-score of a size against a scale (trends/outliers.ts). */
export const sizeScore = (quantity: number, s: { median: number; mad: number }): number => (0.6745 * (Math.log10(quantity) - s.median)) / s.mad;

function outliersOf(
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
    if (!(scale.mad > 0)) continue; // score undefined: no outlier for this product and unit
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
      count = sizeLog10Counts(closed.sizes[gk]!).reduce((t, [lg, n]) => t + ((0.6745 * (lg - scale.median)) / scale.mad > threshold ? n : 0), 0);
      count = Math.max(count, found.length);
    }
    if (count === 0) continue;
    seizures.push(...found);
    groups.push({
      product: ref.product,
      unit: ref.unit,
      count,
      maxScore: found.length ? Math.max(...found.map((f) => f.score)) : threshold,
      n: scale.n,
      medianLog10: scale.median,
      madLog10: scale.mad,
    });
  }
  groups.sort((a, b) => b.maxScore - a.maxScore || b.count - a.count || cmp(a.product, b.product) || cmp(a.unit, b.unit));
  seizures.sort((a, b) => b.score - a.score || compareCandidates(a, b));
  return { groups, seizures };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------------
// Weeks

/** Every week of the operation from its first to `last`, summed across phases, empty weeks included. */
function operationWeeks(agg: AggregateJson, first: string, last: string): WeekAggregate[] {
  const out: WeekAggregate[] = [];
  for (let w = first; w <= last; w = addDays(w, 7)) {
    const parts = agg.phases.map((p) => p.weeks[w]).filter((x) => x !== undefined);
    const counts: Partial<Record<WeekDimension, Map<string, { lines: number; members: Set<string> }>>> = {};
    for (const d of WEEK_DIMENSIONS) {
      const m = new Map<string, { lines: number; members: Set<string> }>();
      for (const part of parts) {
        for (const [k, c] of Object.entries(part.by[d])) {
          const t = m.get(k) ?? { lines: 0, members: new Set<string>() };
          t.lines += c.lines;
          for (const x of c.members) t.members.add(x);
          m.set(k, t);
        }
      }
      counts[d] = m;
    }
    out.push({ week: w, counts });
  }
  return out;
}

const periodLabel = (week: string, phaseIndex: number): string => `${week}#${String(phaseIndex).padStart(3, '0')}`;

// ---------------------------------------------------------------------------------------------------------------
// Signals

/** Kinds in the order signals are listed; within one, by its statistic. */
export const SIGNAL_ORDER = [
  'rising',
  'alarm',
  'new:product_multi_member',
  'outlier',
  'new:concealment_for_product',
  'new:route',
  'new:origin',
  'falling',
  'new:product_at_member',
] as const;

const tierOf = (s: Signal): number => SIGNAL_ORDER.indexOf((s.kind === 'new' ? `new:${s.novelty}` : s.kind) as (typeof SIGNAL_ORDER)[number]);

function keyOf(s: Signal): string {
  return s.kind === 'outlier' ? `${s.product}\u0000${s.unit}` : s.key;
}

/** Sorts signals strongest first (see SIGNAL_ORDER); `outlierRank` orders outlier signals (by their largest score). */
export function sortSignals(signals: Signal[], outlierRank: (s: OutlierSignal) => number = () => 0): Signal[] {
  const within = (a: Signal, b: Signal): number => {
    if ((a.kind === 'rising' || a.kind === 'falling') && (b.kind === 'rising' || b.kind === 'falling')) {
      const ra = a.rateRatio ?? Infinity;
      const rb = b.rateRatio ?? Infinity;
      return a.q - b.q || (a.kind === 'rising' ? rb - ra : ra - rb);
    }
    if (a.kind === 'alarm' && b.kind === 'alarm') return b.score - a.score || b.count - a.count;
    if (a.kind === 'new' && b.kind === 'new') return b.members - a.members || (b.lines ?? 0) - (a.lines ?? 0) || cmp(a.week, b.week);
    if (a.kind === 'outlier' && b.kind === 'outlier') return outlierRank(b) - outlierRank(a) || b.count - a.count;
    return 0;
  };
  return [...signals].sort((a, b) => tierOf(a) - tierOf(b) || within(a, b) || cmp(keyOf(a), keyOf(b)));
}

export function countSignals(signals: readonly Signal[]): SignalCounts {
  const c: SignalCounts = { rising: 0, falling: 0, new: 0, alarms: 0, outliers: 0 };
  for (const s of signals) {
    if (s.kind === 'rising') c.rising++;
    else if (s.kind === 'falling') c.falling++;
    else if (s.kind === 'new') c.new++;
    else if (s.kind === 'alarm') c.alarms++;
    else c.outliers++;
  }
  return c;
}

/** A final run always alerts; an interim one when it finds new or rising signals (weekly alarms are rises). */
export const alertRule = (mode: PhaseCloseInput['mode'], c: SignalCounts): boolean => mode === 'final' || c.new + c.rising + c.alarms > 0;

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
  const firstWeek = weekOf(phases[0]!.start);

  const cur = trendsPhase(aggOf(current), current, input, config);
  const prev = previous ? trendsPhase(aggOf(previous), previous, input, config) : undefined;

  // Trends (final, from the second phase on).
  let tested = 0;
  const flagged: TrendSignal[] = [];
  if (input.mode === 'final' && prev) {
    const all = phaseOverPhase(prev, cur, { trendQ: th.trendQ, trendRatio: th.trendRatio, trendMinCount: th.trendMinCount });
    tested = all.length;
    for (const t of all) {
      if (t.trend === 'none' || !TREND_DIMENSIONS.includes(t.dimension)) continue;
      flagged.push({
        kind: t.trend,
        dimension: t.dimension,
        key: t.key,
        earlier: { phase: t.earlier.phase, lines: t.earlier.lines, members: t.earlier.members },
        later: { phase: t.later.phase, lines: t.later.lines, members: t.later.members },
        rateRatio: Number.isFinite(t.rateRatio) ? t.rateRatio : null,
        p: t.p,
        q: t.q,
      });
    }
  }

  // The window whose signals are reported.
  let window: { from: string; to: string } | null;
  let lastWeek: string | undefined;
  if (input.mode === 'final') {
    window = { from: current.start, to: current.end };
  } else {
    lastWeek = lastCompleteWeek(input.asOf);
    window = lastWeek >= firstWeek ? { from: lastWeek, to: addDays(lastWeek, 6) } : null;
  }

  // Weekly alarms (interim).
  const alarms: AlarmSignal[] = [];
  if (input.mode === 'interim' && lastWeek !== undefined && lastWeek >= firstWeek) {
    const weeks = operationWeeks(agg, firstWeek, lastWeek);
    const byKey = new Map<string, AlarmSignal>();
    for (const method of ['c1', 'c2'] as const) {
      const found: WeeklyAlarm[] = weeklyAlarms(weeks, { dimensions: ['product', 'route'], method, alpha: th.earsAlpha, minSigma: th.earsMinSigma, latestOnly: true });
      for (const a of found) {
        const k = `${a.dimension}\u0000${a.key}`;
        const had = byKey.get(k);
        byKey.set(k, {
          kind: 'alarm',
          dimension: a.dimension,
          key: a.key,
          week: a.week,
          count: a.count,
          upperBound: had ? Math.min(had.upperBound, a.upperBound) : a.upperBound,
          score: had ? Math.max(had.score, a.score) : a.score,
          methods: [...(had?.methods ?? []), method],
        });
      }
    }
    alarms.push(...byKey.values());
  }

  // New items, with weeks as periods (split at phase starts).
  const newOnes: NewSignal[] = [];
  const reportFrom = input.mode === 'final' ? (previous ? periodLabel(weekOf(current.start), idx) : undefined) : window && window.from > firstWeek ? periodLabel(window.from, 0) : undefined;
  if (reportFrom !== undefined) {
    const periods = phases.flatMap((p, i) =>
      Object.entries(aggOf(p).weeks)
        .filter(([w]) => input.mode === 'final' || w <= lastWeek!)
        .map(([w, wk]) => ({
          period: periodLabel(w, i),
          counts: Object.fromEntries(WEEK_DIMENSIONS.map((d) => [d, countsOf(wk.by[d])])) as DimensionCounts,
        })),
    );
    for (const item of findNewItems(periods, { reportFrom }) as NewItem[]) {
      // A route or a concealment that is not known is no news.
      if (item.kind === 'concealment_for_product' && item.concealment === UNKNOWN) continue;
      if (item.kind === 'route' && item.route!.split('>').includes(UNKNOWN)) continue;
      newOnes.push({
        kind: 'new',
        novelty: item.kind,
        key: item.key,
        week: item.firstSeen.slice(0, 10),
        ...(item.product !== undefined ? { product: item.product } : {}),
        ...(item.concealment !== undefined ? { concealment: item.concealment } : {}),
        ...(item.route !== undefined ? { route: item.route } : {}),
        ...(item.origin !== undefined ? { origin: item.origin } : {}),
        ...(item.member !== undefined ? { member: item.member } : {}),
        ...(item.lines !== undefined ? { lines: item.lines } : {}),
        members: item.members,
      });
    }
  }

  const outliers = outliersOf(agg, th.outlierScore, window, input.mode);
  const outlierSignals: OutlierSignal[] = outliers.groups.map((g) => ({ kind: 'outlier', product: g.product, unit: g.unit, count: g.count }));
  const maxScore = new Map(outliers.groups.map((g) => [`${g.product}\u0000${g.unit}`, g.maxScore]));

  const riskProfiles = rankRiskProfiles(cur, prev, { top: RISK_TOP });

  const signals = sortSignals([...flagged, ...alarms, ...newOnes, ...outlierSignals], (s) => maxScore.get(`${s.product}\u0000${s.unit}`) ?? 0);
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
    trends: { tested, flagged: sortSignals(flagged) as TrendSignal[] },
    alarms: sortSignals(alarms) as AlarmSignal[],
    newItems: sortSignals(newOnes) as NewSignal[],
    outliers,
    riskProfiles,
    signals,
    counts,
    alert: alertRule(input.mode, counts),
  };
}
