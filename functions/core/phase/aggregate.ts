/**
 * Aggregation of seizure lines into per-phase aggregates, while the lines stream: memory grows with the number of
 * groups (keys of each breakdown, weeks, distinct sizes of a product), never with the number of lines.
 *
 * One slice (a Member, a phase) gives a partial; partials merge into the run's aggregate; merging every slice's
 * partial equals aggregating all the lines at once (the same LineAggregator does both).
 *
 * What a phase aggregate holds (PhaseAggJson), all from the stored lines:
 * - lines, cases (distinct (Member, case_ref)), reporting Members;
 * - quantities: pieces, doses, packs, units = pieces + doses + packs; kg and litres apart (never added to units);
 * - estimated value by currency (`XXX` when a value has no currency), with the lines that gave one;
 * - per breakdown (category, product, reporting Member, origin, route, transport mode, concealment, detection,
 *   infringement, and for the trend detectors product x concealment and the risk profile): lines, units, kg, litres
 *   and the Members that reported them (the Member cells also count cases);
 * - per week (Monday, UTC): lines, and lines and Members per product, route, origin and product x concealment;
 * - per product and unit, the size distribution for the outlier test: how many lines of each size, exact up to
 *   EXACT_SIZES_CAP distinct sizes, beyond that in bins of 1/100 of a decade of log10 size (a median or MAD taken
 *   from the bins is within 0.005 of the exact one), and the `topK` largest lines with what identifies them (for the
 *   analysts' version only).
 *
 * ## Cases
 * The byPhase index returns a (phase, Member)'s lines ordered by `{case_ref NFC}#{line_no:6}` in UTF-8 byte order
 * (store/keys.ts phaseSk), so a case's lines come together and distinct cases are counted without a set. One quirk
 * of that order: the lines of case `X` can be split by those of a case `X#...` (e.g. `X#2` sorts between lines 199999
 * and 200000 of `X`); the counter keeps the chain of such open cases (CaseCounter). Input out of that order is
 * refused (LineOrderError) rather than miscounted.
 * Cumulative cases (since the start of the operation) are distinct across phases: a case whose lines fall in two
 * phases counts once. The slice of the phase being closed also streams the Member's earlier phases, merged in index
 * order, only to count them (the earlier slices count their own phase's figures).
 */
import { compositeKey, UNKNOWN } from '../trends/types.ts';
import { pad6 } from '../store/keys.ts';
import type { SeizureRecord } from '../record.ts';
import type { OperationConfig } from '../config.ts';
import { phasesThrough, runLabelOf, type PhaseCloseInput, type Slice } from './input.ts';

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
  /** Only in the `member` breakdown: distinct cases of that Member. */
  cases?: number;
}

export interface WeekCellJson {
  lines: number;
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
  /** Lines of the slice counted. */
  lines: number;
  agg: PhaseAggJson;
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

// ---------------------------------------------------------------------------------------------------------------
// Order and weeks

/**
 * Compares two strings in UTF-8 byte order (DynamoDB's order for string keys), which is code point order. JavaScript's
 * `<` compares UTF-16 code units, which disagrees only between surrogates (astral code points) and U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const weekCache = new Map<string, string>();

/** The Monday (UTC) of the week of a day, YYYY-MM-DD. */
export function weekOf(day: string): string {
  let w = weekCache.get(day);
  if (w === undefined) {
    const t = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(t)) throw new RangeError(`weekOf: not a date: ${day}`);
    const dow = new Date(t).getUTCDay(); // 0 = Sunday
    w = new Date(t - ((dow + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    if (weekCache.size > 10_000) weekCache.clear();
    weekCache.set(day, w);
  }
  return w;
}

/** The index key of a line in the byPhase order, and its case's key (store/keys.ts phaseSk, computed once). */
const NON_ASCII = /[^\u0000-\u007f]/;

function orderKeys(r: SeizureRecord): { caseKey: string; sk: string } {
  const caseKey = NON_ASCII.test(r.case_ref) ? r.case_ref.normalize('NFC') : r.case_ref;
  return { caseKey, sk: `${caseKey}#${pad6(r.line_no)}` };
}

/**
 * Counts distinct cases in a stream ordered by the byPhase index key. A case `X` whose lines are split by those of
 * `X#...` (see the module comment) stays on the `open` chain until a key outside it arrives, so its return is not
 * counted again.
 */
export class CaseCounter {
  count = 0;
  #current: string | undefined;
  #open: string[] = [];
  #lastSk: string | undefined;

  constructor(readonly label: string) {}

  see(caseKey: string, sk: string): void {
    if (this.#lastSk !== undefined && compareUtf8(sk, this.#lastSk) < 0) {
      throw new LineOrderError(
        `${this.label}: line ${JSON.stringify(sk)} comes after ${JSON.stringify(this.#lastSk)}; lines must come in the byPhase index order (case_ref then line_no, UTF-8 byte order)`,
      );
    }
    this.#lastSk = sk;
    if (caseKey === this.#current) return;
    const resumed = this.#open.includes(caseKey);
    const chain = this.#current === undefined ? this.#open : [...this.#open, this.#current];
    this.#open = chain.filter((k) => caseKey.startsWith(`${k}#`));
    this.#current = caseKey;
    if (!resumed) this.count++;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Accumulation
//
// Per line, the work is a few Map lookups; to keep them cheap at a million lines: keys are interned (the same key
// string object for the same parts, so its hash is computed once), Members are bits in a small bitset (an index per
// Member code seen) rather than a Set per cell, and a line's breakdown keys go into a reused array.

/** Member codes as small integers, shared by the phases of one aggregator. */
class MemberIndex {
  readonly codes: string[] = [];
  readonly #index = new Map<string, number>();
  of(code: string): number {
    let i = this.#index.get(code);
    if (i === undefined) {
      i = this.codes.length;
      this.codes.push(code);
      this.#index.set(code, i);
    }
    return i;
  }
  /** The sorted codes of a bitset. */
  decode(bits: number[]): string[] {
    const out: string[] = [];
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const b = 31 - Math.clz32(word & -word);
        out.push(this.codes[w * 32 + b]!);
        word &= word - 1;
      }
    }
    return out.sort();
  }
}

const setBit = (bits: number[], i: number): void => {
  const w = i >>> 5;
  while (bits.length <= w) bits.push(0);
  bits[w]! |= 1 << (i & 31);
};

/** The Members of a cell: the last one added, and a bitset only once a second Member comes. */
interface MemberSet {
  /** The last Member added; -1 for none. */
  last: number;
  bits: number[] | undefined;
}

function addMember(c: MemberSet, mi: number): void {
  if (c.last === mi) return;
  if (c.last >= 0) {
    if (!c.bits) setBit((c.bits = []), c.last);
    setBit(c.bits, mi);
  }
  c.last = mi;
}

function membersOf(c: MemberSet, ix: MemberIndex): string[] {
  return c.bits ? ix.decode(c.bits) : c.last >= 0 ? [ix.codes[c.last]!] : [];
}

/** Interned composite keys: the same parts give the same string object. */
class KeyCache {
  readonly #maps = new Map<string, unknown>();
  /** compositeKey(...parts), interned (parts must not be undefined). */
  composite(parts: readonly string[]): string {
    let m = this.#maps as Map<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = m.get(parts[i]!) as Map<string, unknown> | undefined;
      if (!next) m.set(parts[i]!, (next = new Map()));
      m = next;
    }
    const last = parts[parts.length - 1]!;
    let k = m.get(last) as string | undefined;
    if (k === undefined) m.set(last, (k = compositeKey(...parts)));
    return k;
  }
  readonly #routes = new Map<string, string>();
  /** The route key of keysOf (trends/types.ts), interned. */
  route(r: SeizureRecord): string | undefined {
    const from = r.departure_country ?? r.origin_country;
    const to = r.destination_country;
    if (!from && !to) return undefined;
    const transit = r.transit_countries;
    const raw = transit?.length ? `${from ?? UNKNOWN}>${transit.join('>')}>${to ?? UNKNOWN}` : `${from ?? UNKNOWN}>${to ?? UNKNOWN}`;
    let k = this.#routes.get(raw);
    if (k === undefined) this.#routes.set(raw, (k = raw));
    return k;
  }
}

interface Cell extends MemberSet {
  lines: number;
  units: number;
  kg: number;
  litres: number;
}

interface WeekCell extends MemberSet {
  lines: number;
}

interface WeekAcc {
  lines: number;
  by: Map<string, WeekCell>[];
}

/** Distinct sizes of a product and unit kept exactly up to this many; beyond, in bins of 1/100 of a decade. */
export const EXACT_SIZES_CAP = 512;
/** Bins per decade of log10 size once a distribution is binned. */
export const SIZE_BINS_PER_DECADE = 100;

interface SizesAcc {
  product: string;
  unit: string;
  n: number;
  binned: boolean;
  /** exact: size -> lines; binned: round(log10 size x 100) -> lines. */
  counts: Map<number, number>;
  top: Candidate[];
}

const binOf = (q: number): number => Math.round(Math.log10(q) * SIZE_BINS_PER_DECADE);

function toBins(counts: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [q, n] of counts) {
    const b = binOf(q);
    out.set(b, (out.get(b) ?? 0) + n);
  }
  return out;
}

/** [log10 size, lines] of a size distribution, by size. */
export function sizeLog10Counts(s: Pick<SizesJson, 'binned' | 'counts'>): [number, number][] {
  return Object.entries(s.counts)
    .map(([k, n]): [number, number] => [s.binned ? Number(k) / SIZE_BINS_PER_DECADE : Math.log10(Number(k)), n])
    .sort((a, b) => a[0] - b[0]);
}

/** Candidate order: larger first, then Member, case, line (so merges are deterministic). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    b.quantity - a.quantity ||
    (a.member < b.member ? -1 : a.member > b.member ? 1 : 0) ||
    compareUtf8(a.case_ref, b.case_ref) ||
    a.line_no - b.line_no
  );
}

function pushTop(top: Candidate[], c: Candidate, k: number): void {
  if (top.length >= k && compareCandidates(c, top[top.length - 1]!) >= 0) return;
  let i = top.length;
  while (i > 0 && compareCandidates(c, top[i - 1]!) < 0) i--;
  top.splice(i, 0, c);
  if (top.length > k) top.pop();
}

const WEEK_INDEX: readonly number[] = WEEK_DIMENSIONS.map((d) => BREAKDOWNS.indexOf(d));

class PhaseAcc {
  lines = 0;
  readonly members: number[] = [];
  readonly quantity: Quantities = { pieces: 0, doses: 0, packs: 0, units: 0, kg: 0, litres: 0 };
  readonly value = new Map<string, { amount: number; lines: number }>();
  readonly by: Map<string, Cell>[] = BREAKDOWNS.map(() => new Map());
  readonly weeks = new Map<string, WeekAcc>();
  readonly sizes = new Map<string, SizesAcc>();
  readonly cases = new Map<string, CaseCounter>();
  readonly #keys: (string | undefined)[] = new Array(BREAKDOWNS.length);

  constructor(
    readonly phase: number,
    readonly topK: number,
    readonly index: MemberIndex,
    readonly keyCache: KeyCache,
  ) {}

  add(r: SeizureRecord, caseKey: string, sk: string): void {
    const m = r.reporting_member;
    const mi = this.index.of(m);
    this.lines++;
    setBit(this.members, mi);
    let counter = this.cases.get(m);
    if (!counter) this.cases.set(m, (counter = new CaseCounter(`phase ${this.phase}, Member ${m}`)));
    counter.see(caseKey, sk);

    const q = r.quantity;
    const u = r.unit;
    const units = u === 'pieces' || u === 'doses' || u === 'packs' ? q : 0;
    const kg = u === 'kg' ? q : 0;
    const litres = u === 'litres' ? q : 0;
    this.quantity[u] += q;
    this.quantity.units += units;

    if (r.estimated_value !== undefined && r.estimated_value !== null) {
      const cur = r.currency || NO_CURRENCY;
      let v = this.value.get(cur);
      if (!v) this.value.set(cur, (v = { amount: 0, lines: 0 }));
      v.amount += r.estimated_value;
      v.lines++;
    }

    // The keys of keysOf (trends/types.ts), interned, in BREAKDOWNS order.
    const kc = this.keyCache;
    const concealment = r.concealment_method;
    const origin = r.origin_country;
    const keys = this.#keys;
    keys[0] = r.category;
    keys[1] = r.product;
    keys[2] = m;
    keys[3] = origin;
    keys[4] = kc.route(r);
    keys[5] = r.transport_mode;
    keys[6] = concealment;
    keys[7] = r.detection_method;
    keys[8] = r.infringement_type;
    keys[9] = kc.composite([r.product, concealment ?? UNKNOWN]);
    keys[10] = kc.composite([origin ?? UNKNOWN, r.transport_mode, concealment ?? UNKNOWN, r.product]);
    for (let b = 0; b < keys.length; b++) {
      const key = keys[b];
      if (key === undefined || key === '') continue;
      const map = this.by[b]!;
      let cell = map.get(key);
      if (!cell) map.set(key, (cell = { lines: 0, units: 0, kg: 0, litres: 0, last: -1, bits: undefined }));
      cell.lines++;
      cell.units += units;
      cell.kg += kg;
      cell.litres += litres;
      addMember(cell, mi);
    }

    const wk = weekOf(r.seizure_date);
    let week = this.weeks.get(wk);
    if (!week) this.weeks.set(wk, (week = { lines: 0, by: WEEK_DIMENSIONS.map(() => new Map()) }));
    week.lines++;
    for (let d = 0; d < WEEK_INDEX.length; d++) {
      const key = keys[WEEK_INDEX[d]!];
      if (key === undefined || key === '') continue;
      const map = week.by[d]!;
      let c = map.get(key);
      if (!c) map.set(key, (c = { lines: 0, last: -1, bits: undefined }));
      c.lines++;
      addMember(c, mi);
    }

    if (q > 0 && Number.isFinite(q)) {
      const gk = kc.composite([r.product, u]);
      let s = this.sizes.get(gk);
      if (!s) this.sizes.set(gk, (s = { product: r.product, unit: u, n: 0, binned: false, counts: new Map(), top: [] }));
      s.n++;
      const key = s.binned ? binOf(q) : q;
      s.counts.set(key, (s.counts.get(key) ?? 0) + 1);
      if (!s.binned && s.counts.size > EXACT_SIZES_CAP) {
        s.counts = toBins(s.counts);
        s.binned = true;
      }
      const top = s.top;
      if (top.length < this.topK || q >= top[top.length - 1]!.quantity) {
        pushTop(
          top,
          {
            quantity: q,
            member: m,
            case_ref: r.case_ref,
            line_no: r.line_no,
            seizure_date: r.seizure_date,
            source: { file: r.source?.file ?? '', sheet: r.source?.sheet ?? '', row: r.source?.row ?? 0 },
          },
          this.topK,
        );
      }
    }
  }

  toJson(): PhaseAggJson {
    const cases = [...this.cases.values()].reduce((s, c) => s + c.count, 0);
    const ix = this.index;
    const by = Object.fromEntries(
      BREAKDOWNS.map((b, bi) => [
        b,
        sortedRecord(this.by[bi]!, (c, key) => ({
          lines: c.lines,
          units: c.units,
          kg: c.kg,
          litres: c.litres,
          members: membersOf(c, ix),
          ...(b === 'member' ? { cases: this.cases.get(key)?.count ?? 0 } : {}),
        })),
      ]),
    ) as Record<Breakdown, Record<string, CellJson>>;
    return {
      phase: this.phase,
      lines: this.lines,
      cases,
      members: ix.decode(this.members),
      quantity: { ...this.quantity },
      value: sortedRecord(this.value, (v) => ({ ...v })),
      by,
      weeks: sortedRecord(this.weeks, (w) => ({
        lines: w.lines,
        by: Object.fromEntries(
          WEEK_DIMENSIONS.map((d, di) => [d, sortedRecord(w.by[di]!, (c) => ({ lines: c.lines, members: membersOf(c, ix) }))]),
        ) as Record<WeekDimension, Record<string, WeekCellJson>>,
      })),
      sizes: sortedRecord(this.sizes, (s) => ({
        product: s.product,
        unit: s.unit,
        n: s.n,
        binned: s.binned,
        counts: Object.fromEntries([...s.counts].sort((a, b) => a[0] - b[0]).map(([k, n]) => [String(k), n])),
        top: s.top.map((c) => ({ ...c, source: { ...c.source } })),
      })),
    };
  }
}

function sortedRecord<V, J>(map: ReadonlyMap<string, V>, f: (v: V, key: string) => J): Record<string, J> {
  const out: Record<string, J> = {};
  for (const k of [...map.keys()].sort(compareUtf8)) out[k] = f(map.get(k)!, k);
  return out;
}

export interface LineAggregatorOptions {
  /** Interim runs: lines dated after this day are left out. */
  readonly asOf?: string;
  /** Only these phases are counted (others are left out). @default all */
  readonly phases?: readonly number[];
  /** Outlier candidates kept per product and unit. @default DEFAULT_TOP_K */
  readonly topK?: number;
}

/**
 * Counts lines into one aggregate per phase and counts distinct cases per Member over everything it sees. Each
 * Member's lines must come in byPhase index order, within a phase and (for the cumulative cases) across the phases
 * given to `add`/`countCase` together; Members may interleave.
 */
export class LineAggregator {
  readonly #phases = new Map<number, PhaseAcc>();
  readonly #cumulative = new Map<string, CaseCounter>();
  readonly #asOf: string | undefined;
  readonly #only: ReadonlySet<number> | undefined;
  readonly #topK: number;
  readonly #index = new MemberIndex();
  readonly #keys = new KeyCache();
  lines = 0;

  constructor(opts: LineAggregatorOptions = {}) {
    this.#asOf = opts.asOf;
    this.#only = opts.phases ? new Set(opts.phases) : undefined;
    this.#topK = opts.topK ?? DEFAULT_TOP_K;
    for (const p of opts.phases ?? []) this.#phases.set(p, this.#newPhase(p));
  }

  #newPhase(p: number): PhaseAcc {
    return new PhaseAcc(p, this.#topK, this.#index, this.#keys);
  }

  #counts(r: SeizureRecord): boolean {
    if (this.#asOf !== undefined && r.seizure_date > this.#asOf) return false;
    return this.#only === undefined || this.#only.has(r.phase);
  }

  #cumulativeSee(r: SeizureRecord, caseKey: string, sk: string): void {
    let c = this.#cumulative.get(r.reporting_member);
    if (!c) this.#cumulative.set(r.reporting_member, (c = new CaseCounter(`Member ${r.reporting_member}, all phases`)));
    c.see(caseKey, sk);
  }

  /** Counts a line in its phase's aggregate and in the cumulative cases. Returns whether it was counted. */
  add(r: SeizureRecord): boolean {
    if (!this.#counts(r)) return false;
    const { caseKey, sk } = orderKeys(r);
    this.#cumulativeSee(r, caseKey, sk);
    let acc = this.#phases.get(r.phase);
    if (!acc) this.#phases.set(r.phase, (acc = this.#newPhase(r.phase)));
    acc.add(r, caseKey, sk);
    this.lines++;
    return true;
  }

  /** Counts a line only in the cumulative cases (an earlier phase's line, whose figures its own slice counts). */
  countCase(r: SeizureRecord): void {
    if (!this.#counts(r)) return;
    const { caseKey, sk } = orderKeys(r);
    this.#cumulativeSee(r, caseKey, sk);
  }

  cumulativeCases(): number {
    let n = 0;
    for (const c of this.#cumulative.values()) n += c.count;
    return n;
  }

  /** Distinct cases by Member over everything seen, Members sorted. */
  cumulativeCasesByMember(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of [...this.#cumulative.keys()].sort()) if (this.#cumulative.get(m)!.count > 0) out[m] = this.#cumulative.get(m)!.count;
    return out;
  }

  /** The aggregates, by phase number. */
  phases(): PhaseAggJson[] {
    return [...this.#phases.values()].sort((a, b) => a.phase - b.phase).map((p) => p.toJson());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Slices, merge, all at once

/** Merges async streams each in byPhase index order into one in that order (a few streams: a linear pick). */
export async function* mergeInIndexOrder<T extends SeizureRecord>(
  streams: readonly AsyncIterable<T>[],
): AsyncGenerator<{ record: T; stream: number }> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: ({ record: T; sk: string } | undefined)[] = [];
  const pull = async (i: number) => {
    const n = await its[i]!.next();
    heads[i] = n.done ? undefined : { record: n.value, sk: orderKeys(n.value).sk };
  };
  await Promise.all(its.map((_, i) => pull(i)));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || compareUtf8(h.sk, heads[best]!.sk) < 0)) best = i;
    }
    if (best < 0) return;
    const record = heads[best]!.record;
    await pull(best);
    yield { record, stream: best };
  }
}

export interface SliceSource {
  /** The slice's lines, in byPhase index order. */
  readonly lines: AsyncIterable<SeizureRecord>;
  /**
   * The same Member's lines of the earlier phases (each in index order), for the cumulative cases; only for the
   * slice of the phase being closed.
   */
  readonly history?: readonly AsyncIterable<SeizureRecord>[];
}

/** Aggregates one slice while its lines stream. */
export async function aggregateSlice(input: PhaseCloseInput, slice: Slice, source: SliceSource, opts: { topK?: number } = {}): Promise<PartialJson> {
  const closing = slice.phase === input.phase;
  const agg = new LineAggregator({
    ...(input.mode === 'interim' ? { asOf: input.asOf } : {}),
    phases: [slice.phase],
    ...(opts.topK !== undefined ? { topK: opts.topK } : {}),
  });
  const check = (r: SeizureRecord) => {
    if (r.reporting_member !== slice.member) throw new PartialMismatchError(`slice ${slice.member}/p${slice.phase} got a line of Member ${r.reporting_member}`);
  };
  if (closing && source.history && source.history.length > 0) {
    // The earlier phases only count cases; for that they are merged with this phase's lines in index order.
    const history = new LineAggregator({ ...(input.mode === 'interim' ? { asOf: input.asOf } : {}) });
    for await (const { record, stream } of mergeInIndexOrder([source.lines, ...source.history])) {
      check(record);
      if (stream === 0) {
        if (record.phase !== slice.phase) throw new PartialMismatchError(`slice ${slice.member}/p${slice.phase} got a line of phase ${record.phase}`);
        agg.add(record);
      }
      history.countCase(record);
    }
    return partialOf(input, slice, agg, history.cumulativeCases());
  }
  for await (const record of source.lines) {
    check(record);
    if (record.phase !== slice.phase) throw new PartialMismatchError(`slice ${slice.member}/p${slice.phase} got a line of phase ${record.phase}`);
    agg.add(record);
  }
  return partialOf(input, slice, agg, closing ? agg.cumulativeCases() : null);
}

function partialOf(input: PhaseCloseInput, slice: Slice, agg: LineAggregator, cumulativeCases: number | null): PartialJson {
  return {
    schema: 'phase-partial/1',
    operation: input.operation,
    phase: input.phase,
    mode: input.mode,
    asOf: input.asOf,
    slice: { member: slice.member, phase: slice.phase },
    lines: agg.lines,
    agg: agg.phases()[0] ?? emptyPhase(slice.phase),
    cumulativeCases,
  };
}

export function emptyPhase(phase: number): PhaseAggJson {
  return new PhaseAcc(phase, DEFAULT_TOP_K, new MemberIndex(), new KeyCache()).toJson();
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

function addCells(into: Record<string, CellJson>, from: Record<string, CellJson>): void {
  for (const [k, c] of Object.entries(from)) {
    const t = into[k];
    if (!t) {
      into[k] = { ...c, members: [...c.members] };
      continue;
    }
    t.lines += c.lines;
    t.units += c.units;
    t.kg += c.kg;
    t.litres += c.litres;
    t.members = union(t.members, c.members);
    if (c.cases !== undefined) t.cases = (t.cases ?? 0) + c.cases;
  }
}

function sortKeys<V>(r: Record<string, V>, cmp: (a: string, b: string) => number = compareUtf8): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(r).sort(cmp)) out[k] = r[k]!;
  return out;
}

/**
 * Merges aggregates (of one phase from several Members, or of several phases for cumulative figures; `phase` is
 * that of the result). Lines, quantities and values add up, Member sets unite, size counts add up, candidates keep
 * the topK largest. `cases` adds up: right across Members; across phases, use the cumulative cases instead.
 */
export function mergePhaseAggs(phase: number, parts: readonly PhaseAggJson[], topK = DEFAULT_TOP_K): PhaseAggJson {
  const out = emptyPhase(phase);
  for (const p of parts) {
    out.lines += p.lines;
    out.cases += p.cases;
    out.members = union(out.members, p.members);
    for (const k of Object.keys(out.quantity) as (keyof Quantities)[]) out.quantity[k] += p.quantity[k];
    for (const [cur, v] of Object.entries(p.value)) {
      const t = (out.value[cur] ??= { amount: 0, lines: 0 });
      t.amount += v.amount;
      t.lines += v.lines;
    }
    for (const b of BREAKDOWNS) addCells(out.by[b], p.by[b] ?? {});
    for (const [wk, w] of Object.entries(p.weeks)) {
      const t = (out.weeks[wk] ??= { lines: 0, by: { product: {}, route: {}, origin: {}, product_concealment: {} } });
      t.lines += w.lines;
      for (const d of WEEK_DIMENSIONS) {
        for (const [k, c] of Object.entries(w.by[d] ?? {})) {
          const tc = t.by[d][k];
          if (!tc) t.by[d][k] = { lines: c.lines, members: [...c.members] };
          else {
            tc.lines += c.lines;
            tc.members = union(tc.members, c.members);
          }
        }
      }
    }
    for (const [gk, s] of Object.entries(p.sizes)) {
      const t = (out.sizes[gk] ??= { product: s.product, unit: s.unit, n: 0, binned: false, counts: {}, top: [] });
      t.n += s.n;
      mergeSizeCounts(t, s);
      for (const c of s.top) pushTop(t.top, c, topK);
    }
  }
  // The same key order as a single pass, so merged and direct aggregates serialise alike.
  out.value = sortKeys(out.value);
  for (const b of BREAKDOWNS) out.by[b] = sortKeys(out.by[b]);
  out.weeks = sortKeys(out.weeks);
  for (const w of Object.values(out.weeks)) for (const d of WEEK_DIMENSIONS) w.by[d] = sortKeys(w.by[d]);
  out.sizes = sortKeys(out.sizes);
  for (const s of Object.values(out.sizes)) s.counts = sortKeys(s.counts, (a, b) => Number(a) - Number(b));
  return out;
}

/** Adds a size distribution into another: exact while the union has at most EXACT_SIZES_CAP sizes, else binned. */
function mergeSizeCounts(into: SizesJson, from: SizesJson): void {
  const asMap = (s: SizesJson) => new Map(Object.entries(s.counts).map(([k, n]) => [Number(k), n] as const));
  let a = asMap(into);
  let b = asMap(from);
  let binned = into.binned || from.binned;
  if (!binned) {
    const union = new Set([...a.keys(), ...b.keys()]);
    if (union.size > EXACT_SIZES_CAP) binned = true;
  }
  if (binned) {
    if (!into.binned) a = toBins(a);
    if (!from.binned) b = toBins(b);
  }
  for (const [k, n] of b) a.set(k, (a.get(k) ?? 0) + n);
  into.binned = binned;
  into.counts = Object.fromEntries([...a].map(([k, n]) => [String(k), n]));
}

/** Merges every slice's partial into the run's aggregate; refuses partials of another run or a slice given twice. */
export function mergePartials(input: PhaseCloseInput, config: OperationConfig, partials: readonly PartialJson[]): AggregateJson {
  const phases = phasesThrough(config, input.phase).map((p) => p.phase);
  const seen = new Set<string>();
  let cumulativeCases = 0;
  const byMember = new Map<string, number>();
  for (const p of partials) {
    if (p.schema !== 'phase-partial/1') throw new PartialMismatchError(`not a partial: schema ${JSON.stringify(p.schema)}`);
    if (p.operation !== input.operation || p.phase !== input.phase || p.mode !== input.mode || p.asOf !== input.asOf) {
      throw new PartialMismatchError(`partial of slice ${p.slice.member}/p${p.slice.phase} belongs to another run (${p.operation} phase ${p.phase} ${p.mode} ${p.asOf})`);
    }
    if (!phases.includes(p.slice.phase)) throw new PartialMismatchError(`partial of phase ${p.slice.phase} is outside this run's phases (${phases.join(', ')})`);
    const id = `${p.slice.member}/${p.slice.phase}`;
    if (seen.has(id)) throw new PartialMismatchError(`slice ${id} is given twice`);
    seen.add(id);
    if (p.slice.phase === input.phase && p.cumulativeCases) {
      cumulativeCases += p.cumulativeCases;
      byMember.set(p.slice.member, p.cumulativeCases);
    }
  }
  const byPhase = phases.map((ph) => mergePhaseAggs(ph, partials.filter((p) => p.slice.phase === ph).map((p) => p.agg)));
  return {
    ...aggregateHead(input),
    lines: byPhase.reduce((s, p) => s + p.lines, 0),
    cumulativeCases,
    cumulativeCasesByMember: Object.fromEntries([...byMember].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    phases: byPhase,
  };
}

/**
 * Aggregates all the lines of a run at once (tests, benchmark, the CLI on a file of records): lines of phases after
 * the closed one are left out. Each Member's lines must come in byPhase index order across phases (sort with
 * compareIndexOrder when they do not).
 */
export async function aggregateLines(
  input: PhaseCloseInput,
  config: OperationConfig,
  lines: Iterable<SeizureRecord> | AsyncIterable<SeizureRecord>,
): Promise<AggregateJson> {
  const phases = phasesThrough(config, input.phase).map((p) => p.phase);
  const agg = new LineAggregator({ ...(input.mode === 'interim' ? { asOf: input.asOf } : {}), phases });
  for await (const r of lines) agg.add(r);
  return {
    ...aggregateHead(input),
    lines: agg.lines,
    cumulativeCases: agg.cumulativeCases(),
    cumulativeCasesByMember: agg.cumulativeCasesByMember(),
    phases: agg.phases(),
  };
}

/** What an aggregate starts with: which run it is of. */
function aggregateHead(input: PhaseCloseInput): Pick<AggregateJson, 'schema' | 'operation' | 'phase' | 'mode' | 'asOf' | 'runLabel'> {
  return { schema: 'phase-aggregate/1', operation: input.operation, phase: input.phase, mode: input.mode, asOf: input.asOf, runLabel: runLabelOf(input) };
}

/** The byPhase index order of lines, for sorting lines held in memory: Member, then case_ref NFC and line_no in UTF-8 order. */
export function compareIndexOrder(a: SeizureRecord, b: SeizureRecord): number {
  if (a.reporting_member !== b.reporting_member) return a.reporting_member < b.reporting_member ? -1 : 1;
  return compareUtf8(orderKeys(a).sk, orderKeys(b).sk);
}
