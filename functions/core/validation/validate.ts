/**
 * Validation of a Member's spreadsheet: finds the data sheet and its header row, checks every row against the
 * seizure schema and hands each valid row on as a canonical record, while collecting a report shaped after
 * Frictionless validation reports. Streams: only the report's issues and the keys seen (for duplicates) grow.
 *
 * The parts: validation/report.ts (the report's shape, a shipped contract), validation/header.ts (the header row),
 * validation/cases.ts (cases seen, for duplicates), validation/row-check.ts (the checks of one row). This module runs
 * them over a workbook.
 */
import type { Lang, OperationConfig } from '../operation/config.ts';
import { TEST_MEMBER } from '../operation/smoke.ts';
import { normaliseCountry } from '../vocabulary/countries.ts';
import { localText, message, type MessageId, type Params } from './messages.ts';
import { cellText, isoDay } from './parse.ts';
import { FIELD_BY_KEY, REQUIRED_KEYS, type FieldKey } from '../vocabulary/schema.ts';
import { columnLetter } from '../sheet/columns.ts';
import { openSpreadsheet } from '../sheet/open.ts';
import {
  DEFAULT_LIMITS,
  SpreadsheetError,
  type ByteSource,
  type ColumnWindow,
  type ReadLimits,
  type Row,
  type Sheet,
  type Workbook,
} from '../sheet/types.ts';
import { CaseRegistry } from './cases.ts';
import { columnLimit, readHeader, type Header } from './header.ts';
import { echo, type FileErrorType, type ValidateOptions, type ValidationIssue, type ValidationReport } from './report.ts';
import { RowCheck, type RowContext } from './row-check.ts';
import { VOCABS, type VocabName } from '../vocabulary/vocab.ts';

export {
  exitCodeOf,
  isRejected,
  printableReport,
  type InternalField,
  type FileErrorType,
  type RowErrorType,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationReport,
  type WarningType,
} from './report.ts';

const HEADER_SEARCH_ROWS = 20;
/** Excel's last row: no worksheet has a row past it, and a copy that had one would not open. */
export const EXCEL_MAX_ROW = 1_048_576;
/** Columns a header row is looked for in (the template has 25; a header starting past column AMJ is not one). */
const HEADER_SEARCH_COLUMNS = 1_024;

/** Validates one file. Never throws for a bad file: every problem ends up in the report. */
export async function validateSpreadsheet(source: ByteSource, opts: ValidateOptions): Promise<ValidationReport> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  let wb: Workbook;
  try {
    wb = await openSpreadsheet(source, limits);
  } catch (e) {
    if (!(e instanceof SpreadsheetError)) throw e;
    return rejectionReport(source.name, opts, e);
  }
  try {
    return await validateWorkbook(wb, source.name, opts);
  } finally {
    await wb.close().catch(() => undefined);
  }
}

/**
 * The report of a file not read: rejected as a whole for the reason `e` gives, or (no `e`) an empty report that the
 * caller fills (ingest's notice of a failure on its side).
 */
export function rejectionReport(file: string, opts: ValidateOptions, e?: SpreadsheetError): ValidationReport {
  const v = new Validation(file, opts);
  if (e) v.fileError(e.type, e.type, { ...e.params, reason: e.reason });
  return v.finish();
}

/** Validates an open workbook (the caller closes it). */
export async function validateWorkbook(wb: Workbook, file: string, opts: ValidateOptions): Promise<ValidationReport> {
  const v = new Validation(file, opts);
  v.report.format = wb.format;
  try {
    await v.run(wb, { ...DEFAULT_LIMITS, ...opts.limits });
  } catch (e) {
    // A reader may fail mid-sheet (a corrupt entry, a zip bomb, bad bytes in a CSV): the file is rejected as a whole.
    if (!(e instanceof SpreadsheetError)) throw e;
    v.fileError(e.type, e.type, { ...e.params, reason: e.reason });
  }
  return v.finish();
}

class Validation implements RowContext {
  readonly report: ValidationReport;
  private lang: Lang;
  private readonly maxIssues: number;
  private readonly today: string;
  private readonly members: ReadonlySet<string>;
  private readonly cases: CaseRegistry;
  private readonly memos = new Map<string, Map<string, unknown>>();
  private date1904 = false;
  private sheetName = '';

  constructor(
    file: string,
    private readonly opts: ValidateOptions,
  ) {
    this.lang = opts.lang ?? opts.config.members.find((m) => m.code === opts.member)?.language ?? 'en';
    this.maxIssues = opts.maxIssues ?? 100_000;
    this.today = opts.today ?? isoDay(new Date());
    this.members = new Set(opts.config.members.map((m) => m.code));
    this.cases = new CaseRegistry(opts.member);
    this.report = {
      valid: false,
      file,
      member: opts.member ?? null,
      sheet: null,
      headerRow: null,
      format: null,
      language: this.lang,
      stats: { rows: 0, validRows: 0, invalidRows: 0, blankRows: 0, errors: 0, warnings: 0 },
      errors: [],
      warnings: [],
      errorsNotListed: 0,
      columns: {},
    };
  }

  finish(): ValidationReport {
    const r = this.report;
    r.language = this.lang;
    r.stats.errors = r.errors.length + r.errorsNotListed;
    r.stats.warnings = r.warnings.length;
    r.valid = r.stats.errors === 0;
    return r;
  }

  fileError(type: FileErrorType, code: MessageId, params: Params, fieldName: string | null = null): void {
    this.report.errors.push({ type, rowNumber: null, fieldName, cell: null, message: message(code, this.lang, params), code, params });
  }

  async run(wb: Workbook, limits: ReadLimits): Promise<void> {
    this.date1904 = wb.date1904 ?? false;
    let bestMiss: FieldKey[] | undefined;
    let sheets = 0;
    const seen = new Uint8Array((EXCEL_MAX_ROW >> 3) + 1);
    for await (const sheet of wb.sheets()) {
      if (sheets > 0) seen.fill(0);
      // A CSV's rows are numbered by the line they start on (a quoted field may span lines), and rise strictly: a long
      // one is not faulty, and its copy merely leaves out rows past Excel's last (feedback.ts).
      const order: Order = { unordered: false, seen, maxRow: wb.format === 'csv' ? Number.POSITIVE_INFINITY : EXCEL_MAX_ROW };
      if (sheets++ > 0 && this.overBudget(limits)) {
        // Many sheets, none with a header, can cost as much as one long one: the same budget holds.
        this.fileError('size-error', 'size-error', { reason: 'over-budget', row: this.lastRow, maxSeconds: limits.maxSeconds });
        return;
      }
      // A header lies in the first HEADER_SEARCH_COLUMNS columns: a cell far to the right in the first rows of every
      // sheet costs one cell each, not the columns before it.
      const window: ColumnWindow = { limit: HEADER_SEARCH_COLUMNS, ignored: 0 };
      const it = watchOrder(sheet.rows({ columns: window })[Symbol.asyncIterator](), order);
      const header = await this.findHeader(it);
      if (!header) {
        await it.return?.();
        continue;
      }
      if (header.missing.length) {
        if (!bestMiss || header.missing.length < bestMiss.length) bestMiss = header.missing;
        await it.return?.();
        continue;
      }
      // From here on the reader keeps only the header's columns and a margin (the header row itself was read whole).
      window.limit = columnLimit(Object.fromEntries(header.columns.map(([d, i]) => [d.key, i])));
      await this.readSheet(sheet, header, it, limits, window, order);
      if (order.unordered) this.report.rowsUnordered = true;
      if (window.ignored > 0) {
        const letter = columnLetter(window.limit);
        this.report.warnings.push({
          type: 'ignored-cells',
          rowNumber: null,
          fieldName: null,
          cell: null,
          column: letter,
          code: 'ignored-cells',
          message: message('ignored-cells', this.lang, { count: window.ignored, letter }),
          params: { count: window.ignored, letter },
        });
      }
      return;
    }
    const missing = bestMiss ?? REQUIRED_KEYS;
    this.fileError('missing-label', 'missing-label', {
      missing: localText((l) => missing.map((k) => FIELD_BY_KEY.get(k)!.labels[l]).join(', ')),
    });
  }

  private async findHeader(it: AsyncIterator<Row>): Promise<(Header & { missing: FieldKey[] }) | undefined> {
    let best: (Header & { missing: FieldKey[] }) | undefined;
    for (;;) {
      const next = await it.next();
      if (next.done || next.value.rowNumber > HEADER_SEARCH_ROWS) break;
      this.lastRow = next.value.rowNumber;
      const h = readHeader(next.value);
      if (h.missing.length === 0) return h;
      if (h.columns.length && (!best || h.missing.length < best.missing.length)) best = h;
    }
    return best;
  }

  private async readSheet(
    sheet: Sheet,
    header: Header,
    it: AsyncIterator<Row>,
    limits: ReadLimits,
    window: ColumnWindow,
    order: Order,
  ): Promise<void> {
    const r = this.report;
    // Excel's names have at most 31 characters; a producer's may have any number, and reach the report, the messages,
    // every stored record's source and the feedback copy's sheet name: echoed like a cell.
    this.sheetName = echo(sheet.name);
    if (!this.opts.lang && header.lang) this.lang = header.lang;
    r.sheet = this.sheetName;
    r.headerRow = header.rowNumber;
    r.columns = Object.fromEntries(header.columns.map(([d, i]) => [d.key, i]));
    for (const [key, cols] of header.duplicates) {
      this.fileError(
        'duplicate-label',
        'duplicate-label',
        {
          columns: cols.map(([i, t]) => `'${echo(t)}' (${columnLetter(i)})`).join(', '),
          field: FIELD_BY_KEY.get(key)!.labels,
        },
        key,
      );
    }
    for (const [i, raw] of header.extra) {
      const text = echo(raw);
      r.warnings.push({
        type: 'extra-label',
        rowNumber: header.rowNumber,
        fieldName: null,
        cell: text,
        column: columnLetter(i),
        code: 'extra-label',
        message: message('extra-label', this.lang, { column: text, letter: columnLetter(i) }),
        params: { column: text, letter: columnLetter(i) },
      });
    }
    if (header.duplicates.length) return;
    const rowCheck = new RowCheck(this, header);
    let read = 0;
    for (;;) {
      const next = await it.next();
      if (order.fault) {
        await it.return?.();
        throw order.fault;
      }
      if (next.done) break;
      let row = next.value;
      // Every row read counts, blank or not: a sheet of a million blank rows costs time too. In an xlsx their number is
      // bounded by the row numbers a sheet can have (a row past EXCEL_MAX_ROW, or one written twice, ends the
      // reading); in a CSV by the file's size.
      if ((++read & 1023) === 0 && this.overBudget(limits)) {
        await it.return?.();
        this.fileError('size-error', 'size-error', { reason: 'over-budget', row: row.rowNumber, maxSeconds: limits.maxSeconds });
        return;
      }
      if (row.cells.length > window.limit) {
        // Read ahead (in the reader's chunk) before the window narrowed: ignored alike.
        for (let i = window.limit; i < row.cells.length; i++) if (row.cells[i] !== undefined) window.ignored++;
        row = { rowNumber: row.rowNumber, cells: row.cells.slice(0, window.limit) };
      }
      if (row.cells.every((c) => cellText(c) === undefined)) {
        r.stats.blankRows++;
        continue;
      }
      if (r.stats.rows >= limits.maxRows) {
        await it.return?.();
        this.fileError('size-error', 'size-error', { reason: 'too-many-rows', max: limits.maxRows });
        return;
      }
      r.stats.rows++;
      const record = rowCheck.check(row);
      if (record) {
        r.stats.validRows++;
        const sink = this.opts.onRecord?.(record);
        if (sink) await sink;
      } else r.stats.invalidRows++;
    }
    if (r.stats.rows === 0) this.fileError('source-error', 'no-rows', { sheet: this.sheetName, headerRow: header.rowNumber });
  }

  private readonly started = performance.now();
  /** The last row read while looking for the header (for the over-budget message). */
  private lastRow = 0;

  /** The file's work budget (time since validation started, and the heap) is spent. Checked every 1,024 rows. */
  private overBudget(limits: ReadLimits): boolean {
    return performance.now() - this.started > limits.maxSeconds * 1000 || process.memoryUsage().heapUsed > limits.maxHeapBytes;
  }

  // ---- used by RowCheck ----
  get file(): string {
    return this.report.file;
  }
  get language(): Lang {
    return this.lang;
  }
  get sheetTitle(): string {
    return this.sheetName;
  }
  get is1904(): boolean {
    return this.date1904;
  }
  get todayDay(): string {
    return this.today;
  }
  isParticipant(code: string): boolean {
    return this.members.size === 0 || this.members.has(code);
  }
  get uploader(): string | undefined {
    return this.opts.member;
  }
  get config(): OperationConfig {
    return this.opts.config;
  }

  rowError(issue: ValidationIssue): void {
    if (this.report.errors.length < this.maxIssues) this.report.errors.push(issue);
    else this.report.errorsNotListed++;
  }

  claim(member: string, caseRef: string, line: number, row: number): number | undefined {
    return this.cases.claim(member, caseRef, line, row);
  }

  caseSeen(caseRef: string): void {
    this.opts.onCase?.(caseRef);
  }

  autoLine(member: string, caseRef: string): number {
    return this.cases.autoLine(member, caseRef);
  }

  /**
   * Normalising a cell (vocabulary match, country, currency) is pure in its text and a sheet repeats few distinct
   * texts per column, so each answer is computed once. Bounded, so a sheet of distinct values cannot grow it unduly.
   */
  memo<T, A = undefined>(kind: string, text: string, compute: (text: string, arg: A) => T, arg?: A): T {
    let m = this.memos.get(kind) as Map<string, T> | undefined;
    if (!m) this.memos.set(kind, (m = new Map<string, T>()));
    const hit = m.get(text);
    if (hit !== undefined || m.has(text)) return hit as T;
    const value = compute(text, arg as A);
    if (m.size < 10_000) m.set(text, value);
    return value;
  }

  // The compute functions are made once (not a closure per call: these run several times per row).
  vocab(name: VocabName, text: string): string | undefined {
    return this.memo(name, text, matchVocab, name);
  }

  country(text: string, allowUnknown: boolean): string | undefined {
    // XT, the test Member of `seizures smoke`, is a Member only of the smoke operation (functions/core/operation/smoke.ts).
    if (!allowUnknown && this.members.has(TEST_MEMBER) && text.trim().toUpperCase() === TEST_MEMBER) return TEST_MEMBER;
    return this.memo(allowUnknown ? 'country' : 'member', text, matchCountry, allowUnknown);
  }
}

const matchVocab = (text: string, name: VocabName): string | undefined => VOCABS[name].match(text);
const matchCountry = (text: string, allowUnknown: boolean): string | undefined => normaliseCountry(text, { allowUnknown });

interface Order {
  /** A row number failed to rise (rows out of order, or repeated). */
  unordered: boolean;
  /** The row numbers seen so far, one bit each (rows 0..EXCEL_MAX_ROW). */
  readonly seen: Uint8Array;
  /** The last row number allowed. */
  readonly maxRow: number;
  /** The first row past EXCEL_MAX_ROW or written twice: the file is rejected if this sheet is the data sheet. */
  fault?: SpreadsheetError;
}

/**
 * The rows of `it`, noting in `order` whether a row number ever failed to rise, and the first row past Excel's last
 * or written twice. A row written twice is refused rather than merged: validation streams, so the first half has
 * already been checked and handed on to be stored when the second appears; merging would mean holding every row.
 */
function watchOrder(it: AsyncIterator<Row>, order: Order): AsyncIterator<Row> {
  let last = 0;
  return {
    async next() {
      const n = await it.next();
      if (!n.done && !order.fault) {
        const row = n.value.rowNumber;
        if (row <= last) order.unordered = true;
        last = row;
        if (row > order.maxRow) {
          order.fault = new SpreadsheetError('size-error', 'row-beyond', `row ${row} is past row ${EXCEL_MAX_ROW}`, {
            row,
            max: EXCEL_MAX_ROW,
          });
        } else if (order.seen[row >> 3]! & (1 << (row & 7))) {
          order.fault = new SpreadsheetError('source-error', 'row-twice', `row ${row} appears twice`, { row });
        } else order.seen[row >> 3]! |= 1 << (row & 7);
      }
      return n;
    },
    async return(value?: unknown) {
      return (await it.return?.(value)) ?? { done: true, value: undefined };
    },
  };
}
