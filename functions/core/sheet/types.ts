/**
 * The spreadsheet readers' common shape. A reader turns a file (xlsx or csv) into sheets of rows of typed cells,
 * streaming: nothing here holds more than one row of a sheet at a time (xlsx shared strings aside).
 */
import type { Readable } from 'node:stream';

/** One cell as the producer stored it. Dates are UTC midnight (plus the time of day, if any) of the calendar date shown. */
export type Cell =
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number }
  | { readonly t: 'boolean'; readonly v: boolean }
  | { readonly t: 'date'; readonly v: Date }
  | { readonly t: 'error'; readonly v: string };

export interface Row {
  /** 1-based row number as a person sees it in the spreadsheet program (title rows counted; CSV: line of the record). */
  readonly rowNumber: number;
  /** cells[0] is column A. Empty cells are undefined; trailing empty cells may be absent. */
  readonly cells: ReadonlyArray<Cell | undefined>;
}

/**
 * The columns a reader keeps, which its caller may narrow while it iterates (validation does once it has found the
 * header row): cells at `limit` or beyond are dropped and counted in `ignored` (non-empty ones). So a cell far to the
 * right (column XFD) costs what any cell costs, not the 16,000 empty cells before it.
 */
export interface ColumnWindow {
  limit: number;
  ignored: number;
}

/** Columns in a worksheet (A..XFD). */
export const MAX_COLUMNS = 16_384;

export interface RowOptions {
  /** @default all columns (A..XFD) */
  readonly columns?: ColumnWindow;
}

export interface Sheet {
  readonly name: string;
  /** Rows in order; only rows that have at least one stored cell need be yielded (blank rows may be skipped). Iterate once. */
  rows(opts?: RowOptions): AsyncIterable<Row>;
}

export interface Workbook {
  readonly format: 'xlsx' | 'csv';
  /** The workbook counts serial dates from 1904 (Mac Excel, some LibreOffice files): plain numbers in a date column are read so. */
  readonly date1904?: boolean;
  /** Sheets in workbook order. A CSV has one sheet named after the file. */
  sheets(): AsyncIterable<Sheet>;
  close(): Promise<void>;
}

/** Random access to the bytes of a file: a local file, an S3 object read with ranged GETs, a buffer in tests. */
export interface ByteSource {
  /** Name of the file as uploaded (used for the format decision and in reports). */
  readonly name: string;
  readonly size: number;
  /** A stream of bytes [start, end) (end exclusive). */
  createReadStream(start: number, end: number): Readable;
}

export interface ReadLimits {
  /** Largest accepted file, in bytes. @default 25 MiB */
  readonly maxFileBytes: number;
  /** Most data rows (rows after the header) accepted in the data sheet. @default 200,000 */
  readonly maxRows: number;
  /** Largest uncompressed size of any zip entry, in bytes. @default 200 MiB */
  readonly maxEntryBytes: number;
  /** Highest uncompressed/compressed ratio of any zip entry above 1 MiB. @default 200 */
  readonly maxCompressionRatio: number;
  /**
   * Most shared strings an xlsx may hold (they are kept in memory while its sheets are read; Excel keeps strings no
   * cell uses any more). 200,000 rows of 10 text columns, all distinct, are 2 million. @default 2,000,000
   */
  readonly maxSharedStrings: number;
  /** Most characters in all shared strings together. @default 64 Mi */
  readonly maxSharedStringChars: number;
  /**
   * The work budget of one file: validation stops with a size-error (reason over-budget) when it has run this long
   * (so the feedback and the record still fit in the function's time), or when the heap grows past `maxHeapBytes`.
   * @default 150 s (the ingest function has 5 minutes)
   */
  readonly maxSeconds: number;
  /** @default 1.5 GiB (the ingest function has 3 GB) */
  readonly maxHeapBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxFileBytes: 25 * 1024 * 1024,
  maxRows: 200_000,
  maxEntryBytes: 200 * 1024 * 1024,
  maxCompressionRatio: 200,
  maxSharedStrings: 2_000_000,
  maxSharedStringChars: 64 * 1024 * 1024,
  maxSeconds: 150,
  maxHeapBytes: 1.5 * 1024 * 1024 * 1024,
};

/** File-level failure types (the validation report's file-level error types). */
export type FileErrorType = 'source-error' | 'format-error' | 'size-error' | 'encoding-error';

/** A file that cannot be read as a whole. `detail` is English for logs; the report builds the Member's message from type + params. */
export class SpreadsheetError extends Error {
  override readonly name = 'SpreadsheetError';
  constructor(
    readonly type: FileErrorType,
    /** Machine-readable reason, e.g. 'encrypted', 'truncated-zip', 'xls', 'ods', 'too-large', 'zip-bomb', 'empty'. */
    readonly reason: string,
    detail: string,
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(detail);
  }
}
