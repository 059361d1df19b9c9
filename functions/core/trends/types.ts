/**
 * The aggregate shapes the trend detectors read. The detectors never see seizure rows: the phase-close workflow
 * counts the stored lines per Member into these shapes (one partial per Member, so each Member's data is counted by
 * itself), merges the partials (phase/merge.ts), and passes the result on.
 *
 * Vocabulary:
 * - a dimension is one property of a seizure line: its product, origin country, route, transport mode, concealment
 *   method, or a composite of several (product x concealment; the four-way risk profile);
 * - a key is the value of a dimension for a line: 'paracetamol', 'CN', 'CN>AE>FR', or for a composite the JSON array
 *   of its parts ({@link compositeKey});
 * - a cell is what one key gathered in one period: its number of seizure lines and the Members that reported them.
 */

/** The dimensions tested phase over phase and, for product and route, week by week. */
export type Dimension = 'product' | 'origin' | 'route' | 'transport_mode' | 'concealment';

/** Every dimension an aggregate may hold: the five above, product x concealment, and the risk profile. */
export type AggregateDimension = Dimension | 'product_concealment' | 'profile';

/** The five single dimensions, in the order reports list them. */
export const DIMENSIONS: readonly Dimension[] = ['product', 'origin', 'route', 'transport_mode', 'concealment'];

/**
 * The Members that reported a cell's lines: their ISO alpha-2 codes while partials are merged (the union of the
 * sets counts a Member once), or just their number once nothing needs to know who they are. The "new item" detector
 * needs the sets (a product's first appearance at a Member); the other detectors only count them.
 */
export type Members = ReadonlySet<string> | number;

/** What one key gathered in one period. */
export interface Cell {
  /** Seizure lines (one per row of a Member's report). */
  readonly lines: number;
  /** Members that reported at least one of those lines. */
  readonly members: Members;
}

/** The cells of one dimension in one period, by key. Keys with no line are simply absent. */
export type Counts = ReadonlyMap<string, Cell>;

/** The cells of several dimensions in one period. A dimension not computed is absent. */
export type DimensionCounts = Readonly<Partial<Record<AggregateDimension, Counts>>>;

/** One week of the operation (interim mode, EARS and new items). */
export interface WeekAggregate {
  /** The week's Monday, YYYY-MM-DD. Weeks passed together must be consecutive. */
  readonly week: string;
  readonly counts: DimensionCounts;
}

/** One phase of the operation (final mode, phase-over-phase tests). */
export interface PhaseAggregate {
  readonly phase: number;
  /** Length of the phase in weeks: its days, both ends included, divided by 7 (see weeksIn in rate-ratio.ts). */
  readonly weeks: number;
  /** Members that took part in the phase (sent a report, nil returns included). Exposure = weeks x this. */
  readonly participatingMembers: number;
  readonly counts: DimensionCounts;
}

/** Any labelled period for the new-item detector: a week (its Monday) or a phase; labels must sort in time order. */
export interface PeriodAggregate {
  readonly period: string;
  readonly counts: DimensionCounts;
}

/** The number of Members in a {@link Members}. */
export function memberCount(m: Members): number {
  return typeof m === 'number' ? m : m.size;
}

/** The key of a composite dimension: the JSON array of its parts, so no value can collide with a separator. */
export function compositeKey(...parts: string[]): string {
  return JSON.stringify(parts);
}

/** The parts of a {@link compositeKey}. */
export function splitKey(key: string): string[] {
  const parts: unknown = JSON.parse(key);
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) throw new TypeError(`not a composite key: ${key}`);
  return parts;
}

/** Stands for a missing part of a route or a risk profile. */
export const UNKNOWN = 'unknown';
