/**
 * The summary of a run (summary.json, and what the xlsx and html show), in two versions:
 * - `ncp`: for every Member's National Contact Point: aggregates only. No case reference, remark, location or
 *   individual seizure of any Member appears in it (outliers are counted per product, without sizes). Small cells
 *   stay private (disclosure.ts: the threshold rule with secondary suppression): a breakdown row resting on fewer
 *   than thresholds.minCellMembers distinct Members is never shown alone nor recoverable by subtraction; routes are
 *   shown at a coarser level (origin → transit → region...) before anything is withheld; byMember is by WCO region
 *   (each NCP's email adds that reader's own row); weeks of too few Members are pooled; with fewer reporting Members
 *   than the threshold nothing is broken down. Risk profiles, trends, alarms and new items of too few Members are
 *   left to the analysts. Sentences are plain words.
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
import { keyLabel, type LabelDimension } from './text.ts';
import { signalText } from './sentences.ts';
import { categoryOfProduct } from '../vocabulary/vocab.ts';
import { UNKNOWN } from '../trends/types.ts';
import {
  OTHER,
  poolWeeks,
  protectCountries,
  protectRoutes,
  protectRows,
  regionRows,
  type BreakdownRow,
  type MemberSets,
  type WeekLines,
} from './disclosure.ts';

export type SummaryVersion = 'ncp' | 'analysts';

export type { BreakdownRow, WeekLines } from './disclosure.ts';

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
  weekly: WeekLines[];
  /** The reporting Members, named without any figure (naming who reported discloses no seizure). */
  reporters?: { key: string; label: string }[];
}

export interface SignalEntry {
  /** The signal in one English sentence, with its figures (ncp: plain words; analysts: with p and q). */
  text: string;
  signal: Signal;
}

/** Label of the row small cells are merged into. */
export const OTHER_KEY = OTHER;

/** What the NCP version withheld and why (disclosure.ts); the analysts' version withholds nothing. */
export interface Disclosure {
  /** The threshold: fewest distinct Members a figure shown rests on (thresholds.minCellMembers). */
  minMembers: number;
  /** The rule applied, and where it comes from. */
  rule: 'threshold-secondary';
  reference: string;
  /** Fewer reporting Members than the threshold: the totals alone, no breakdown and no weekly series. */
  breakdownWithheld: boolean;
  /** Rows withheld for resting on too few Members (primary) and to protect them (secondary), both periods. */
  primaryRows: number;
  secondaryRows: number;
  /** Weeks pooled with their neighbours (phase and cumulative series). */
  pooledWeeks: number;
}

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
  /** NCP version: the disclosure control applied (disclosure.ts, README "Disclosure control"). */
  disclosure?: Disclosure;
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

type TableBreakdown = Exclude<Breakdown, 'product_concealment' | 'profile'>;

function rows(p: PhaseAggJson, b: TableBreakdown, casesByMember?: Record<string, number>): BreakdownRow[] {
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

function weekly(p: PhaseAggJson, from: string, to: string): WeekLines[] {
  const out: WeekLines[] = [];
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
    reporters: p.members.map((m) => ({ key: m, label: keyLabel('member', m) })),
  };
}

/**
 * The threshold rule with secondary suppression on one table (disclosure.ts protectRows): rows of fewer than `min`
 * distinct Members are shown only together, in one "other" row of `min` Members or more and 2 rows or more. `sets`:
 * the Members of each row; without them a row's Members are taken to be the same as the other rows' (the fewest
 * distinct Members the rows could have), so nothing is shown that the sets could have withheld.
 */
export function suppressSmallCells(
  rows: readonly BreakdownRow[],
  min: number,
  sets?: MemberSets,
): { rows: BreakdownRow[]; merged: number } {
  const s = sets ?? new Map(rows.map((r) => [r.key, Array.from({ length: r.members }, (_, i) => `#${i}`)] as const));
  const p = protectRows(rows, s, { min });
  return { rows: p.rows, merged: p.primary + p.secondary };
}

/** The breakdown tables of a summary's figures, each withheld and merged by the same rules (disclosure.ts). */
export const BREAKDOWN_FIELDS = [
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

const FIELD_BREAKDOWN: Readonly<Record<(typeof BREAKDOWN_FIELDS)[number], TableBreakdown>> = {
  byCategory: 'category',
  byProduct: 'product',
  byMember: 'member',
  byOrigin: 'origin',
  byRoute: 'route',
  byTransportMode: 'transport_mode',
  byConcealment: 'concealment',
  byDetection: 'detection',
  byInfringement: 'infringement',
};

/** The Members of each row of a breakdown, by key. */
const setsOf = (p: PhaseAggJson, b: TableBreakdown): MemberSets => new Map(Object.entries(p.by[b]).map(([k, c]) => [k, c.members]));

/** The Members of a week: every line names a product, so the union of its products' Members. */
function weekMembers(p: PhaseAggJson): (week: string) => string[] {
  return (week) => {
    const out = new Set<string>();
    for (const c of Object.values(p.weeks[week]?.by.product ?? {})) for (const m of c.members) out.add(m);
    return [...out];
  };
}

interface Suppressed {
  figures: Figures;
  primary: number;
  secondary: number;
  pooled: number;
  /** Keys withheld in each table (the cumulative table withholds them too). */
  withheld: Partial<Record<(typeof BREAKDOWN_FIELDS)[number], ReadonlySet<string>>>;
}

/**
 * The NCP figures of one period: every table under the threshold rule with secondary suppression (products within
 * their category, routes within their origin), routes coarsened before anything is withheld, Members by WCO region,
 * weeks pooled; with fewer reporting Members than `min`, no breakdown and no weekly series at all. `force`: keys
 * withheld in the closed phase, withheld here too; `withhold`: no breakdown at all (the cumulative figures: an earlier summary's cumulative row taken
 * from this one's would give the phase's row).
 */
function suppressFigures(f: Figures, p: PhaseAggJson, min: number, force: Suppressed['withheld'] = {}, withhold = false): Suppressed {
  const out: Figures = { ...f };
  if (withhold || f.reportingMembers < min) {
    for (const k of BREAKDOWN_FIELDS) out[k] = [];
    const rows = BREAKDOWN_FIELDS.reduce((t, k) => t + f[k].length, 0);
    return { figures: { ...out, weekly: [] }, primary: rows, secondary: 0, pooled: f.weekly.length, withheld: {} };
  }
  let primary = 0;
  let secondary = 0;
  const withheld: Suppressed['withheld'] = {};
  const take = (
    k: (typeof BREAKDOWN_FIELDS)[number],
    r: { rows: BreakdownRow[]; primary: number; secondary: number; withheld: ReadonlySet<string> },
  ) => {
    out[k] = r.rows;
    primary += r.primary;
    secondary += r.secondary;
    withheld[k] = r.withheld;
  };
  for (const k of BREAKDOWN_FIELDS) {
    if (k === 'byProduct' || k === 'byRoute' || k === 'byMember' || k === 'byOrigin') continue;
    take(k, protectRows(f[k], setsOf(p, FIELD_BREAKDOWN[k]), { min, ...(force[k] ? { force: force[k] } : {}) }));
  }
  const categoryShown = new Set(out.byCategory.map((r) => r.key));
  take(
    'byProduct',
    protectRows(f.byProduct, setsOf(p, 'product'), {
      min,
      ...(force.byProduct ? { force: force.byProduct } : {}),
      parentOf: (r) => r.category,
      parentShown: (c) => categoryShown.has(c),
    }),
  );
  // Origins, then routes: a route's first country is most often its origin, whose row (or its region's) is published.
  const origins = protectCountries(f.byOrigin, setsOf(p, 'origin'), { min, ...(force.byOrigin ? { force: force.byOrigin } : {}) });
  take('byOrigin', origins);
  take(
    'byRoute',
    protectRoutes(f.byRoute, setsOf(p, 'route'), {
      min,
      ...(force.byRoute ? { force: force.byRoute } : {}),
      parentOf: origins.parentOf,
      regional: (c) => origins.parentOf(c) !== c,
      unknown: UNKNOWN,
    }),
  );
  // Reporting Members by WCO region; a region of too few Members is withheld like any row.
  const regions = regionRows(f.byMember);
  take('byMember', protectRows(regions.rows, regions.sets, { min, ...(force.byMember ? { force: force.byMember } : {}) }));
  const weeks = poolWeeks(f.weekly, weekMembers(p), min);
  out.weekly = weeks.weeks;
  return { figures: out, primary, secondary, pooled: weeks.pooled, withheld };
}

/** Where the disclosure rules come from (README.md, "Disclosure control"). */
export const DISCLOSURE_REFERENCE =
  'Threshold rule with primary and secondary suppression: Hundepool et al., Statistical Disclosure Control (Wiley, 2012), ch. 4-5; ESSnet Handbook on Statistical Disclosure Control';

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
  let disclosure: Disclosure | undefined;
  if (ncp) {
    const min = th.minCellMembers;
    const a = suppressFigures(phaseFigures, closed, min);
    // Too few reporting Members in the phase: the cumulative figures are not broken down either (their difference
    // with the previous summary's would break the phase down).
    const few = phaseFigures.reportingMembers < min;
    const c = suppressFigures(cumulative, all, min, a.withheld, few);
    phaseFigures = a.figures;
    cumulative = c.figures;
    disclosure = {
      minMembers: min,
      rule: 'threshold-secondary',
      reference: DISCLOSURE_REFERENCE,
      breakdownWithheld: few,
      primaryRows: a.primary + c.primary,
      secondaryRows: a.secondary + c.secondary,
      pooledWeeks: a.pooled + c.pooled,
    };
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
      : {
          // Counts per product, of products that minCellMembers Members or more seized in the phase (disclosure.ts).
          groups: analysis.outliers.groups
            .filter((g) => (closed.by.product[g.product]?.members.length ?? 0) >= th.minCellMembers)
            .map((g) => ({ product: g.product, unit: g.unit, count: g.count })),
        };
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
    ...(disclosure
      ? { smallCells: { minMembers: disclosure.minMembers, mergedRows: disclosure.primaryRows + disclosure.secondaryRows }, disclosure }
      : {}),
  };
}
