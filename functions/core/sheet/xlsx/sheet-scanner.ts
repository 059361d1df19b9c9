/** A worksheet's <sheetData>, scanned as it streams into rows of typed cells. */
import { MAX_COLUMNS, type Cell, type ColumnWindow, type Row } from '../types.ts';
import { isoToCell, serialToCell } from './dates.ts';
import { classify, XmlError } from './errors.ts';
import type { SheetInfo } from './parts.ts';
import { C_DQUOTE, C_EQ, C_GT, C_LT, C_SLASH, decodeText, isName, isXmlSpace, TextRunScanner } from './xml.ts';
import { entryText, type Package } from './zip.ts';

// Cell types (the c@t attribute).
const T_NUMBER = 0;
const T_SHARED = 1;
const T_BOOLEAN = 2;
const T_ERROR = 3;
const T_STR = 4;
const T_INLINE = 5;
const T_DATE = 6;

const TRUE_CELL: Cell = Object.freeze({ t: 'boolean', v: true });
const FALSE_CELL: Cell = Object.freeze({ t: 'boolean', v: false });

/** Non-negative integer in s[start, end) (at most 9 digits), or -1. */
function parseIndex(s: string, start: number, end: number): number {
  if (start >= end || end - start > 9) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Exact powers of ten (all representable as doubles). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in s[start, end), exactly as Number() reads it. Plain decimals of up to 15 digits are computed
 * directly: the digits make an exact integer m < 2^53 and 10^k is exact for k <= 22, so m / 10^k is the correctly
 * rounded double, the same one Number() returns. Anything else (exponents, more digits, white space) goes to Number().
 */
function parseNumber(s: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (s.charCodeAt(i) === 45 /* - */) {
    negative = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
    } else if (c === 46 /* . */ && scale === -1) {
      scale = i;
    } else break;
  }
  if (i !== end || digits === 0 || digits > 15) return Number(s.slice(start, end));
  const fraction = scale === -1 ? 0 : end - scale - 1;
  const n = fraction === 0 ? m : m / POW10[fraction]!;
  return negative ? -n : n;
}

/** 0-based column of a cell reference such as "C7" in s[start, end); -1 if it has no column letters. */
function parseColumn(s: string, start: number, end: number): number {
  let n = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i) | 32;
    if (c < 97 || c > 122) break;
    n = n * 26 + (c - 96);
    if (n > MAX_COLUMNS) throw new XmlError(`a cell reference beyond column XFD: ${s.slice(start, end)}`);
  }
  return i === start ? -1 : n - 1;
}

function parseType(s: string, start: number, end: number): number {
  const len = end - start;
  if (len === 1) {
    const c = s.charCodeAt(start);
    return c === 115 ? T_SHARED : c === 98 ? T_BOOLEAN : c === 101 ? T_ERROR : c === 100 ? T_DATE : T_NUMBER;
  }
  if (len === 3 && s.startsWith('str', start)) return T_STR;
  if (len === 9 && s.startsWith('inlineStr', start)) return T_INLINE;
  return T_NUMBER;
}

/** True for text that is empty or only XML white space. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

/**
 * A worksheet's <sheetData>: completed rows collect in `rows` as the text is scanned; `done` once </sheetData> is seen
 * (the rest of the worksheet is not read).
 */
class SheetScanner extends TextRunScanner {
  rows: Row[] = [];
  done = false;
  private inData = false;
  private inRow = false;
  private rowNumber = 0;
  private cells: Array<Cell | undefined> = [];
  private inCell = false;
  private col = -1;
  private type = T_NUMBER;
  private style = 0;
  private formula = false;
  /** The cell's <v> text, raw: vs[va, vb); vs undefined when the cell has no <v>. */
  private vs: string | undefined = undefined;
  private va = 0;
  private vb = 0;
  private inV = false;
  private inIs = false;
  private isPreserve = false;
  private inline: string | undefined = undefined;
  private phonetic = 0;

  constructor(
    private readonly strings: readonly Cell[],
    private readonly dateStyles: Uint8Array,
    private readonly date1904: boolean,
    private readonly window: ColumnWindow,
  ) {
    super();
  }

  /** Rows completed since the last call. */
  take(): Row[] {
    const out = this.rows;
    if (out.length > 0) this.rows = [];
    return out;
  }

  protected open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number {
    const len = nameEnd - local;
    const c0 = s.charCodeAt(local);
    if (len === 1) {
      if (c0 === 99 /* c */) {
        if (this.inRow) {
          this.startCell(s, selfClosing);
          if (!selfClosing && !this.capturing) return this.plainCells(s, after);
        }
      } else if (c0 === 118 /* v */) {
        if (this.inCell) {
          if (selfClosing) {
            this.vs = '';
            this.va = this.vb = 0;
          } else {
            const e = this.plainContent(s, after, nameEnd);
            if (e !== -1) {
              this.vs = s;
              this.va = after;
              this.vb = e;
              return this.contentEnd;
            }
            this.inV = true;
            this.capturing = true;
            this.text = '';
          }
        }
      } else if (c0 === 102 /* f */) {
        this.formula = true;
      } else if (c0 === 116 /* t */) {
        if (this.inIs && this.phonetic === 0 && !selfClosing) {
          const t = this.tStart(s, after, nameEnd, this.isPreserve);
          if (t !== undefined) {
            this.inline += t;
            return this.contentEnd;
          }
        }
      }
    } else if (len === 3) {
      if (c0 === 114 /* r */ && s.charCodeAt(local + 1) === 111 && s.charCodeAt(local + 2) === 119) {
        if (this.inData) {
          this.startRow(s);
          if (selfClosing) this.endRow();
        }
      } else if (isName(s, local, nameEnd, 'rPh')) {
        if (!selfClosing) this.phonetic++;
      }
    } else if (len === 2) {
      if (c0 === 105 /* i */ && s.charCodeAt(local + 1) === 115 && this.inCell) {
        this.inline = '';
        if (!selfClosing) {
          this.inIs = true;
          this.isPreserve = this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve');
        }
      }
    } else if (len === 9 && isName(s, local, nameEnd, 'sheetData')) {
      if (selfClosing) this.done = true;
      else this.inData = true;
    }
    return after;
  }

  protected close(s: string, local: number, nameEnd: number): void {
    const len = nameEnd - local;
    const c0 = s.charCodeAt(local);
    if (len === 1) {
      if (c0 === 99 /* c */) {
        if (this.inCell) this.endCell();
      } else if (c0 === 118 /* v */) {
        if (this.inV) {
          this.vs = this.text;
          this.va = 0;
          this.vb = this.text.length;
          this.text = '';
          this.inV = false;
          this.capturing = false;
        }
      } else if (c0 === 116 /* t */) {
        const t = this.tEnd();
        if (t !== undefined) this.inline += t;
      }
    } else if (len === 3) {
      if (c0 === 114 /* r */ && s.charCodeAt(local + 1) === 111 && s.charCodeAt(local + 2) === 119) {
        if (this.inRow) this.endRow();
      } else if (isName(s, local, nameEnd, 'rPh')) {
        if (this.phonetic > 0) this.phonetic--;
      }
    } else if (len === 2) {
      if (c0 === 105 /* i */ && s.charCodeAt(local + 1) === 115) this.inIs = false;
    } else if (len === 9 && isName(s, local, nameEnd, 'sheetData')) {
      this.inData = false;
      this.done = true;
    }
  }

  private startRow(s: string): void {
    let r = -1;
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! === 1 && s.charCodeAt(a[k]!) === 114 /* r */) r = parseIndex(s, a[k + 2]!, a[k + 3]!);
    }
    this.rowNumber = r > 0 ? r : this.rowNumber + 1;
    this.inRow = true;
    this.col = -1;
  }

  private endRow(): void {
    this.inRow = false;
    if (this.cells.length > 0) {
      this.rows.push({ rowNumber: this.rowNumber, cells: this.cells });
      this.cells = [];
    }
  }

  private startCell(s: string, selfClosing: boolean): void {
    let col = -1;
    let type = T_NUMBER;
    let style = 0;
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! !== 1) continue;
      const name = s.charCodeAt(a[k]!);
      if (name === 114 /* r */) col = parseColumn(s, a[k + 2]!, a[k + 3]!);
      else if (name === 116 /* t */) type = parseType(s, a[k + 2]!, a[k + 3]!);
      else if (name === 115 /* s */) style = parseIndex(s, a[k + 2]!, a[k + 3]!);
    }
    if (col < 0) col = this.col + 1;
    if (col >= MAX_COLUMNS) throw new XmlError('a cell beyond column XFD');
    this.col = col;
    this.type = type;
    this.style = style;
    this.formula = false;
    this.vs = undefined;
    this.inline = undefined;
    this.inCell = true;
    if (selfClosing) this.endCell();
  }

  /**
   * The usual cells, `<c ...><v>text</v></c>` one after another, read at once rather than tag by tag: the cell whose
   * start tag ends at `after` and the cells that follow it, while each has that exact shape and lies whole in `s`.
   * Each goes through startCell and endCell with the same attributes and value span as the tags one by one would give.
   * Returns where the first cell not read this way begins (its start tag, or `after` if even the first one was not):
   * the scanner goes on from there tag by tag.
   */
  private plainCells(s: string, after: number): number {
    const n = s.length;
    let at = after;
    for (;;) {
      // <v>text</v></c>, the cell's start tag just read
      if (at + 3 >= n || s.charCodeAt(at) !== C_LT || s.charCodeAt(at + 1) !== 118 /* v */ || s.charCodeAt(at + 2) !== C_GT) return at;
      const va = at + 3;
      let e = va;
      const probe = Math.min(n, va + 32);
      while (e < probe && s.charCodeAt(e) !== C_LT) e++;
      if (
        e + 7 >= n ||
        s.charCodeAt(e) !== C_LT ||
        s.charCodeAt(e + 1) !== C_SLASH ||
        s.charCodeAt(e + 2) !== 118 /* v */ ||
        s.charCodeAt(e + 3) !== C_GT ||
        s.charCodeAt(e + 4) !== C_LT ||
        s.charCodeAt(e + 5) !== C_SLASH ||
        s.charCodeAt(e + 6) !== 99 /* c */ ||
        s.charCodeAt(e + 7) !== C_GT
      ) {
        return at;
      }
      this.vs = s;
      this.va = va;
      this.vb = e;
      this.endCell();
      // the next cell's start tag: <c name="value" ...> with single spaces, letter names and double quotes
      const lt = e + 8;
      if (lt + 2 >= n || s.charCodeAt(lt) !== C_LT || s.charCodeAt(lt + 1) !== 99 /* c */) return lt;
      let p = lt + 2;
      let count = 0;
      const a = this.attrs;
      for (;;) {
        const ch = s.charCodeAt(p);
        if (ch === C_GT) break;
        if (ch !== 32 || count * 4 + 4 > a.length) return lt;
        const ns = ++p;
        let c = s.charCodeAt(p);
        while ((c | 32) >= 97 && (c | 32) <= 122) c = s.charCodeAt(++p);
        if (p === ns || c !== C_EQ || s.charCodeAt(p + 1) !== C_DQUOTE) return lt;
        const ne = p;
        const vs = p + 2;
        let ve = vs;
        const end = Math.min(n, vs + 16);
        while (ve < end && s.charCodeAt(ve) !== C_DQUOTE) ve++;
        if (ve === end) return lt;
        const k = count * 4;
        a[k] = ns;
        a[k + 1] = ne;
        a[k + 2] = vs;
        a[k + 3] = ve;
        count++;
        p = ve + 1;
        if (p >= n) return lt;
      }
      this.attrCount = count;
      this.nameStart = lt + 1;
      this.startCell(s, false);
      at = p + 1;
    }
  }

  private endCell(): void {
    this.inCell = false;
    this.inIs = false;
    const cell = this.cell();
    this.vs = undefined;
    if (cell === undefined) return;
    const cells = this.cells;
    const col = this.col;
    if (col >= this.window.limit) {
      // Beyond the columns the caller reads: counted, never padded up to (a cell in XFD is one cell of work).
      this.window.ignored++;
      return;
    }
    if (col === cells.length) cells.push(cell);
    else if (col < cells.length) cells[col] = cell;
    else {
      while (cells.length < col) cells.push(undefined);
      cells.push(cell);
    }
  }

  /** The cell just closed, from its type, style, cached value and inline string; undefined if it shows nothing. */
  private cell(): Cell | undefined {
    const vs = this.vs;
    switch (this.type) {
      case T_NUMBER: {
        if (vs === undefined || this.va === this.vb) return undefined;
        const n = parseNumber(vs, this.va, this.vb);
        // biome-ignore lint/suspicious/noSelfCompare: the NaN test of the hot path (kept from the one-file reader)
        if (n !== n) return { t: 'string', v: decodeText(vs.slice(this.va, this.vb)) };
        if (n === 0 && isBlank(vs.slice(this.va, this.vb))) return undefined;
        const style = this.style;
        if (style >= 0 && style < this.dateStyles.length && this.dateStyles[style] === 1) return serialToCell(n, this.date1904);
        return { t: 'number', v: n };
      }
      case T_SHARED: {
        if (vs === undefined || this.va === this.vb) return undefined;
        let index = parseIndex(vs, this.va, this.vb);
        if (index < 0) index = Number(vs.slice(this.va, this.vb).trim() || 'x');
        const cell = this.strings[index];
        if (cell === undefined) throw new XmlError(`a cell refers to shared string ${vs.slice(this.va, this.vb)}, which does not exist`);
        return this.formula && cell.v === '' ? undefined : cell;
      }
      case T_BOOLEAN: {
        if (vs === undefined) return undefined;
        const v = vs.slice(this.va, this.vb).trim().toLowerCase();
        if (v === '1' || v === 'true') return TRUE_CELL;
        if (v === '0' || v === 'false') return FALSE_CELL;
        if (v === '') return undefined;
        throw new XmlError(`a boolean cell holds "${v.slice(0, 20)}"`);
      }
      case T_ERROR: {
        if (vs === undefined) return undefined;
        const e = decodeText(vs.slice(this.va, this.vb)).trim();
        return e === '' ? undefined : { t: 'error', v: e };
      }
      case T_STR: {
        if (vs === undefined) return undefined;
        const text = decodeText(vs.slice(this.va, this.vb));
        return text === '' ? undefined : { t: 'string', v: text };
      }
      case T_INLINE: {
        const text = this.inline ?? (vs === undefined ? undefined : decodeText(vs.slice(this.va, this.vb)));
        if (text === undefined || (text === '' && this.formula)) return undefined;
        return { t: 'string', v: text };
      }
      case T_DATE:
        return vs === undefined ? undefined : isoToCell(decodeText(vs.slice(this.va, this.vb)));
      default:
        return undefined;
    }
  }
}

export async function* sheetRows(
  pkg: Package,
  info: SheetInfo,
  strings: readonly Cell[],
  dateStyles: Uint8Array,
  date1904: boolean,
  window: ColumnWindow = { limit: MAX_COLUMNS, ignored: 0 },
): AsyncGenerator<Row> {
  const scanner = new SheetScanner(strings, dateStyles, date1904, window);
  const part = info.entry.fileName;
  const text = entryText(pkg, info.entry);
  try {
    for (;;) {
      let next: IteratorResult<string>;
      let rows: Row[];
      try {
        next = await text.next();
        if (next.done) {
          scanner.end();
          if (!scanner.done) throw new XmlError('the worksheet ends before </sheetData>');
        } else scanner.write(next.value);
        rows = scanner.take();
      } catch (e) {
        throw classify(e, part);
      }
      for (let k = 0; k < rows.length; k++) yield rows[k]!;
      if (next.done || scanner.done) return;
    }
  } finally {
    await text.return(undefined);
  }
}
