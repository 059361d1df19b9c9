/** Slices, partials and their merge into the run's aggregate; aggregating all lines at once. See aggregate.ts. */
import type { SeizureRecord } from '../vocabulary/record.ts';
import type { OperationConfig } from '../operation/config.ts';
import { phasesThrough, runLabelOf, type PhaseCloseInput, type Slice } from './input.ts';
import {
  BREAKDOWNS,
  DEFAULT_TOP_K,
  PartialMismatchError,
  WEEK_DIMENSIONS,
  type Quantities,
  type AggregateJson,
  type CellJson,
  type PartialJson,
  type PhaseAggJson,
  type SizesJson,
} from './aggregate-types.ts';
import { compareUtf8, orderKeys } from './case-counter.ts';
import { EXACT_SIZES_CAP, KeyCache, LineAggregator, MemberIndex, PhaseAcc, pushTop, toBins } from './accumulate.ts';

// ---------------------------------------------------------------------------------------------------------------
// Slices, merge, all at once

/** A slice's lines as a source gives them: one at a time, or a page at a time (store/headed.ts pagesOf). */
export type LineStream = AsyncIterable<SeizureRecord> | { readonly pages: AsyncIterable<readonly SeizureRecord[]> };

async function* pagesOfStream(s: LineStream): AsyncGenerator<readonly SeizureRecord[]> {
  if ('pages' in s) yield* s.pages;
  else for await (const r of s) yield [r];
}

type OrderKeys = ReturnType<typeof orderKeys>;

/**
 * Calls `each` for every line of `streams` (each in byPhase index order) in that order, with the line's order keys and
 * its stream's index. Pages are walked synchronously: the only awaits are for the next page of a stream, since a
 * promise per line (an async generator's yield) cost more than the aggregation of the line.
 */
export async function forEachInIndexOrder(
  streams: readonly LineStream[],
  each: (record: SeizureRecord, keys: OrderKeys, stream: number) => void,
): Promise<void> {
  const its = streams.map((s) => pagesOfStream(s));
  const pages: (readonly SeizureRecord[] | undefined)[] = its.map(() => undefined);
  const at: number[] = its.map(() => 0);
  const keys: (OrderKeys | undefined)[] = its.map(() => undefined);
  const fill = async (i: number): Promise<void> => {
    for (;;) {
      const n = await its[i]!.next();
      if (n.done) {
        pages[i] = keys[i] = undefined;
        return;
      }
      if (n.value.length > 0) {
        pages[i] = n.value;
        at[i] = 0;
        keys[i] = orderKeys(n.value[0]!);
        return;
      }
    }
  };
  try {
    await Promise.all(its.map((_, i) => fill(i)));
    for (;;) {
      let best = -1;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (k !== undefined && (best < 0 || compareUtf8(k.sk, keys[best]!.sk) < 0)) best = i;
      }
      if (best < 0) return;
      const page = pages[best]!;
      each(page[at[best]!]!, keys[best]!, best);
      if (++at[best]! < page.length) keys[best] = orderKeys(page[at[best]!]!);
      else await fill(best);
    }
  } finally {
    // A refused line stops the merge: the other streams are closed rather than left suspended.
    await Promise.allSettled(its.map((it, i) => (pages[i] !== undefined ? it.return(undefined) : undefined)));
  }
}

export interface SliceSource {
  /** The slice's lines, in byPhase index order. */
  readonly lines: LineStream;
  /**
   * The same Member's lines of the earlier phases (each in index order): aggregated into their own phases (the
   * partial's `earlier`) and counted in the cumulative cases. Only for the slice of the phase being closed.
   */
  readonly history?: readonly LineStream[];
}

/** Aggregates one slice while its lines stream. */
export async function aggregateSlice(
  input: PhaseCloseInput,
  slice: Slice,
  source: SliceSource,
  opts: { topK?: number } = {},
): Promise<PartialJson> {
  const closing = slice.phase === input.phase;
  const history = closing ? (source.history ?? []) : [];
  // No phase filter: the check refuses a line of any phase but the slice's (and, in history, earlier ones).
  const agg = new LineAggregator({
    ...(input.mode === 'interim' ? { asOf: input.asOf } : {}),
    ...(opts.topK !== undefined ? { topK: opts.topK } : {}),
  });
  // Merged in index order, so that a case whose lines fall in two phases is counted once in the cumulative cases.
  await forEachInIndexOrder([source.lines, ...history], (r, keys, stream) => {
    if (r.reporting_member !== slice.member)
      throw new PartialMismatchError(`slice ${slice.member}/p${slice.phase} got a line of Member ${r.reporting_member}`);
    if (stream === 0 ? r.phase !== slice.phase : r.phase >= slice.phase)
      throw new PartialMismatchError(`slice ${slice.member}/p${slice.phase} got a line of phase ${r.phase}`);
    agg.add(r, keys);
  });
  return partialOf(input, slice, agg, closing ? agg.cumulativeCases() : null);
}

function partialOf(input: PhaseCloseInput, slice: Slice, agg: LineAggregator, cumulativeCases: number | null): PartialJson {
  const phases = agg.phases();
  const earlier = phases.filter((p) => p.phase !== slice.phase);
  return {
    schema: 'phase-partial/1',
    operation: input.operation,
    phase: input.phase,
    mode: input.mode,
    asOf: input.asOf,
    slice: { member: slice.member, phase: slice.phase },
    lines: agg.lines,
    agg: phases.find((p) => p.phase === slice.phase) ?? emptyPhase(slice.phase),
    ...(earlier.length > 0 ? { earlier } : {}),
    cumulativeCases,
  };
}

export function emptyPhase(phase: number): PhaseAggJson {
  return new PhaseAcc(phase, DEFAULT_TOP_K, new MemberIndex(), new KeyCache()).toJson();
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

/**
 * Member sets of the cells being merged, sorted into arrays once at the end: uniting arrays per cell and partial
 * (a new Set and a sort each time) cost more than the rest of the merge of a Member per slice.
 */
class MemberSets {
  readonly #sets = new Map<{ members: string[] }, Set<string>>();
  add(cell: { members: string[] }, members: readonly string[]): void {
    let set = this.#sets.get(cell);
    if (set === undefined) this.#sets.set(cell, (set = new Set(cell.members)));
    for (const m of members) set.add(m);
  }
  finish(): void {
    for (const [cell, set] of this.#sets) cell.members = [...set].sort();
    this.#sets.clear();
  }
}

function addCells(into: Record<string, CellJson>, from: Record<string, CellJson>, sets: MemberSets): void {
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
    sets.add(t, c.members);
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
  const sets = new MemberSets();
  const sizes = new SizeCounts();
  for (const p of parts) {
    out.lines += p.lines;
    out.cases += p.cases;
    out.members = union(out.members, p.members);
    if (p.nilReturns?.length) out.nilReturns = union(out.nilReturns ?? [], p.nilReturns);
    for (const k of Object.keys(out.quantity) as (keyof Quantities)[]) out.quantity[k] += p.quantity[k];
    for (const [cur, v] of Object.entries(p.value)) {
      const t = (out.value[cur] ??= { amount: 0, lines: 0 });
      t.amount += v.amount;
      t.lines += v.lines;
    }
    for (const b of BREAKDOWNS) addCells(out.by[b], p.by[b] ?? {}, sets);
    for (const [wk, w] of Object.entries(p.weeks)) {
      const t = (out.weeks[wk] ??= { lines: 0, by: { product: {}, route: {}, origin: {}, product_concealment: {} } });
      t.lines += w.lines;
      for (const d of WEEK_DIMENSIONS) {
        for (const [k, c] of Object.entries(w.by[d] ?? {})) {
          const tc = t.by[d][k];
          if (!tc) t.by[d][k] = { lines: c.lines, ...(c.cases !== undefined ? { cases: c.cases } : {}), members: [...c.members] };
          else {
            tc.lines += c.lines;
            if (c.cases !== undefined || tc.cases !== undefined) tc.cases = (tc.cases ?? 0) + (c.cases ?? 0);
            sets.add(tc, c.members);
          }
        }
      }
    }
    for (const [gk, s] of Object.entries(p.sizes)) {
      const t = (out.sizes[gk] ??= { product: s.product, unit: s.unit, n: 0, binned: false, counts: {}, top: [] });
      t.n += s.n;
      sizes.add(t, s);
      for (const c of s.top) pushTop(t.top, c, topK);
    }
  }
  sets.finish();
  sizes.finish();
  // The same key order as a single pass, so merged and direct aggregates serialise alike.
  out.value = sortKeys(out.value);
  for (const b of BREAKDOWNS) out.by[b] = sortKeys(out.by[b]);
  out.weeks = sortKeys(out.weeks);
  for (const w of Object.values(out.weeks)) for (const d of WEEK_DIMENSIONS) w.by[d] = sortKeys(w.by[d]);
  out.sizes = sortKeys(out.sizes);
  for (const s of Object.values(out.sizes)) s.counts = sortKeys(s.counts, (a, b) => Number(a) - Number(b));
  return out;
}

const countsOf = (s: SizesJson) => new Map(Object.entries(s.counts).map(([k, n]) => [Number(k), n] as const));

/**
 * Size distributions being merged, kept as Maps until the end: turning the growing one into a Map and back for every
 * partial cost half the merge.
 */
class SizeCounts {
  readonly #maps = new Map<SizesJson, Map<number, number>>();

  /** Adds a size distribution into another: exact while the union has at most EXACT_SIZES_CAP sizes, else binned. */
  add(into: SizesJson, from: SizesJson): void {
    let a = this.#maps.get(into) ?? countsOf(into);
    let b = countsOf(from);
    let binned = into.binned || from.binned;
    if (!binned) {
      let union = a.size;
      for (const k of b.keys()) if (!a.has(k)) union++;
      if (union > EXACT_SIZES_CAP) binned = true;
    }
    if (binned) {
      if (!into.binned) a = toBins(a);
      if (!from.binned) b = toBins(b);
    }
    for (const [k, n] of b) a.set(k, (a.get(k) ?? 0) + n);
    into.binned = binned;
    this.#maps.set(into, a);
  }

  finish(): void {
    for (const [into, a] of this.#maps) into.counts = Object.fromEntries([...a].map(([k, n]) => [String(k), n]));
    this.#maps.clear();
  }
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
      throw new PartialMismatchError(
        `partial of slice ${p.slice.member}/p${p.slice.phase} belongs to another run (${p.operation} phase ${p.phase} ${p.mode} ${p.asOf})`,
      );
    }
    for (const ph of [p.slice.phase, ...(p.earlier ?? []).map((a) => a.phase)]) {
      if (!phases.includes(ph))
        throw new PartialMismatchError(`partial of phase ${ph} is outside this run's phases (${phases.join(', ')})`);
      const id = `${p.slice.member}/${ph}`;
      if (seen.has(id)) throw new PartialMismatchError(`slice ${id} is given twice`);
      seen.add(id);
    }
    if (p.slice.phase === input.phase && p.cumulativeCases) {
      cumulativeCases += p.cumulativeCases;
      byMember.set(p.slice.member, p.cumulativeCases);
    }
  }
  const byPhase = phases.map((ph) =>
    mergePhaseAggs(
      ph,
      partials.flatMap((p) => [p.agg, ...(p.earlier ?? [])]).filter((a) => a.phase === ph),
    ),
  );
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
  return {
    schema: 'phase-aggregate/1',
    operation: input.operation,
    phase: input.phase,
    mode: input.mode,
    asOf: input.asOf,
    runLabel: runLabelOf(input),
  };
}

/** The byPhase index order of lines, for sorting lines held in memory: Member, then case_ref NFC and line_no in UTF-8 order. */
export function compareIndexOrder(a: SeizureRecord, b: SeizureRecord): number {
  if (a.reporting_member !== b.reporting_member) return a.reporting_member < b.reporting_member ? -1 : 1;
  return compareUtf8(orderKeys(a).sk, orderKeys(b).sk);
}
