/** Accumulation of lines into per-phase aggregates (LineAggregator), with interned keys and Member bitsets. See aggregate.ts. */
import { compositeKey, UNKNOWN } from '../trends/types.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import {
  BREAKDOWNS,
  DEFAULT_TOP_K,
  NO_CURRENCY,
  WEEK_DIMENSIONS,
  type Breakdown,
  type Quantities,
  type WeekDimension,
  type Candidate,
  type CellJson,
  type PhaseAggJson,
  type SizesJson,
  type WeekCellJson,
} from './aggregate-types.ts';
import { CaseCounter, compareUtf8, orderKeys, weekOf } from './case-counter.ts';

// string object for the same parts, so its hash is computed once), Members are bits in a small bitset (an index per
// Member code seen) rather than a Set per cell, and a line's breakdown keys go into a reused array.

/** Member codes as small integers, shared by the phases of one aggregator. */
export class MemberIndex {
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
export class KeyCache {
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
  /** Distinct cases with a line of the key, and the serial of the last one counted. */
  cases: number;
  lastCase: number;
}

interface WeekCell extends MemberSet {
  lines: number;
  /** Distinct cases with a line of the key in the week, and the serial of the last one counted. */
  cases: number;
  lastCase: number;
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

export function toBins(counts: Map<number, number>): Map<number, number> {
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

export function pushTop(top: Candidate[], c: Candidate, k: number): void {
  if (top.length >= k && compareCandidates(c, top[top.length - 1]!) >= 0) return;
  let i = top.length;
  while (i > 0 && compareCandidates(c, top[i - 1]!) < 0) i--;
  top.splice(i, 0, c);
  if (top.length > k) top.pop();
}

const WEEK_INDEX: readonly number[] = WEEK_DIMENSIONS.map((d) => BREAKDOWNS.indexOf(d));

/**
 * The one key table: the key of every breakdown for one line, in BREAKDOWNS order (undefined where the line does not
 * tell; composites keep the line with UNKNOWN for a missing part). route: (departure, else origin) > transits >
 * destination, undefined when neither end is known. Written into `out` (reused per line) with interned keys.
 */
export function lineKeys(
  r: SeizureRecord,
  kc: KeyCache = new KeyCache(),
  out: (string | undefined)[] = new Array<string | undefined>(BREAKDOWNS.length),
): (string | undefined)[] {
  const concealment = r.concealment_method;
  const origin = r.origin_country;
  out[0] = r.category;
  out[1] = r.product;
  out[2] = r.reporting_member;
  out[3] = origin;
  out[4] = kc.route(r);
  out[5] = r.transport_mode;
  out[6] = concealment;
  out[7] = r.detection_method;
  out[8] = r.infringement_type;
  out[9] = kc.composite([r.product, concealment ?? UNKNOWN]);
  out[10] = kc.composite([origin ?? UNKNOWN, r.transport_mode, concealment ?? UNKNOWN, r.product]);
  return out;
}

export class PhaseAcc {
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

  #caseSerial = 0;
  #lastCaseKey: string | undefined;
  #lastCaseMember: string | undefined;

  add(r: SeizureRecord, caseKey: string, sk: string): void {
    const m = r.reporting_member;
    const mi = this.index.of(m);
    this.lines++;
    setBit(this.members, mi);
    let counter = this.cases.get(m);
    if (!counter) this.cases.set(m, (counter = new CaseCounter(`phase ${this.phase}, Member ${m}`)));
    counter.see(caseKey, sk);
    // A case's lines come together (byPhase index order): a new (Member, case) is a new serial.
    if (caseKey !== this.#lastCaseKey || m !== this.#lastCaseMember) {
      this.#caseSerial++;
      this.#lastCaseKey = caseKey;
      this.#lastCaseMember = m;
    }

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

    const keys = lineKeys(r, this.keyCache, this.#keys);
    for (let b = 0; b < keys.length; b++) {
      const key = keys[b];
      if (key === undefined || key === '') continue;
      const map = this.by[b]!;
      let cell = map.get(key);
      if (!cell) map.set(key, (cell = { lines: 0, units: 0, kg: 0, litres: 0, last: -1, bits: undefined, cases: 0, lastCase: -1 }));
      cell.lines++;
      if (cell.lastCase !== this.#caseSerial) {
        cell.cases++;
        cell.lastCase = this.#caseSerial;
      }
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
      if (!c) map.set(key, (c = { lines: 0, last: -1, bits: undefined, cases: 0, lastCase: -1 }));
      c.lines++;
      if (c.lastCase !== this.#caseSerial) {
        c.cases++;
        c.lastCase = this.#caseSerial;
      }
      addMember(c, mi);
    }

    if (q > 0 && Number.isFinite(q)) {
      const gk = this.keyCache.composite([r.product, u]);
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
          cases: b === 'member' ? (this.cases.get(key)?.count ?? 0) : c.cases,
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
          WEEK_DIMENSIONS.map((d, di) => [
            d,
            sortedRecord(w.by[di]!, (c) => ({ lines: c.lines, cases: c.cases, members: membersOf(c, ix) })),
          ]),
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
 * given to `add` together; Members may interleave.
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

  /**
   * Counts a line in its phase's aggregate and in the cumulative cases. Returns whether it was counted. `keys`: the
   * line's orderKeys, when the caller has them already (a merge in index order computes them).
   */
  add(r: SeizureRecord, keys?: { caseKey: string; sk: string }): boolean {
    if (!this.#counts(r)) return false;
    const { caseKey, sk } = keys ?? orderKeys(r);
    this.#cumulativeSee(r, caseKey, sk);
    let acc = this.#phases.get(r.phase);
    if (!acc) this.#phases.set(r.phase, (acc = this.#newPhase(r.phase)));
    acc.add(r, caseKey, sk);
    this.lines++;
    return true;
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
