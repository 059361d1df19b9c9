/**
 * GET /api/my-data?format=xlsx|csv[&lang&phase] (a Member: its own lines; analysts: `member=XX`, required): a
 * Member's stored seizure lines, to check, correct and upload back.
 *
 * The xlsx is the upload template of the language (validation/template.ts: the same sheet, headers, dropdowns, lists
 * and instructions) with one row per line, coded values as the template's labels in that language; the CSV has the
 * same header and cells (UTF-8 with a BOM, so spreadsheet programs read accents). Either validates as it is and, sent
 * back unchanged, replaces each case with the same lines (test/lib/local/my-data.test.ts).
 *
 * The lines are read as the phase close reads them, through the fence (store/headed.ts, one session per request), so
 * the download holds exactly the lines the summaries count: never a lapsed writer's late line, nor the lines of an
 * upload still being stored. A Member only ever gets its own: the Member comes from the token; naming another is 403.
 *
 * Bounded, not streamed: a Lambda answer is at most 6 MB (base64: about 4.4 MB of file), so a download holds at most
 * MAX_MY_DATA_LINES lines; past that (or past MAX_MY_DATA_BYTES once built) the answer is 413 `too-many-lines`, which
 * says how many lines there are and to ask one phase at a time (`phase=n`). No line stored: 404 `no-lines`.
 * `npm run bench -- my-data`, 12,000 lines with every column filled: CSV 4.2 MB in 0.4 s; xlsx (exceljs, the
 * template's dropdowns and lists kept) 1.0 MB in 5.4 s and 500 MB peak, inside the portal function's 1,024 MB and 29 s.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Lang, OperationConfig } from '../operation/config.ts';
import { HeadedLineReader } from '../store/headed.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { FIELDS, type FieldKey } from '../vocabulary/schema.ts';
import { VOCABS, type VocabName } from '../vocabulary/vocab.ts';
import type { Caller } from './auth.ts';
import { badRequest, download, forbidden, HttpError, type PortalResponse } from './http.ts';

/** Lines in one download; more: 413, one phase at a time. */
export const MAX_MY_DATA_LINES = 12_000;
/** Bytes of one download (a Lambda answer is at most 6 MB, base64-encoded). */
export const MAX_MY_DATA_BYTES = 4_400_000;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface MyDataQuery {
  format?: string | undefined;
  member?: string | undefined;
  lang?: string | undefined;
  phase?: string | undefined;
}

export interface MyDataDeps {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly config: OperationConfig;
  /** @default MAX_MY_DATA_LINES */
  readonly maxLines?: number;
}

export async function myData(deps: MyDataDeps, caller: Caller, q: MyDataQuery): Promise<PortalResponse> {
  const format = q.format ?? 'xlsx';
  if (format !== 'xlsx' && format !== 'csv') throw badRequest('"format" must be xlsx or csv', 'bad-format');
  const member = memberOf(deps.config, caller, q.member);
  const lang = (q.lang ?? deps.config.members.find((m) => m.code === member)?.language ?? 'en') as Lang;
  if (!['en', 'fr', 'es'].includes(lang)) throw badRequest('"lang" must be en, fr or es', 'bad-lang');
  const phases = deps.config.phases.map((p) => p.phase);
  const phase = q.phase === undefined || q.phase === '' ? undefined : Number(q.phase);
  if (phase !== undefined && !phases.includes(phase))
    throw badRequest(`"phase" must be one of ${phases.join(', ')} (got '${q.phase}')`, 'bad-phase');

  const max = deps.maxLines ?? MAX_MY_DATA_LINES;
  const records = await fencedLines(deps, member, phase === undefined ? phases : [phase], max);
  // Not an empty template: sent back, the empty template is a nil return ("nothing to report"), not a correction.
  if (records.length === 0)
    throw new HttpError(404, 'no-lines', `no seizure lines are stored for ${member}${phase ? ` in phase ${phase}` : ''}`);
  const name = `${deps.config.id}-${member}${phase === undefined ? '' : `-phase-${phase}`}-${lang}.${format}`;
  const bytes = format === 'csv' ? myDataCsv(records, lang) : await myDataXlsx(deps.config, records, lang);
  if (bytes.length > MAX_MY_DATA_BYTES) throw tooMany(records.length, phase);
  return download(bytes, format === 'csv' ? 'text/csv; charset=utf-8' : XLSX, name);
}

/** The Member the caller may download: its own (naming another: 403); analysts must name one (400 `member-required`). */
function memberOf(config: OperationConfig, caller: Caller, asked: string | undefined): string {
  const named = asked === '' ? undefined : asked;
  if (caller.analyst) {
    if (named === undefined) throw badRequest('name the Member whose lines you want: member=XX', 'member-required');
    if (!config.members.some((m) => m.code === named)) throw badRequest(`'${named}' is not a Member of this operation`, 'unknown-member');
    return named;
  }
  if (!caller.member) throw forbidden('your account is not linked to a Member');
  if (named !== undefined && named !== caller.member) throw forbidden('you download your own Member’s lines only');
  return caller.member;
}

const tooMany = (n: number, phase: number | undefined) =>
  new HttpError(
    413,
    'too-many-lines',
    phase === undefined
      ? `${n} lines are too many for one download: download one phase at a time (phase=n)`
      : `phase ${phase} has ${n} lines, too many for one download; ask the operation's analysts for an export`,
  );

/** The fenced lines of the phases, in date, case and line order; 413 (with the count) when there are more than `max`. */
async function fencedLines(deps: MyDataDeps, member: string, phases: number[], max: number): Promise<SeizureRecord[]> {
  const source = new HeadedLineReader({ client: deps.dynamo, tableName: deps.tableName }).session();
  const out: SeizureRecord[] = [];
  let n = 0;
  for (const phase of phases)
    for await (const page of source.pagesOf(phase, member)) {
      n += page.length;
      // Past the limit the lines are only counted, so the answer can say how many there are; memory stays bounded.
      if (n <= max) out.push(...page);
    }
  if (n > max) throw tooMany(n, phases.length === 1 ? phases[0] : undefined);
  return out.sort((a, b) => cmp(a.seizure_date, b.seizure_date) || cmp(a.case_ref, b.case_ref) || a.line_no - b.line_no);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Cell = string | number | Date | null;

/** A line's cell under a column of the template: coded values as the template's labels in `lang`. */
export function cellOf(r: SeizureRecord, key: FieldKey, lang: Lang): Cell {
  const label = (vocab: VocabName, code: string | undefined) => (code === undefined ? null : VOCABS[vocab].label(code, lang));
  switch (key) {
    case 'seizure_date':
      return new Date(`${r.seizure_date}T00:00:00Z`);
    case 'location_type':
    case 'direction':
    case 'category':
    case 'product':
    case 'unit':
    case 'transport_mode':
    case 'concealment_method':
    case 'detection_method':
    case 'infringement_type':
      return label(key, r[key]);
    case 'transit_countries':
      return r.transit_countries?.length ? r.transit_countries.join(' ') : null;
    default: {
      const v = r[key];
      return v === undefined || v === '' ? null : v;
    }
  }
}

/** The template of `lang` with one row per line (exceljs, loaded only for this). */
export async function myDataXlsx(config: OperationConfig, records: readonly SeizureRecord[], lang: Lang): Promise<Uint8Array> {
  const { buildTemplate } = await import('../validation/template.ts');
  const wb = buildTemplate(config, lang);
  const ws = wb.worksheets[0]!;
  records.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    FIELDS.forEach((d, c) => {
      const v = cellOf(r, d.key, lang);
      if (v !== null) row.getCell(c + 1).value = v;
    });
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** The same header and cells as CSV (RFC 4180, comma, CRLF, UTF-8 with a BOM). */
export function myDataCsv(records: readonly SeizureRecord[], lang: Lang): Uint8Array {
  const lines = [FIELDS.map((d) => csvField(d.labels[lang] + (d.required ? ' *' : ''))).join(',')];
  for (const r of records) lines.push(FIELDS.map((d) => csvField(csvText(cellOf(r, d.key, lang)))).join(','));
  return new TextEncoder().encode(`\uFEFF${lines.join('\r\n')}\r\n`);
}

function csvText(v: Cell): string {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'number') return numberText(v);
  return v;
}

/**
 * A number as the validator reads it back (validation/parse.ts parseNumber): a dot for the decimal mark, never an
 * exponent, and a trailing zero after exactly three decimals of a number under 1,000 ("1.2340"), which would
 * otherwise be ambiguous with a thousands separator ("1.234").
 */
export function numberText(n: number): string {
  let s = String(n);
  if (/e/i.test(s)) s = n.toFixed(20).replace(/\.?0+$/, '');
  return /^-?[1-9]\d{0,2}\.\d{3}$/.test(s) ? `${s}0` : s;
}

const csvField = (s: string) => (/[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
