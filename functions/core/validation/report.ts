/**
 * The validation report: its shape (a shipped contract, shaped after Frictionless validation reports: add fields,
 * never rename or remove), the options of a validation, and what a report means (rejected, exit code).
 */
import type { Lang, OperationConfig } from '../operation/config.ts';
import type { MessageId, Params } from './messages.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import type { StoredCounts } from '../store/submission.ts';
import type { FieldKey } from '../vocabulary/schema.ts';
import type { ReadLimits } from '../sheet/types.ts';

export type RowErrorType = 'missing-cell' | 'type-error' | 'constraint-error' | 'unique-error';
export type FileErrorType = 'source-error' | 'format-error' | 'size-error' | 'missing-label' | 'duplicate-label' | 'encoding-error';
/** extra-label: a header cell that names no field; ignored-cells: cells beyond the header's columns (one warning). */
export type WarningType = 'extra-label' | 'ignored-cells' | 'nil-return';

export interface ValidationIssue {
  type: RowErrorType | FileErrorType | WarningType;
  /** The row number a person sees in the spreadsheet program; null for file-level issues. */
  rowNumber: number | null;
  /** Canonical key of the column; null when the issue is not about one column. */
  fieldName: string | null;
  /** The raw value as text. */
  cell: string | null;
  message: string;
  /** Column letter (A, B, ... AA) where the issue sits, when it is about a cell or header. */
  column?: string;
  /** Which rule spoke: a stable id for tools and the feedback workbook. */
  code: MessageId;
  /**
   * What `message` was made of, worded in every language where it is words: message(code, lang, params) says it in
   * another language (the portal, in its reader's). Absent from reports written before it was kept.
   */
  params?: Params;
}

export interface ValidationReport {
  valid: boolean;
  file: string;
  member: string | null;
  sheet: string | null;
  headerRow: number | null;
  format: 'xlsx' | 'csv' | null;
  language: Lang;
  stats: { rows: number; validRows: number; invalidRows: number; blankRows: number; errors: number; warnings: number };
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** Errors counted in stats but left out of `errors` to bound the report's size (0 when all are listed). */
  errorsNotListed: number;
  /**
   * Set by ingestion (feedback report.json), absent from `seizures validate`: what storing the upload did. Lines
   * written; lines withdrawn (earlier lines of its cases it no longer has); cases left alone because a newer upload
   * holds them. Since replacement by object key, also cases stored, replaced and withdrawn, and the earlier files
   * replaced (StoredCounts).
   */
  stored?: StoredCounts;
  /**
   * Set by ingestion for an upload of the empty template (no data rows, no file-level error) whose day falls in one
   * phase: recorded as the Member's nil return for that phase (`created` false: one had already been sent).
   */
  nilReturn?: { phase: number; created: boolean };
  /** Where each canonical column sits in the data sheet (0-based), for the feedback workbook. */
  columns: Partial<Record<FieldKey, number>>;
  /**
   * For the feedback workbook: the data sheet's rows did not come in ascending order (a producer may write them in any
   * order; the feedback writer must then sort them). Absent when they did.
   */
  rowsUnordered?: true;
}

/** Fields of the report that are for the feedback writer only, never printed. */
export type InternalField = 'columns' | 'rowsUnordered';

/** The report as printed (CLI `--format json`) and stored (feedback `report.json`): the internal fields left out. */
export function printableReport(report: ValidationReport): Omit<ValidationReport, InternalField> {
  const { columns: _columns, rowsUnordered: _unordered, ...printable } = report;
  return printable;
}

export interface ValidateOptions {
  readonly config: OperationConfig;
  /** The uploading Member (ISO alpha-2): rows reporting another Member are errors. */
  readonly member?: string;
  /** Language of the messages; by default the language of the file's headers, else the Member's, else English. */
  readonly lang?: Lang;
  /** Today as YYYY-MM-DD (seizure dates after it are errors). @default the current UTC date */
  readonly today?: string;
  readonly limits?: Partial<ReadLimits>;
  /** Most issues listed in the report (all are counted). @default 100,000 */
  readonly maxIssues?: number;
  /** Receives each valid record as it is found; awaited (backpressure). Records are final only if the report is not rejected. */
  readonly onRecord?: (record: SeizureRecord) => void | Promise<void>;
  /**
   * Receives the case reference of every data row that has one, valid or not, in the form records carry (trimmed,
   * NFC): the cases the file still has, even where a row of one is invalid (a new version of a file never withdraws
   * them; store/README.md). Called once per row, so a case may be seen several times.
   */
  readonly onCase?: (caseRef: string) => void;
}

const FILE_LEVEL: ReadonlySet<string> = new Set([
  'source-error',
  'format-error',
  'size-error',
  'missing-label',
  'duplicate-label',
  'encoding-error',
]);

/** True when the file as a whole was rejected (nothing in it is usable). */
export const isRejected = (r: Pick<ValidationReport, 'errors'>): boolean => r.errors.some((e) => FILE_LEVEL.has(e.type));

/** The CLI's exit code for a report: 0 all valid, 1 some rows invalid, 2 rejected. */
export const exitCodeOf = (r: ValidationReport): 0 | 1 | 2 => (isRejected(r) ? 2 : r.stats.invalidRows > 0 ? 1 : 0);

/** Most characters of a cell a report echoes (in `cell` and in messages): a 24 MB field is not sent back whole. */
export const MAX_ECHO_CHARS = 200;

/** `text` as a report echoes it: at most MAX_ECHO_CHARS characters, cut ones ending in "…" (never inside a pair). */
export function echo(text: string): string {
  if (text.length <= MAX_ECHO_CHARS) return text;
  let end = MAX_ECHO_CHARS - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
