/**
 * Signals: their shapes, the one evidence score that orders every kind, the merge of signals resting on the same
 * lines, who may read each (small cells), and the alert rule. See README.md (## Signals) for the rules in words.
 *
 * Evidence = min(10, -log10 q), q the signal's multiplicity-adjusted p:
 * - trend: BH q across every key tested phase over phase;
 * - alarm: BH q across the series tested that week (exact test), or for EARS 1 - Phi(score);
 * - new item: BH q across the novelty candidates;
 * - outlier: min(1, n P(Z > maxScore)) over the n seizures of the product and unit (a Bonferroni bound), its evidence
 *   capped at 3 (analyse.ts OUTLIER_EVIDENCE_CAP): one seizure is one observation, not a change in rates.
 * Ties by effect: |ln rate ratio| (trend), ln(count / expected) (alarm), ln(lines) (new), the score (outlier).
 */
import type { NoveltyKind } from '../trends/novelty.ts';
import type { Dimension } from '../trends/types.ts';
import type { Thresholds } from '../operation/config.ts';

/** The other names of a merged signal: what else the same lines showed. */
export interface SeenAs {
  readonly kind: Signal['kind'];
  readonly novelty?: NoveltyKind;
  readonly dimension?: Dimension;
  readonly key: string;
}

interface Scored {
  /** min(10, -log10 q): the one score every kind is ordered by. */
  readonly evidence?: number;
  /** The tie-break: size of the effect (see the module comment). */
  readonly effect?: number;
  /** Signals merged into this one because they rest on the same lines. */
  readonly alsoSeenAs?: readonly SeenAs[];
}

export interface TrendSignal extends Scored {
  readonly kind: 'rising' | 'falling';
  readonly dimension: Dimension;
  readonly key: string;
  /** Lines and Members of each phase, and the cases the test counted (a case's lines are one seizure event). */
  /** earlier: `phase` the latest phase of the baseline, `phases` every phase pooled in it (older reports: phase only). */
  readonly earlier: {
    readonly phase: number;
    readonly phases?: readonly number[];
    readonly lines: number;
    readonly members: number;
    readonly cases?: number;
  };
  readonly later: { readonly phase: number; readonly lines: number; readonly members: number; readonly cases?: number };
  /** Rate of cases per reporting Member-week, later / earlier; null when the earlier phase had none (infinite). */
  readonly rateRatio: number | null;
  /** Exact 95% interval of the rate ratio; high null when infinite. */
  readonly ci?: { readonly low: number; readonly high: number | null };
  /** Reporting Member-weeks of the two phases. */
  readonly exposure?: { readonly earlier: number; readonly later: number };
  readonly p: number;
  readonly q: number;
}

export interface AlarmSignal extends Scored {
  readonly kind: 'alarm';
  readonly dimension: Dimension;
  readonly key: string;
  /** The strongest week (the latest for an interim run). */
  readonly week: string;
  readonly count: number;
  /**
   * EARS: the lowest bound crossed among the methods that alarmed. Exact: the smallest count that the week's test
   * alone would have called an alarm at the alarm level.
   */
  readonly upperBound: number;
  /** EARS: (count - mean) / sd. Exact: (count - expected) / sqrt(expected). */
  readonly score: number;
  readonly methods: ('c1' | 'c2' | 'exact')[];
  /**
   * Exact test (on cases: a case's lines are one event): Members in the week, the lines expected at the baseline's
   * rate, the cases seen and expected, mid-p and BH q, and the baseline (weeks, cases in them).
   */
  readonly members?: number;
  readonly expected?: number;
  readonly cases?: number;
  readonly expectedCases?: number;
  readonly p?: number;
  readonly q?: number;
  readonly baselineWeeks?: number;
  readonly baselineSum?: number;
  /** Every week of the window that alarmed for this key (a final run tests every week of the phase). */
  readonly weeks?: readonly string[];
}

/** A new item as a signal (flagged by trends/novelty-test.ts) or a weaker first sighting (the annex). */
export interface NewSignal extends Scored {
  readonly kind: 'new';
  readonly novelty: NoveltyKind;
  readonly key: string;
  /** The week (Monday) it was first seen. */
  readonly week: string;
  readonly product?: string;
  readonly concealment?: string;
  readonly route?: string;
  readonly origin?: string;
  readonly transit?: string;
  /** Only product_at_member (analysts only). */
  readonly member?: string;
  readonly lines?: number;
  /** The cases the rise-from-zero test counted. */
  readonly cases?: number;
  readonly members: number;
  readonly eligible?: number;
  readonly expected?: number;
  readonly p?: number;
  readonly q?: number;
}

/** Seizures of a product and unit far larger than usual: a count only (the seizures are in the analysts' list). */
export interface OutlierSignal extends Scored {
  readonly kind: 'outlier';
  readonly product: string;
  readonly unit: string;
  readonly count: number;
  readonly maxScore?: number;
  readonly p?: number;
}

export type Signal = TrendSignal | AlarmSignal | NewSignal | OutlierSignal;

export interface SignalCounts {
  rising: number;
  falling: number;
  new: number;
  alarms: number;
  outliers: number;
}

/** Evidence of an adjusted p: min(10, -log10 q). */
export const evidenceOf = (q: number): number => (q > 0 ? Math.min(10, Math.max(0, -Math.log10(q))) : 10);

/** The lines a signal rests on (outliers rest on no particular count of lines: never merged). */
function linesOf(s: Signal): number | undefined {
  if (s.kind === 'rising') return s.later.lines;
  if (s.kind === 'falling') return s.earlier.lines;
  if (s.kind === 'alarm') return s.count;
  if (s.kind === 'new') return s.lines;
  return undefined;
}

function membersOf(s: Signal): number | undefined {
  if (s.kind === 'rising') return s.later.members;
  if (s.kind === 'falling') return s.earlier.members;
  if (s.kind === 'alarm') return s.members;
  if (s.kind === 'new') return s.novelty === 'product_multi_member' ? undefined : s.members;
  return undefined;
}

/** What a signal is about, as atoms two signals on the same lines share (a route's countries, a product...). */
function atomsOf(s: Signal): string[] {
  const route = (r: string) => [`route:${r}`, ...r.split('>').map((c) => `country:${c}`)];
  const byDim = (d: Dimension, k: string) => (d === 'route' ? route(k) : d === 'origin' ? [`country:${k}`] : [`${d}:${k}`]);
  if (s.kind === 'rising' || s.kind === 'falling' || s.kind === 'alarm') return byDim(s.dimension, s.key);
  if (s.kind === 'new') {
    if (s.route) return route(s.route);
    if (s.origin) return [`country:${s.origin}`];
    if (s.transit) return [`country:${s.transit}`];
    if (s.novelty === 'concealment_for_product') return [`product:${s.product}`, `concealment:${s.concealment}`];
    return [`product:${s.product}`];
  }
  return [];
}

const KIND_ORDER = ['rising', 'alarm', 'new', 'falling', 'outlier'] as const;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const keyOf = (s: Signal): string => (s.kind === 'outlier' ? `${s.product}\u0000${s.unit}` : s.key);

/** Strongest first: evidence, then effect, then kind and key (deterministic). */
export function compareSignals(a: Signal, b: Signal): number {
  return (
    (b.evidence ?? 0) - (a.evidence ?? 0) ||
    (b.effect ?? 0) - (a.effect ?? 0) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    cmp(keyOf(a), keyOf(b))
  );
}

export const sortSignals = <T extends Signal>(signals: readonly T[]): T[] => [...signals].sort(compareSignals);

/**
 * Merges signals that rest on the same lines: signals (trend, alarm or new item) with the same number of lines and
 * of Members, about something in common (a route and its origin, a product and its concealment...) or with at least
 * SAME_LINES_MIN lines, are one finding. The most telling stays (a new route over its origin and transit countries,
 * with the strongest evidence of them all); the others are named in its alsoSeenAs.
 */
export function mergeSameLines(signals: readonly Signal[]): Signal[] {
  // A weekly alarm on a key that also rises over the phase rests on some of the same lines: the rise is the finding,
  // the alarm's weeks its detail (the rise takes the stronger evidence of the two).
  const rises = new Map<string, TrendSignal>();
  for (const s of signals) if (s.kind === 'rising') rises.set(`${s.dimension}\u0000${s.key}`, s);
  const absorbed = new Map<TrendSignal, AlarmSignal[]>();
  const rest: Signal[] = [];
  for (const s of signals) {
    const host = s.kind === 'alarm' ? rises.get(`${s.dimension}\u0000${s.key}`) : undefined;
    if (host && s.kind === 'alarm') absorbed.set(host, [...(absorbed.get(host) ?? []), s]);
    else rest.push(s);
  }
  const lifted = rest.map((s) => {
    const al = s.kind === 'rising' ? absorbed.get(s) : undefined;
    if (!al) return s;
    const seen: SeenAs[] = al.map((a) => ({ kind: 'alarm', dimension: a.dimension, key: a.key }));
    return { ...s, evidence: Math.max(s.evidence ?? 0, ...al.map((a) => a.evidence ?? 0)), alsoSeenAs: [...(s.alsoSeenAs ?? []), ...seen] };
  });
  // Components of signals on the same lines (union-find over pairs), each shown as its most telling member.
  const n = lifted.length;
  const parent = lifted.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const atoms = lifted.map((x) => new Set(atomsOf(x)));
  for (let i = 0; i < n; i++) {
    const li = linesOf(lifted[i]!);
    if (li === undefined) continue;
    for (let j = i + 1; j < n; j++) {
      if (linesOf(lifted[j]!) !== li || membersOf(lifted[j]!) !== membersOf(lifted[i]!)) continue;
      const shared = [...atoms[i]!].some((a) => atoms[j]!.has(a));
      // Unrelated findings rarely share exactly the same count of lines and of Members once there are many lines.
      if (shared || li >= SAME_LINES_MIN) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, Signal[]>();
  lifted.forEach((x, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), x]));
  const out: Signal[] = [];
  for (const g of groups.values()) {
    const host = [...g].sort((a, b) => (b.evidence ?? 0) - (a.evidence ?? 0) || hostRank(b) - hostRank(a) || compareSignals(a, b))[0]!;
    const seen: SeenAs[] = [...(host.alsoSeenAs ?? [])];
    for (const x of g) {
      if (x === host) continue;
      seen.push({
        kind: x.kind,
        ...(x.kind === 'new' ? { novelty: x.novelty } : {}),
        ...('dimension' in x ? { dimension: x.dimension } : {}),
        key: keyOf(x),
      });
      seen.push(...(x.alsoSeenAs ?? []));
    }
    out.push(seen.length ? { ...host, evidence: Math.max(...g.map((x) => x.evidence ?? 0)), alsoSeenAs: seen } : host);
  }
  return sortSignals(out);
}

/** Signals with this many lines or more, and as many Members, are taken to rest on the same lines even without a common key. */
export const SAME_LINES_MIN = 10;

/** Which of merged signals names the finding best: a new route (the whole path) over its origin, transit, a rise... */
function hostRank(s: Signal): number {
  if (s.kind === 'new')
    return { route: 6, origin: 5, transit: 4, concealment_for_product: 3, product_multi_member: 3, product_at_member: 0 }[s.novelty];
  return s.kind === 'rising' || s.kind === 'falling' ? 2 : s.kind === 'alarm' ? 1 : 0;
}

/**
 * Whether every National Contact Point may read a signal: not a Member's own first time, and resting on at least
 * minCellMembers Members (a cell of fewer would single out one Member's seizures). Outliers are counts per product:
 * given `cells`, only of a product that at least minCellMembers Members seized in the phase (a count of unusually
 * large seizures of a product one Member seizes is that Member's).
 */
export function forNcp(
  s: Signal,
  th: Pick<Thresholds, 'minCellMembers'>,
  cells?: { readonly productMembers: (product: string) => number },
): boolean {
  if (s.kind === 'new' && s.novelty === 'product_at_member') return false;
  if (s.kind === 'outlier') return cells === undefined || cells.productMembers(s.product) >= th.minCellMembers;
  const m = s.kind === 'new' ? s.members : membersOf(s);
  return m === undefined || m >= th.minCellMembers;
}

/**
 * The side of a trend resting on fewer than minCellMembers Members (but some lines), whose figures an NCP sentence
 * must not state ("from a few seizures"): forNcp lets a trend through on its larger side (the rise's later phase, the
 * fall's earlier one), and the other side may be one Member's (the demo's split consignments: 3 lines of 1 Member in
 * phase 1, then 24 of 8). Undefined for other kinds and when both sides rest on enough Members or none.
 */
export function smallSideOf(s: Signal, th: Pick<Thresholds, 'minCellMembers'>): 'earlier' | 'later' | undefined {
  if (s.kind !== 'rising' && s.kind !== 'falling') return undefined;
  const small = (x: { lines: number; members: number }) => x.lines > 0 && x.members < th.minCellMembers;
  return small(s.earlier) ? 'earlier' : small(s.later) ? 'later' : undefined;
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

/**
 * The alert rule: a final run always sends its phase summary; an interim run only when some signal reaches the
 * alert evidence (thresholds.alertEvidence). A quiet week sends nothing.
 */
export function alertOf(mode: 'final' | 'interim', signals: readonly Signal[], th: Pick<Thresholds, 'alertEvidence'>): boolean {
  return mode === 'final' || signals.some((s) => (s.evidence ?? 0) >= th.alertEvidence);
}
