/**
 * GET /api/lineage (analysts only): the seizure lines behind a figure or a signal, each with where it came from —
 * Member, case reference, line, the uploaded file (key and S3 version), its sheet and row — so an analyst can go
 * from "oxygen cylinders rising" to the rows of the files that say so.
 *
 * Query: phase (required), dimension and key (the figure's breakdown and value, as in summary.json), optionally
 * member, week (a Monday: that week's lines only, for EARS alarms) and limit. Lines are read as the phase close reads
 * them, through the fence (store/headed.ts: only lines their case's head names, so neither a lapsed lease holder's
 * late write nor the lines of an upload still being stored), one session per request; each with its upload's key
 * and version.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OperationConfig } from '../operation/config.ts';
import { addDays } from '../operation/days.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { HeadedLineReader } from '../store/headed.ts';
import { KeyCache, lineKeys } from '../phase/accumulate.ts';
import { BREAKDOWNS } from '../phase/aggregate-types.ts';
import { badRequest } from './http.ts';
import { submissionId } from './submissions.ts';

/**
 * The breakdowns of the phase summary, keyed exactly as the aggregation keys them (lineKeys, the one key table), so
 * the lines found are the lines counted; and the unit.
 */
const BREAKDOWN_NAMES: readonly string[] = BREAKDOWNS;
export const LINEAGE_DIMENSIONS: readonly string[] = [...BREAKDOWN_NAMES, 'unit'];
export const MAX_LINEAGE_LINES = 1000;

export interface LineageLine {
  readonly member: string;
  readonly caseRef: string;
  readonly lineNo: number;
  readonly seizureDate: string;
  readonly product: string;
  readonly quantity: number;
  readonly unit: string;
  readonly file: string;
  readonly sheet: string;
  readonly row: number;
  /** The upload: S3 key and version, and the portal's submission id. */
  readonly objectKey: string;
  readonly versionId: string;
  readonly submissionId: string;
}

export interface LineageAnswer {
  readonly phase: number;
  readonly dimension: string;
  readonly key: string;
  readonly week: string | null;
  /** All matching lines; `lines` holds at most `limit` of them. */
  readonly total: number;
  readonly lines: LineageLine[];
}

export interface LineageQuery {
  phase?: string | undefined;
  dimension?: string | undefined;
  key?: string | undefined;
  member?: string | undefined;
  week?: string | undefined;
  limit?: string | undefined;
}

export async function lineage(
  deps: { dynamo: DynamoDBClient; tableName: string; config: OperationConfig },
  q: LineageQuery,
): Promise<LineageAnswer> {
  const phase = Number(q.phase);
  if (!Number.isInteger(phase) || !deps.config.phases.some((p) => p.phase === phase))
    throw badRequest(`"phase" must be one of the operation's phases (got '${q.phase ?? ''}')`);
  const dimension = q.dimension ?? '';
  if (!LINEAGE_DIMENSIONS.includes(dimension)) throw badRequest(`"dimension" must be one of ${LINEAGE_DIMENSIONS.join(', ')}`);
  if (!q.key) throw badRequest('"key" is required (the value of the figure, as in summary.json)');
  const members = q.member ? [q.member] : deps.config.members.map((m) => m.code);
  if (q.member && !deps.config.members.some((m) => m.code === q.member))
    throw badRequest(`'${q.member}' is not a Member of this operation`, 'unknown-member');
  if (q.week !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q.week)) throw badRequest('"week" must be a Monday, YYYY-MM-DD');
  const limit = q.limit === undefined ? MAX_LINEAGE_LINES : Math.min(MAX_LINEAGE_LINES, Number(q.limit));
  if (!Number.isInteger(limit) || limit < 1) throw badRequest('"limit" must be a positive integer');
  const weekEnd = q.week ? addDays(q.week, 6) : undefined;
  const index = BREAKDOWN_NAMES.indexOf(dimension);
  const kc = new KeyCache();
  const keys = new Array<string | undefined>(BREAKDOWN_NAMES.length);
  const valueIn = (r: SeizureRecord) => (index < 0 ? r.unit : lineKeys(r, kc, keys)[index]);

  const source = new HeadedLineReader({ client: deps.dynamo, tableName: deps.tableName }).session();
  const lines: LineageLine[] = [];
  let total = 0;
  for (const member of members) {
    for await (const { record: r, objectKey, versionId } of source.sourcedLinesOf(phase, member)) {
      if (valueIn(r) !== q.key) continue;
      if (q.week && (r.seizure_date < q.week || r.seizure_date > weekEnd!)) continue;
      total++;
      if (lines.length >= limit) continue;
      lines.push({
        member: r.reporting_member,
        caseRef: r.case_ref,
        lineNo: r.line_no,
        seizureDate: r.seizure_date,
        product: r.product,
        quantity: r.quantity,
        unit: r.unit,
        file: r.source.file,
        sheet: r.source.sheet,
        row: r.source.row,
        objectKey,
        versionId,
        submissionId: submissionId({ objectKey, versionId }),
      });
    }
  }
  return { phase, dimension, key: q.key, week: q.week ?? null, total, lines };
}
