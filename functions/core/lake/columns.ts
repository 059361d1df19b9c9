/**
 * The lake's one table, `lines`: its columns (a contract: add, never rename or remove), where its files live, and how
 * a counted seizure line becomes a row. Read by the Parquet writer (parquet.ts), the Glue table (lib/analysts-lake.ts)
 * and the local query command (query.ts), so the three cannot disagree about a column's name or type.
 */
import type { SeizureRecord } from '../vocabulary/record.ts';
import { LAKE_PREFIX } from '../operation/layout.ts';
import { UNKNOWN } from '../trends/types.ts';

/** A column's type: Parquet physical + logical type, and the same in Glue (Athena's Hive DDL). */
export type LakeType = 'string' | 'int' | 'double' | 'date' | 'timestamp' | 'array<string>';

export interface LakeColumn {
  readonly name: string;
  readonly type: LakeType;
  /** Every row has a value (Parquet REQUIRED). */
  readonly required: boolean;
  readonly comment: string;
  /** Few distinct values in a file (a dictionary pays): the writer is told so rather than sampling each column. */
  readonly repeats: boolean;
}

const col = (name: string, type: LakeType, required: boolean, comment: string): LakeColumn => ({
  name,
  type,
  required,
  comment,
  repeats: !['case_ref', 'line', 'quantity', 'value', 'source_row', 'transit'].includes(name),
});

/** The columns of `lines`, in file order. `phase` and `member` are also the partition keys of the path. */
export const LAKE_COLUMNS: readonly LakeColumn[] = [
  col('operation', 'string', true, 'operation id (cdk.json)'),
  col('phase', 'int', true, 'phase of the line'),
  col('member', 'string', true, 'reporting Member, ISO 3166 alpha-2'),
  col('case_ref', 'string', true, "the Member's case reference"),
  col('line', 'int', true, 'line number within the case'),
  col('seizure_date', 'date', true, 'date of the seizure'),
  col('category', 'string', true, 'medicine, medical_device or vaccine'),
  col('product', 'string', true, 'product code (the vocabulary)'),
  col('quantity', 'double', true, 'quantity, in unit'),
  col('unit', 'string', true, 'pieces, doses, packs, kg or litres'),
  col('origin', 'string', false, 'country of origin'),
  col('destination', 'string', false, 'country of destination'),
  col('transit', 'array<string>', false, 'transit countries, in order'),
  col('route', 'string', false, 'departure (else origin) > transits > destination, as the phase close counts routes'),
  col('transport_mode', 'string', true, 'transport mode'),
  col('concealment', 'string', false, 'concealment method'),
  col('detection', 'string', false, 'detection method'),
  col('infringement', 'string', true, 'infringement type'),
  col('value', 'double', false, 'estimated value, in currency'),
  col('currency', 'string', false, 'ISO 4217 currency of value'),
  col('source_key', 'string', false, 'S3 key of the upload that wrote the line'),
  col('source_version', 'string', false, 'S3 version id of that upload'),
  col('source_row', 'int', true, 'row of the line in that upload'),
  col('received_at', 'timestamp', false, 'when S3 received that upload (UTC)'),
  col('run_label', 'string', true, 'the phase-close run that wrote the file: final or interim-{asOf}'),
  col('as_of', 'date', true, "that run's as-of date"),
];

/** The partition keys of `lake/{operation}/lines/phase={n}/member={XX}/`. */
export const LAKE_PARTITIONS = [
  { name: 'phase', type: 'int' },
  { name: 'member', type: 'string' },
] as const;

/** The folder of an operation's lines: `lake/{operation}/lines/`. */
export const lakeLinesPrefix = (operation: string): string => `${LAKE_PREFIX}${operation}/lines/`;

/** The one file of a phase and Member, overwritten by each run. */
export const lakeKey = (operation: string, phase: number, member: string): string =>
  `${lakeLinesPrefix(operation)}phase=${phase}/member=${member}/part-0.parquet`;

/**
 * The route of a line as the phase close counts it (phase/accumulate.ts KeyCache.route; a test holds them equal):
 * (departure, else origin) > transits > destination, undefined when neither end is known.
 */
export function routeOf(r: SeizureRecord): string | undefined {
  const from = r.departure_country ?? r.origin_country;
  const to = r.destination_country;
  if (!from && !to) return undefined;
  const transit = r.transit_countries;
  return transit?.length ? `${from ?? UNKNOWN}>${transit.join('>')}>${to ?? UNKNOWN}` : `${from ?? UNKNOWN}>${to ?? UNKNOWN}`;
}

/** A counted line with the upload that wrote it (store/headed.ts SourcedLine; absent parts: not known). */
export interface LakeLine {
  readonly record: SeizureRecord;
  readonly objectKey?: string;
  readonly versionId?: string;
  /** The upload's order token: `{S3 event time}#{sequencer}` (ingest/ingest.ts orderToken). */
  readonly orderToken?: string;
}

/** The run a file is written by. */
export interface LakeRun {
  readonly operation: string;
  readonly runLabel: string;
  /** YYYY-MM-DD. */
  readonly asOf: string;
}
