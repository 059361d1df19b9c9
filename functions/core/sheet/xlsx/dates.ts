/**
 * Dates in an xlsx: which cell styles show dates (styles.xml), and what a serial number or an ISO text cell shows.
 */
import type yauzl from 'yauzl';
import type { Cell } from '../types.ts';
import { parseSmallPart } from './parts.ts';
import type { Package } from './zip.ts';

/** Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ones). */
const BUILTIN_DATE_FORMATS: ReadonlySet<number> = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

/**
 * Whether a number format code shows a date or time: a d, m, y, h or s outside quoted text, escaped characters,
 * fill/space characters (`*x`, `_x`) and bracketed sections ([Red], [$-409], [$€-407]). "General" is not a date.
 */
export function isDateFormatCode(code: string): boolean {
  let plain = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '"') {
      const j = code.indexOf('"', i + 1);
      if (j === -1) break;
      i = j;
    } else if (ch === '\\' || ch === '_' || ch === '*') {
      i++;
    } else if (ch === '[') {
      const j = code.indexOf(']', i + 1);
      if (j === -1) break;
      i = j;
    } else {
      plain += ch;
    }
  }
  return /[dmyhs]/i.test(plain.replace(/general|standard/gi, ''));
}

/** Whether cells of each style (cellXfs index) show dates: 1 for yes. */
export async function readDateStyles(pkg: Package, entry: yauzl.Entry | undefined): Promise<Uint8Array> {
  if (!entry) return new Uint8Array(0);
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inNumFmts = false;
  let inCellXfs = false;
  await parseSmallPart(
    pkg,
    entry,
    (local, a) => {
      if (local === 'numFmts') inNumFmts = true;
      else if (local === 'cellXfs') inCellXfs = true;
      else if (local === 'numFmt' && inNumFmts) custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (local === 'xf' && inCellXfs) xfFormats.push(Number(a.numFmtId ?? 0));
    },
    (local) => {
      if (local === 'numFmts') inNumFmts = false;
      else if (local === 'cellXfs') inCellXfs = false;
    },
  );
  const dates = new Uint8Array(xfFormats.length);
  xfFormats.forEach((id, i) => {
    const code = custom.get(id);
    dates[i] = (code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id)) ? 1 : 0;
  });
  return dates;
}

const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 date system for serials >= 61 (Excel counts a 29 February 1900 that never was). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
/** Day 0 of the 1904 date system. */
const EPOCH_1904 = Date.UTC(1904, 0, 1);
const LAST_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The cell a serial date number shows. 1900 system: serials 1-59 are 1900-01-01..1900-02-28 and serials >= 61 are one
 * day earlier than a plain count from 1899-12-31 (Excel's leap-year bug); serial 60, the 29 February 1900 that does not
 * exist, is returned as the text '1900-02-29' so that the date check reports it. Negative serials and serials past
 * 9999-12-31 show no date in Excel and stay numbers. The time of day is rounded to the millisecond.
 */
export function serialToCell(serial: number, date1904: boolean): Cell {
  if (!(serial >= 0)) return { t: 'number', v: serial };
  let ms: number;
  if (date1904) ms = EPOCH_1904 + Math.round(serial * MS_PER_DAY);
  else if (serial >= 61) ms = EPOCH_1900 + Math.round(serial * MS_PER_DAY);
  else if (serial >= 60) return { t: 'string', v: '1900-02-29' };
  else ms = EPOCH_1900 + MS_PER_DAY + Math.round(serial * MS_PER_DAY);
  if (ms > LAST_DATE) return { t: 'number', v: serial };
  return { t: 'date', v: new Date(ms) };
}

/** A t="d" cell: ISO 8601 text; without a zone it is read as UTC. Text that is no date stays text. */
export function isoToCell(text: string): Cell | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const zoned = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(s) || !s.includes('T');
  const ms = Date.parse(zoned ? s : `${s}Z`);
  return Number.isNaN(ms) ? { t: 'string', v: s } : { t: 'date', v: new Date(ms) };
}
