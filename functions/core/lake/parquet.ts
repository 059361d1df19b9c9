/**
 * A slice's counted lines as Parquet files, one per phase (columns.ts). Lines are kept as columns while the slice
 * streams (one push per column per line, no row objects), then each phase's columns are encoded in one go with
 * hyparquet-writer (pure JavaScript, ~18 kB gzip in the Lambda bundle; it writes v2 data pages, which DuckDB,
 * Athena and hyparquet read: test/functions/core/lake/parquet.test.ts reads every file back with two readers).
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { LAKE_COLUMNS, lakeKey, routeOf, type LakeColumn, type LakeLine, type LakeRun } from './columns.ts';

/** The writer's own schema type (its copy of hyparquet's, which the top-level hyparquet may not match). */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD (Parquet DATE). */
export function epochDay(day: string): number {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) throw new RangeError(`not a date: ${JSON.stringify(day)}`);
  return Math.round(t / DAY_MS);
}

/** When S3 received the upload (epoch ms), from its order token `{event time}#{sequencer}`; null when unknown. */
export function receivedAtOf(orderToken: string | undefined): number | null {
  if (!orderToken) return null;
  const t = Date.parse(orderToken.slice(0, orderToken.indexOf('#') >>> 0));
  return Number.isNaN(t) ? null : t;
}

type Value = string | number | null | string[];

/** One phase's columns, by LAKE_COLUMNS index. */
class PhaseColumns {
  readonly cols: Value[][] = LAKE_COLUMNS.map(() => []);
  rows = 0;
}

/** The Parquet schema of `lines` (columns.ts): standard 3-level LIST for transit. */
export function lakeSchema(): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'schema', num_children: LAKE_COLUMNS.length }];
  for (const c of LAKE_COLUMNS) out.push(...elementsOf(c));
  return out;
}

function elementsOf(c: LakeColumn): SchemaElement[] {
  const repetition_type = c.required ? 'REQUIRED' : 'OPTIONAL';
  switch (c.type) {
    case 'string':
      return [{ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type }];
    case 'int':
      return [{ name: c.name, type: 'INT32', repetition_type }];
    case 'double':
      return [{ name: c.name, type: 'DOUBLE', repetition_type }];
    case 'date':
      return [{ name: c.name, type: 'INT32', converted_type: 'DATE', repetition_type }];
    case 'timestamp':
      return [{ name: c.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type }];
    case 'array<string>':
      return [
        { name: c.name, repetition_type, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      ];
  }
}

/** A finished file: its key, bytes and row count. */
export interface LakeFile {
  readonly key: string;
  readonly phase: number;
  readonly member: string;
  readonly body: Uint8Array;
  readonly rows: number;
}

/**
 * Collects one Member's counted lines of the given phases, and encodes one file per phase: a phase with no line gets
 * a file with no row, so a rerun after lines were withdrawn overwrites the earlier file instead of leaving it.
 */
export class LakeSlice {
  readonly #run: LakeRun;
  readonly #member: string;
  readonly #asOfDay: number;
  readonly #phases = new Map<number, PhaseColumns>();
  /** Parsed days and upload times, by their text: a slice has few distinct ones, and parsing each line's cost 8 us. */
  readonly #days = new Map<string, number>();
  readonly #received = new Map<string, number | null>();

  constructor(run: LakeRun, member: string, phases: readonly number[]) {
    this.#run = run;
    this.#member = member;
    this.#asOfDay = epochDay(run.asOf);
    for (const p of phases) this.#phases.set(p, new PhaseColumns());
  }

  /** Lines collected so far (all phases). */
  get rows(): number {
    let n = 0;
    for (const p of this.#phases.values()) n += p.rows;
    return n;
  }

  /** Whether a line is of this slice's Member and phases (others are the aggregation's to refuse). */
  holds(r: SeizureRecord): boolean {
    return r.reporting_member === this.#member && this.#phases.has(r.phase);
  }

  /** Adds a counted line (the caller decides what counts: the aggregator's rule). */
  add(line: LakeLine): void {
    const r = line.record;
    const p = this.#phases.get(r.phase);
    if (p === undefined) throw new RangeError(`lake: a line of phase ${r.phase} is not one of this slice's phases`);
    if (r.reporting_member !== this.#member)
      throw new RangeError(`lake: a line of Member ${r.reporting_member} in ${this.#member}'s slice`);
    const c = p.cols;
    let i = 0;
    c[i++]!.push(this.#run.operation);
    c[i++]!.push(r.phase);
    c[i++]!.push(r.reporting_member);
    c[i++]!.push(r.case_ref.normalize('NFC'));
    c[i++]!.push(r.line_no);
    let day = this.#days.get(r.seizure_date);
    if (day === undefined) this.#days.set(r.seizure_date, (day = epochDay(r.seizure_date)));
    c[i++]!.push(day);
    c[i++]!.push(r.category);
    c[i++]!.push(r.product);
    c[i++]!.push(r.quantity);
    c[i++]!.push(r.unit);
    c[i++]!.push(r.origin_country ?? null);
    c[i++]!.push(r.destination_country ?? null);
    c[i++]!.push(r.transit_countries?.length ? r.transit_countries : null);
    c[i++]!.push(routeOf(r) ?? null);
    c[i++]!.push(r.transport_mode);
    c[i++]!.push(r.concealment_method ?? null);
    c[i++]!.push(r.detection_method ?? null);
    c[i++]!.push(r.infringement_type);
    c[i++]!.push(r.estimated_value ?? null);
    c[i++]!.push(r.currency ?? null);
    c[i++]!.push(line.objectKey ?? null);
    c[i++]!.push(line.versionId ?? null);
    c[i++]!.push(r.source.row);
    const token = line.orderToken ?? '';
    let received = this.#received.get(token);
    if (received === undefined) this.#received.set(token, (received = receivedAtOf(token)));
    c[i++]!.push(received);
    c[i++]!.push(this.#run.runLabel);
    c[i++]!.push(this.#asOfDay);
    p.rows++;
  }

  /** A phase's columns as collected (bench and tests). */
  columnsOf(phase: number): readonly (readonly Value[])[] | undefined {
    return this.#phases.get(phase)?.cols;
  }

  /** One file per phase of the slice, in phase order. */
  files(): LakeFile[] {
    const schema = lakeSchema();
    return [...this.#phases]
      .sort((a, b) => a[0] - b[0])
      .map(([phase, p]) => ({
        key: lakeKey(this.#run.operation, phase, this.#member),
        phase,
        member: this.#member,
        rows: p.rows,
        body: new Uint8Array(
          parquetWriteBuffer({
            // No statistics nor page indexes: files are a Member's phase (readers prune by path), and writing them cost
            // more than the data (bench: npm run bench -- lake).
            columnData: LAKE_COLUMNS.map((c, i) => ({
              name: c.name,
              data: p.cols[i]!,
              nullable: !c.required,
              offsetIndex: false,
              ...(c.type === 'array<string>' ? {} : { encoding: c.repeats ? ('RLE_DICTIONARY' as const) : ('PLAIN' as const) }),
            })),
            statistics: false,
            schema,
            // One row group per file: a Member's phase is small (thousands of lines), and readers prune by path.
            rowGroupSize: Math.max(1, p.rows),
            kvMetadata: [{ key: 'seizure-pipeline', value: `lines/1 ${this.#run.runLabel} ${this.#run.asOf}` }],
            createdBy: 'seizure-pipeline (hyparquet-writer)',
          }),
        ),
      }));
  }
}
