/** Slices, partials and their merge into the run's aggregate; aggregating all lines at once. See aggregate.ts. */
import type { SeizureRecord } from '../record.ts';
import type { OperationConfig } from '../config.ts';
import { phasesThrough, runLabelOf, type PhaseCloseInput, type Slice } from './input.ts';
import { BREAKDOWNS, DEFAULT_TOP_K, PartialMismatchError, WEEK_DIMENSIONS, type Quantities, type AggregateJson, type CellJson, type PartialJson, type PhaseAggJson, type SizesJson } from './aggregate-types.ts';
import { compareUtf8, orderKeys } from './case-counter.ts';
import { EXACT_SIZES_CAP, KeyCache, LineAggregator, MemberIndex, PhaseAcc, pushTop, toBins } from './accumulate.ts';


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
    if (p.nilReturns?.length) out.nilReturns = union(out.nilReturns ?? [], p.nilReturns);
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
          if (!tc) t.by[d][k] = { lines: c.lines, ...(c.cases !== undefined ? { cases: c.cases } : {}), members: [...c.members] };
          else {
            tc.lines += c.lines;
            if (c.cases !== undefined || tc.cases !== undefined) tc.cases = (tc.cases ?? 0) + (c.cases ?? 0);
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
