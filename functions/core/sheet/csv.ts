/**
 * CSV reader: one sheet named after the file, every cell a string exactly as written (the validator parses numbers
 * and dates). Streams the file: holds the first PREFIX_BYTES to decide the encoding and the delimiter, then one chunk
 * and one record at a time.
 *
 * Encoding: a UTF-8 BOM, or a prefix that is valid UTF-8, means UTF-8, and then any invalid byte later on is an
 * `encoding-error` naming its line (never a silent U+FFFD). A prefix that is not valid UTF-8 (and has no BOM) means
 * Windows-1252, what Excel's plain "CSV (Comma delimited)" writes on Western-European Windows. A UTF-16 BOM (Excel's
 * "Unicode Text") is decoded as UTF-16.
 *
 * Delimiter: Excel's `sep=X` first line if present; otherwise whichever of `,` `;` tab splits the first records
 * best (see `detectDelimiter`). Quoting is RFC 4180; line ends may be CRLF, LF or CR.
 */
import { basename, extname } from 'node:path';
import type { ByteSource, Cell, ColumnWindow, ReadLimits, Row, RowOptions, Sheet, Workbook } from './types.ts';
import { SpreadsheetError } from './types.ts';
import { detectEncoding, Utf8Validator, type CsvEncoding } from './csv-encoding.ts';

export { detectEncoding, Utf8Validator, type CsvEncoding } from './csv-encoding.ts';

/** Bytes read before deciding the encoding and the delimiter. */
export const PREFIX_BYTES = 64 * 1024;
/** Records of the prefix looked at to choose the delimiter. */
const DETECT_RECORDS = 50;

export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/** Sheet name for a file: its base name without the last extension (`STOP II - FR.csv` -> `STOP II - FR`). */
export function sheetNameOf(fileName: string): string {
  const base = basename(fileName.replace(/\\/g, '/'));
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

// ---------------------------------------------------------------------------------------------------------------
// Record parsing

const enum S {
  /** At the start of a field (after a delimiter, or at the start of a record). */
  FieldStart,
  Unquoted,
  Quoted,
  /** Saw `"` inside a quoted field: either the first of a doubled quote or the closing quote. */
  QuoteInQuoted,
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

export interface ParsedRecord {
  /** Line on which the record starts, 1-based. */
  readonly line: number;
  readonly fields: string[];
}

/**
 * Streaming RFC 4180 record parser over decoded text. Lenient where Excel is: a quote inside an unquoted field is a
 * literal character, and text after a closing quote is appended to the field. Lines are counted with CRLF, LF and a
 * lone CR each ending one line, inside quoted fields too, so record lines match a text editor's line numbers.
 */
export class CsvRecordParser {
  private readonly delim: number;
  private state = S.FieldStart;
  private field = '';
  private fields: string[] = [];
  /** The current record has consumed at least one character. */
  private inRecord = false;
  private recordLine = 1;
  private quoteLine = 1;
  /** Current line (1-based). */
  line: number;
  /** The last character seen was CR, so an LF right after it does not start another line. */
  private afterCR = false;

  constructor(delimiter: Delimiter, firstLine = 1) {
    this.delim = delimiter.charCodeAt(0);
    this.line = firstLine;
  }

  /** Parses `text`, calling `emit` for each complete record (empty lines included, as a record with no fields). */
  feed(text: string, emit: (r: ParsedRecord) => void): void {
    const delim = this.delim;
    let { state, field, line, afterCR } = this;
    let start = 0; // start of the pending slice of `text` that belongs to `field`
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      // Line counting, the same in every state.
      const wasCR = afterCR;
      afterCR = c === CR;
      if (c === LF && wasCR) {
        // Second half of CRLF: the line was counted at the CR. Outside a quoted field it also ended the record.
        if (state === S.Quoted) continue;
        start = i + 1;
        continue;
      }
      const newline = c === CR || c === LF;

      if (!this.inRecord) {
        if (newline) {
          line++;
          emit({ line: line - 1, fields: [] });
          start = i + 1;
          continue;
        }
        this.inRecord = true;
        this.recordLine = line;
      }

      switch (state) {
        case S.FieldStart:
          if (c === QUOTE) {
            state = S.Quoted;
            this.quoteLine = line;
            start = i + 1;
          } else if (c === delim) {
            this.fields.push('');
            start = i + 1;
          } else if (newline) {
            this.fields.push('');
            line++;
            this.endRecord(emit);
            start = i + 1;
          } else {
            state = S.Unquoted;
            start = i;
            i = skipPlain(text, i + 1, delim) - 1; // the characters up to the next delimiter or line end
            afterCR = false;
          }
          break;
        case S.Unquoted:
          if (c === delim) {
            this.fields.push(field + text.slice(start, i));
            field = '';
            state = S.FieldStart;
            start = i + 1;
          } else if (newline) {
            this.fields.push(field + text.slice(start, i));
            field = '';
            state = S.FieldStart;
            line++;
            this.endRecord(emit);
            start = i + 1;
          }
          break;
        case S.Quoted:
          if (c === QUOTE) {
            field += text.slice(start, i);
            state = S.QuoteInQuoted;
            start = i + 1;
          } else if (newline) {
            line++;
          } else {
            i = skipQuoted(text, i + 1) - 1; // the characters up to the next quote or line end
            afterCR = false;
          }
          break;
        case S.QuoteInQuoted:
          if (c === QUOTE) {
            // Doubled quote: keep one.
            state = S.Quoted;
            start = i; // the second quote starts the next slice
          } else if (c === delim) {
            this.fields.push(field);
            field = '';
            state = S.FieldStart;
            start = i + 1;
          } else if (newline) {
            this.fields.push(field);
            field = '';
            state = S.FieldStart;
            line++;
            this.endRecord(emit);
            start = i + 1;
          } else {
            // `"abc"def`: keep the text after the closing quote.
            state = S.Unquoted;
            start = i;
            i = skipPlain(text, i + 1, delim) - 1;
            afterCR = false;
          }
          break;
      }
    }
    if ((state === S.Unquoted || state === S.Quoted) && start < n) field += text.slice(start);
    this.state = state;
    this.field = field;
    this.line = line;
    this.afterCR = afterCR;
  }

  /**
   * Ends the input: emits the last record if the file does not end with a line break. With `strict`, a quoted field
   * still open at the end is an error (it would swallow every line after its opening quote).
   */
  end(emit: (r: ParsedRecord) => void, strict = true): void {
    if (this.state === S.Quoted && strict) {
      throw new SpreadsheetError(
        'format-error',
        'csv-unclosed-quote',
        `a quoted field opened on line ${this.quoteLine} is never closed`,
        { line: this.quoteLine },
      );
    }
    if (this.inRecord) {
      this.fields.push(this.field);
      this.field = '';
      this.state = S.FieldStart;
      this.endRecord(emit);
    }
  }

  private endRecord(emit: (r: ParsedRecord) => void): void {
    const fields = this.fields;
    this.fields = [];
    this.inRecord = false;
    emit({ line: this.recordLine, fields });
  }
}

/** Index of the first delimiter, CR or LF at or after `i` (text.length if none). */
function skipPlain(text: string, i: number, delim: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === delim || c === CR || c === LF) return i;
  }
  return n;
}

/** Index of the first quote, CR or LF at or after `i` (text.length if none). */
function skipQuoted(text: string, i: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === CR || c === LF) return i;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Delimiter detection

/** Excel's delimiter hint line (`sep=;`), which is not data. Returns the delimiter and the length of that line. */
export function sepLine(text: string): { delimiter: Delimiter; length: number } | undefined {
  const m = /^sep=(,|;|\t)(\r\n|\n|\r|$)/i.exec(text);
  return m ? { delimiter: m[1] as Delimiter, length: m[0].length } : undefined;
}

/**
 * Chooses among `,` `;` tab from the first records of `text` (parsed quote-aware with each candidate). For each
 * candidate, in order of importance: the share of non-empty records it splits at all (a `;` file with decimal commas
 * has no comma in its header row), the share of records with its most common field count, that field count, and
 * finally the order `,` `;` tab. A file that none of them splits is read with `,` (one column).
 */
export function detectDelimiter(text: string, complete: boolean): Delimiter {
  let best: Delimiter = ',';
  let bestScore: readonly number[] = [0, 0, 0];
  for (const d of DELIMITERS) {
    const counts: number[] = [];
    const p = new CsvRecordParser(d);
    const collect = (r: ParsedRecord): void => {
      if (counts.length < DETECT_RECORDS && r.fields.some((f) => f !== '')) counts.push(r.fields.length);
    };
    try {
      p.feed(text, collect);
      if (complete) p.end(collect, false);
    } catch {
      continue;
    }
    if (counts.length === 0) continue;
    const split = counts.filter((c) => c > 1).length / counts.length;
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let modeFreq = 0;
    for (const [c, f] of freq) if (f > modeFreq || (f === modeFreq && c > mode)) [mode, modeFreq] = [c, f];
    const score = [split, modeFreq / counts.length, mode];
    if (split > 0 && greater(score, bestScore)) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// The reader

export interface CsvWorkbook extends Workbook {
  readonly format: 'csv';
  /** What was detected, for logs and the report. */
  readonly encoding: CsvEncoding;
  readonly delimiter: Delimiter;
}

/**
 * Opens a CSV (or tab-separated text) file. Reads the first PREFIX_BYTES now, to decide the encoding and delimiter;
 * the rest is read as the rows are iterated. `limits` is accepted for the readers' common signature: the file size is
 * checked by `openSpreadsheet`, and the row count by the validator, which knows where the header is.
 */
export async function openCsv(source: ByteSource, _limits?: Partial<ReadLimits>): Promise<CsvWorkbook> {
  const stream = source.createReadStream(0, source.size);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let eof = false;
  try {
    while (headBytes < PREFIX_BYTES) {
      const r = await chunks.next();
      if (r.done) {
        eof = true;
        break;
      }
      head.push(r.value);
      headBytes += r.value.length;
    }
  } catch (e) {
    stream.destroy();
    throw e;
  }
  const prefix = Buffer.concat(head, headBytes);
  const { encoding, bom } = detectEncoding(prefix, eof);

  // Decode the prefix once to choose the delimiter; the rows then decode it again through the streaming path.
  let prefixText: string;
  try {
    prefixText = new TextDecoder(encoding).decode(prefix, { stream: !eof });
  } catch {
    // Only UTF-16 can fail here (UTF-8 was validated, Windows-1252 maps every byte); the rows report it with a line.
    prefixText = new TextDecoder(encoding, { fatal: false }).decode(prefix, { stream: !eof });
  }
  const sep = sepLine(prefixText);
  const delimiter = sep?.delimiter ?? detectDelimiter(prefixText, eof);

  let iterated = false;
  let closed = false;
  const name = sheetNameOf(source.name);

  async function* rows(opts?: RowOptions): AsyncGenerator<Row> {
    if (iterated) throw new Error('CSV rows can be iterated only once');
    iterated = true;
    const decoder = new TextDecoder(encoding, { fatal: encoding !== 'utf-8' });
    const validator = encoding === 'utf-8' ? new Utf8Validator() : undefined;
    const parser = new CsvRecordParser(delimiter);
    let skip = sep ? sep.length : 0; // characters of the `sep=` line still to drop
    const out: Row[] = [];
    const emit = (r: ParsedRecord): void => {
      const row = toRow(r, opts?.columns);
      if (row) out.push(row);
    };
    const take = (text: string): void => {
      if (skip > 0) {
        const s = Math.min(skip, text.length);
        skip -= s;
        if (s > 0 && skip === 0) parser.line = 2;
        text = text.slice(s);
      }
      parser.feed(text, emit);
    };
    /** Decodes and parses `bytes`; the rows before an encoding error are still emitted, then the error is returned. */
    const decode = (bytes: Uint8Array, last: boolean): SpreadsheetError | undefined => {
      if (validator) {
        const bad = validator.feed(bytes);
        if (bad >= 0) {
          take(decoder.decode(bytes.subarray(0, bad), { stream: true }));
          return invalidUtf8(parser.line, bom);
        }
        if (last && validator.pending) {
          take(decoder.decode(bytes, { stream: true }));
          return invalidUtf8(parser.line, bom);
        }
        take(decoder.decode(bytes, { stream: !last }));
        return undefined;
      }
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: !last });
      } catch {
        return new SpreadsheetError(
          'encoding-error',
          'invalid-utf16',
          `invalid UTF-16 after line ${parser.line}; save the file as "CSV UTF-8"`,
          { line: parser.line, encoding },
        );
      }
      take(text);
      return undefined;
    };

    try {
      let error = decode(prefix, eof);
      for (;;) {
        yield* out.splice(0);
        if (error) throw error;
        if (eof) break;
        const r = await chunks.next();
        if (r.done) eof = true;
        error = decode(r.done ? new Uint8Array(0) : r.value, eof);
      }
      parser.end(emit);
      yield* out.splice(0);
    } finally {
      await close();
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    stream.destroy();
  }

  const sheet: Sheet = { name, rows };
  return {
    format: 'csv',
    encoding,
    delimiter,
    async *sheets() {
      yield sheet;
    },
    close,
  };
}

function invalidUtf8(line: number, bom: boolean): SpreadsheetError {
  return new SpreadsheetError(
    'encoding-error',
    'invalid-utf8',
    `line ${line} has bytes that are not UTF-8 although ${bom ? 'the file starts with a UTF-8 byte order mark' : 'the start of the file is UTF-8'}; save the whole file as "CSV UTF-8"`,
    { line },
  );
}

function toRow(r: ParsedRecord, window: ColumnWindow | undefined): Row | undefined {
  const f = r.fields;
  let last = f.length - 1;
  if (window !== undefined && last >= window.limit) {
    for (let i = window.limit; i <= last; i++) if (f[i] !== '') window.ignored++;
    last = window.limit - 1;
  }
  while (last >= 0 && f[last] === '') last--;
  if (last < 0) return undefined;
  const cells: (Cell | undefined)[] = new Array(last + 1);
  for (let i = 0; i <= last; i++) {
    const v = f[i]!;
    cells[i] = v === '' ? undefined : { t: 'string', v };
  }
  return { rowNumber: r.line, cells };
}
