/** The JSON shapes of the phase-close aggregation (partials, phase aggregates, the run's aggregate) and its errors. See aggregate.ts. */
import type { PhaseCloseInput, Slice } from './input.ts';
/** Breakdowns kept per phase. product_concealment and profile feed the trend detectors. */
export type Breakdown =
  | 'category'
  | 'product'
  | 'member'
  | 'origin'
  | 'route'
  | 'transport_mode'
  | 'concealment'
  | 'detection'
  | 'infringement'
  | 'product_concealment'
  | 'profile';

export const BREAKDOWNS: readonly Breakdown[] = [
  'category',
  'product',
  'member',
  'origin',
  'route',
  'transport_mode',
  'concealment',
  'detection',
  'infringement',
  'product_concealment',
  'profile',
];

/** Dimensions counted per week (EARS on product and route; new items on all four). */
export type WeekDimension = 'product' | 'route' | 'origin' | 'product_concealment';
export const WEEK_DIMENSIONS: readonly WeekDimension[] = ['product', 'route', 'origin', 'product_concealment'];

/** Currency key of a value given without a currency (ISO 4217 "no currency"). */
export const NO_CURRENCY = 'XXX';

/** Largest lines kept per product and unit in each slice. */
export const DEFAULT_TOP_K = 10;

export interface CellJson {
  lines: number;
  units: number;
  kg: number;
  litres: number;
  /** Reporting Members, sorted. */
  members: string[];
  /**
   * Distinct cases with a line of the key (in the `member` breakdown: of that Member; absent in aggregates written
   * before every cell counted them). The trend tests count cases: a case's lines are one seizure event.
   */
  cases?: number;
}

export interface WeekCellJson {
  lines: number;
  /** Distinct cases with a line of the key in the week (the weekly alarms test cases: a case's lines are not independent). */
  cases?: number;
  members: string[];
}

export interface WeekJson {
  lines: number;
  by: Record<WeekDimension, Record<string, WeekCellJson>>;
}

/** A line kept as an outlier candidate (analysts only: it names the Member, case and row). */
export interface Candidate {
  quantity: number;
  member: string;
  case_ref: string;
  line_no: number;
  seizure_date: string;
  source: { file: string; sheet: string; row: number };
}

export interface SizesJson {
  product: string;
  unit: string;
  /** Lines. */
  n: number;
  /** false: counts are by exact size; true: by bin, round(log10 size x SIZE_BINS_PER_DECADE). */
  binned: boolean;
  /** Lines per size (or per bin), keyed by its decimal text. */
  counts: Record<string, number>;
  /** The largest lines, largest first. */
  top: Candidate[];
}

export interface Quantities {
  pieces: number;
  doses: number;
  packs: number;
  /** pieces + doses + packs. */
  units: number;
  kg: number;
  litres: number;
}

export interface PhaseAggJson {
  phase: number;
  lines: number;
  cases: number;
  /** Reporting Members (at least one line), sorted. */
  members: string[];
  /**
   * Members that reported nothing for the phase, on purpose: a nil return (`seizures nil-return`, or an upload of the
   * empty template), sorted. With `members` they are the phase's reporters, whose Member-weeks are the exposure.
   */
  nilReturns?: string[];
  quantity: Quantities;
  value: Record<string, { amount: number; lines: number }>;
  by: Record<Breakdown, Record<string, CellJson>>;
  /** By Monday (YYYY-MM-DD). */
  weeks: Record<string, WeekJson>;
  /** By compositeKey(product, unit). */
  sizes: Record<string, SizesJson>;
}

export interface PartialJson {
  schema: 'phase-partial/1';
  operation: string;
  /** The phase closed by the run. */
  phase: number;
  mode: PhaseCloseInput['mode'];
  asOf: string;
  slice: Slice;
  /** Lines of the slice counted (its earlier phases' included). */
  lines: number;
  /** The slice's phase. */
  agg: PhaseAggJson;
  /**
   * The closed phase's slice also aggregates the Member's earlier phases, which it reads anyway for the cumulative
   * cases: one aggregate per earlier phase, so the plan needs no slice of its own for them (each line is read once).
   */
  earlier?: PhaseAggJson[];
  /** Only in the closed phase's slice: the Member's distinct cases in all phases up to it. */
  cumulativeCases: number | null;
}

export interface AggregateJson {
  schema: 'phase-aggregate/1';
  operation: string;
  phase: number;
  mode: PhaseCloseInput['mode'];
  asOf: string;
  runLabel: string;
  /** Lines in all phases up to the closed one. */
  lines: number;
  /** Distinct cases in all phases up to the closed one. */
  cumulativeCases: number;
  /** The same by Member (Members with no case are absent). */
  cumulativeCasesByMember: Record<string, number>;
  /** One per phase up to the closed one, in order (a phase with no line has an empty aggregate). */
  phases: PhaseAggJson[];
}

/** The input of a slice is not in byPhase index order, so its cases cannot be counted by runs. */
export class LineOrderError extends Error {
  override readonly name = 'LineOrderError';
}

/** Partials that do not belong together (another run, or a slice twice). */
export class PartialMismatchError extends Error {
  override readonly name = 'PartialMismatchError';
}
