/**
 * The summary of a run (summary.json, and what the xlsx and html show), in two versions:
 * - `ncp`: for every Member's National Contact Point: aggregates only. No case reference, remark, location or
 *   individual seizure of any Member appears in it (outliers are counted per product, without sizes). Small cells
 *   stay private: a breakdown row, risk profile, trend, alarm or new item resting on fewer than
 *   thresholds.minCellMembers Members is merged into "other" (rows) or left to the analysts (signals); byMember is
 *   therefore one "other" row, the totals (each NCP's email adds that reader's own row). Sentences are plain words.
 * - `analysts`: everything: every row, every flagged signal (small cells and Members' own first times included),
 *   the outlier seizures with their Member, case reference, file and row, the outlier scales; sentences with p and q.
 * Every figure is a sum or count over the stored lines (aggregate.ts); cumulative = all phases up to the closed one.
 */
import type { OperationConfig } from '../operation/config.ts';
import type { RiskProfile } from '../trends/index.ts';
import { mergePhaseAggs, weekOf, type AggregateJson, type Breakdown, type PhaseAggJson } from './aggregate.ts';
import { addDays } from '../operation/days.ts';
import {
  alertOf,
  countedDays,
  countSignals,
  forNcp,
  type AlarmSignal,
  type AnalysisJson,
  type NewSignal,
  type OutlierGroup,
  type OutlierSeizure,
  type Signal,
  type SignalCounts,
  type TrendSignal,
} from './analyse.ts';
import { phaseOfInput, phasesThrough, type PhaseCloseInput } from './input.ts';
import { count, counted, keyLabel, type LabelDimension } from './text.ts';
import { signalText } from './sentences.ts';
import { categoryOfProduct } from '../vocabulary/vocab.ts';

export type SummaryVersion = 'ncp' | 'analysts';

export interface BreakdownRow {
  key: string;
  label: string;
  lines: number;
  units: number;
  kg: number;
  litres: number;
  /** Reporting Members. */
  members: number;
  /** Only by Member. */
  cases?: number;
  /** Only by product. */
  category?: string;
}

export interface Figures {
  lines: number;
  cases: number;
  reportingMembers: number;
  participatingMembers: number;
  units: { total: number; pieces: number; doses: number; packs: number };
  kg: number;
  litres: number;
  value: { currency: string; amount: number; lines: number }[];
  byCategory: BreakdownRow[];
  byProduct: BreakdownRow[];
  byMember: BreakdownRow[];
  byOrigin: BreakdownRow[];
  byRoute: BreakdownRow[];
  byTransportMode: BreakdownRow[];
  byConcealment: BreakdownRow[];
  byDetection: BreakdownRow[];
  byInfringement: BreakdownRow[];
  /** Seizure lines per week (Monday, UTC), every week of the period, empty ones included. */
  weekly: { week: string; lines: number }[];
}

export interface SignalEntry {
  /** The signal in one English sentence, with its figures (ncp: plain words; analysts: with p and q). */
  text: string;
  signal: Signal;
}

/** Label of the row small cells are merged into. */
export const OTHER_KEY = 'other';

export interface SummaryJson {
  schema: 'phase-summary/1';
  version: SummaryVersion;
  operation: { id: string; name: string };
  phase: { phase: number; start: string; end: string };
  mode: PhaseCloseInput['mode'];
  asOf: string;
  runLabel: string;
  /** The days of the phase counted (interim: up to asOf). */
  counted: { from: string; to: string };
  /** The days whose signals are reported. */
  window: { from: string; to: string } | null;
  figures: { phase: Figures; cumulative: Figures };
  /** comparedWith: the previous phase; comparedWithPhases: the phases the trends pool as their baseline. */
  trends: {
    comparedWith: number | null;
    comparedWithPhases?: number[];
    tested: number;
    rising: TrendSignal[];
    falling: TrendSignal[];
  };
  alarms: AlarmSignal[];
  newItems: NewSignal[];
  /** ncp: per product and unit, counts only; analysts: with the scales and the seizures. */
  outliers: { groups: (Pick<OutlierGroup, 'product' | 'unit' | 'count'> & Partial<OutlierGroup>)[]; seizures?: OutlierSeizure[] };
  riskProfiles: RiskProfile[];
  /** Strongest first. */
  signals: SignalEntry[];
  signalCount: number;
  counts: SignalCounts;
  alert: boolean;
  thresholds: OperationConfig['thresholds'];
  /** The strongest signals (thresholds.headlineSignals), stated first in the reports and emails. */
  headline?: SignalEntry[];
  /** Weaker first sightings: listed, never an alert (ncp: no Member's own first time, no small cell). */
  annex?: SignalEntry[];
  /** Reporting Member-weeks of the window and of its baseline, and the window's reporting Members. */
  exposure?: AnalysisJson['exposure'];
  /** Small-cell rule applied (ncp): the minimum Members of a cell, and how many rows were merged into "other". */
  smallCells?: { minMembers: number; mergedRows: number };
}

/** Rounds away float noise (sums of decimal quantities) without touching whole numbers. */
export const tidy = (n: number): number => Math.round(n * 1e6) / 1e6;

const BREAKDOWN_LABEL: Readonly<Record<Exclude<Breakdown, 'product_concealment' | 'profile'>, LabelDimension>> = {
  category: 'category',
  product: 'product',
  member: 'member',
  origin: 'origin',
  route: 'route',
  transport_mode: 'transport_mode',
  concealment: 'concealment',
  detection: 'detection',
  infringement: 'infringement',
};

function rows(
  p: PhaseAggJson,
  b: Exclude<Breakdown, 'product_concealment' | 'profile'>,
  casesByMember?: Record<string, number>,
): BreakdownRow[] {
  return Object.entries(p.by[b])
    .map(([key, c]) => ({
      key,
      label: keyLabel(BREAKDOWN_LABEL[b], key),
      lines: c.lines,
      units: tidy(c.units),
      kg: tidy(c.kg),
      litres: tidy(c.litres),
      members: c.members.length,
      ...(b === 'member' ? { cases: casesByMember?.[key] ?? c.cases ?? 0 } : {}),
    }))
    .sort((x, y) => y.lines - x.lines || y.units - x.units || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/** Products with their category (from the vocabulary: a product code belongs to one category). */
function productRows(p: PhaseAggJson): BreakdownRow[] {
  return rows(p, 'product').map((r) => ({ ...r, category: categoryOfProduct(r.key) ?? 'unknown' }));
}

function weekly(p: PhaseAggJson, from: string, to: string): { week: string; lines: number }[] {
  const out: { week: string; lines: number }[] = [];
  for (let w = weekOf(from); w <= to; w = addDays(w, 7)) out.push({ week: w, lines: p.weeks[w]?.lines ?? 0 });
  return out;
}

function figures(
  p: PhaseAggJson,
  cases: number,
  config: OperationConfig,
  days: { from: string; to: string },
  casesByMember?: Record<string, number>,
): Figures {
  return {
    lines: p.lines,
    cases,
    reportingMembers: p.members.length,
    participatingMembers: config.members.length,
    units: { total: tidy(p.quantity.units), pieces: tidy(p.quantity.pieces), doses: tidy(p.quantity.doses), packs: tidy(p.quantity.packs) },
    kg: tidy(p.quantity.kg),
    litres: tidy(p.quantity.litres),
    value: Object.entries(p.value)
      .map(([currency, v]) => ({ currency, amount: tidy(v.amount), lines: v.lines }))
      .sort((a, b) => b.amount - a.amount || (a.currency < b.currency ? -1 : 1)),
    byCategory: rows(p, 'category'),
    byProduct: productRows(p),
    byMember: rows(p, 'member', casesByMember),
    byOrigin: rows(p, 'origin'),
    byRoute: rows(p, 'route'),
    byTransportMode: rows(p, 'transport_mode'),
    byConcealment: rows(p, 'concealment'),
    byDetection: rows(p, 'detection'),
    byInfringement: rows(p, 'infringement'),
    weekly: weekly(p, days.from, days.to),
  };
}

/** Merges rows from fewer than `min` Members into one "other" row (sums; its members: the rows' Members, at most). */
export function suppressSmallCells(rows: readonly BreakdownRow[], min: number): { rows: BreakdownRow[]; merged: number } {
  const keep = rows.filter((r) => r.members >= min && r.key !== OTHER_KEY);
  const small = rows.filter((r) => !(r.members >= min && r.key !== OTHER_KEY));
  if (small.length === 0) return { rows: [...rows], merged: 0 };
  const other: BreakdownRow = {
    key: OTHER_KEY,
    label: `Other (${counted(small.length, 'en', 'row', 'rows')} of fewer than ${count(min, 'member', 'en')} each)`,
    lines: small.reduce((t, r) => t + r.lines, 0),
    units: tidy(small.reduce((t, r) => t + r.units, 0)),
    kg: tidy(small.reduce((t, r) => t + r.kg, 0)),
    litres: tidy(small.reduce((t, r) => t + r.litres, 0)),
    members: small.reduce((t, r) => t + r.members, 0),
    ...(small.some((r) => r.cases !== undefined) ? { cases: small.reduce((t, r) => t + (r.cases ?? 0), 0) } : {}),
  };
  return { rows: [...keep, other], merged: small.length };
}

const BREAKDOWN_FIELDS = [
  'byCategory',
  'byProduct',
  'byMember',
  'byOrigin',
  'byRoute',
  'byTransportMode',
  'byConcealment',
  'byDetection',
  'byInfringement',
] as const;

function suppressFigures(f: Figures, min: number): { figures: Figures; merged: number } {
  let merged = 0;
  const out = { ...f };
  for (const k of BREAKDOWN_FIELDS) {
    const r = suppressSmallCells(f[k], min);
    out[k] = r.rows;
    merged += r.merged;
  }
  return { figures: out, merged };
}

/** The summary of a run in one version. */
export function buildSummary(
  input: PhaseCloseInput,
  config: OperationConfig,
  agg: AggregateJson,
  analysis: AnalysisJson,
  version: SummaryVersion,
): SummaryJson {
  const phase = phaseOfInput(config, input);
  const counted = countedDays(phase, input);
  const phases = phasesThrough(config, input.phase);
  const closed = agg.phases.find((p) => p.phase === input.phase);
  if (!closed) throw new RangeError(`buildSummary: the aggregate has no phase ${input.phase}`);
  const all = mergePhaseAggs(input.phase, agg.phases);
  let phaseFigures = figures(closed, closed.cases, config, { from: counted.start, to: counted.end });
  let cumulative = figures(all, agg.cumulativeCases, config, { from: phases[0]!.start, to: counted.end }, agg.cumulativeCasesByMember);
  const th = config.thresholds;
  const threshold = th.outlierScore;
  const ncp = version === 'ncp';
  let mergedRows = 0;
  if (ncp) {
    const a = suppressFigures(phaseFigures, th.minCellMembers);
    const b = suppressFigures(cumulative, th.minCellMembers);
    phaseFigures = a.figures;
    cumulative = b.figures;
    mergedRows = a.merged + b.merged;
  }
  const register = ncp ? 'plain' : 'analyst';
  // Older analyses (before analystsSignals) hold one list.
  const signals = ncp ? analysis.signals : (analysis.analystsSignals ?? analysis.signals);
  const visible = <T extends Signal>(xs: readonly T[]): T[] => (ncp ? xs.filter((x) => forNcp(x, th)) : [...xs]);
  const entry = (signal: Signal): SignalEntry => ({ text: signalText(signal, 'en', threshold, register), signal });
  const entries = signals.map(entry);
  const annex = visible(analysis.annex ?? []).map(entry);
  const outliers: SummaryJson['outliers'] =
    version === 'analysts'
      ? { groups: analysis.outliers.groups, seizures: analysis.outliers.seizures }
      : { groups: analysis.outliers.groups.map((g) => ({ product: g.product, unit: g.unit, count: g.count })) };
  return {
    schema: 'phase-summary/1',
    version,
    operation: { id: config.id, name: config.name },
    phase: { phase: phase.phase, start: phase.start, end: phase.end },
    mode: input.mode,
    asOf: input.asOf,
    runLabel: agg.runLabel,
    counted: { from: counted.start, to: counted.end },
    window: analysis.window,
    figures: { phase: phaseFigures, cumulative },
    trends: {
      comparedWith: analysis.comparedWith,
      comparedWithPhases: analysis.comparedWithPhases,
      tested: analysis.trends.tested,
      rising: visible(analysis.trends.flagged.filter((t) => t.kind === 'rising')),
      falling: visible(analysis.trends.flagged.filter((t) => t.kind === 'falling')),
    },
    alarms: visible(analysis.alarms),
    newItems: visible(analysis.newItems),
    outliers,
    riskProfiles: ncp
      ? analysis.riskProfiles.filter((r) => r.members >= th.minCellMembers).map((r, i) => ({ ...r, rank: i + 1 }))
      : analysis.riskProfiles,
    signals: entries,
    signalCount: entries.length,
    counts: ncp ? analysis.counts : countSignals(signals),
    alert: ncp ? alertOf(input.mode, signals, th) : analysis.alert,
    thresholds: config.thresholds,
    headline: entries.slice(0, th.headlineSignals),
    annex,
    ...(analysis.exposure ? { exposure: analysis.exposure } : {}),
    ...(ncp ? { smallCells: { minMembers: th.minCellMembers, mergedRows } } : {}),
  };
}
