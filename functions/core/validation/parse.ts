/**
 * Turning one cell into a typed value, exactly and without guessing: numbers written with national separators,
 * dates as date cells, Excel serials or day-first text. Each parser returns the value or why it is not one.
 */
import type { Cell } from '../sheet/types.ts';

export type Parsed<T> =
  | { ok: true; value: T }
  | { ok: false; why: 'not-a-number' | 'ambiguous-number' | 'not-a-date' | 'impossible-date'; a?: string; b?: string };

/** The cell as the Member sees it, as text (dates as YYYY-MM-DD). Undefined when the cell is empty or blank. */
export function cellText(cell: Cell | undefined): string | undefined {
  if (cell === undefined) return undefined;
  switch (cell.t) {
    case 'string': {
      const s = cell.v.trim();
      return s === '' ? undefined : s;
    }
    case 'number':
      return numberText(cell.v);
    case 'date':
      return isoDay(cell.v) + timeSuffix(cell.v);
    case 'boolean':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'error':
      return cell.v;
  }
}

function timeSuffix(d: Date): string {
  const ms = d.getTime() % 86_400_000;
  return ms === 0 ? '' : ` ${d.toISOString().slice(11, 19)}`;
}

/** Shortest exact text of a number (no exponent for the magnitudes a sheet holds). */
export function numberText(n: number): string {
  return Math.abs(n) < 1e21 && Math.abs(n) >= 1e-6 ? String(n).replace(/e\+?/, 'e') : String(n);
}

/** YYYY-MM-DD of a date (UTC), as toISOString().slice(0, 10) gives it; built from the fields for the usual four-digit
 * years, which is several times faster (dates are read on every row). */
export function isoDay(d: Date): string {
  const y = d.getUTCFullYear();
  if (!(y >= 1000 && y <= 9999)) return d.toISOString().slice(0, 10);
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return y + (m < 10 ? '-0' : '-') + m + (day < 10 ? '-0' : '-') + day;
}

// Thousands separators that are never decimal marks: spaces of every kind and apostrophes (Swiss style).
const SPACE_GROUPED = /^\d{1,3}(?:[\s\u00a0\u202f\u2009'’]\d{3})+(?:[.,](\d+))?$/;
const SPACE_CHARS = /[\s\u00a0\u202f\u2009'’]/g;

/** Parses a number as Members write it. A lone comma or dot followed by exactly three digits is ambiguous (1,234 or 1.234). */
export function parseNumber(cell: Cell): Parsed<number> {
  if (cell.t === 'number') return { ok: true, value: cell.v };
  if (cell.t !== 'string') return { ok: false, why: 'not-a-number' };
  let s = cell.v.trim();
  let sign = '';
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1).trimStart();
  }
  let normal: string;
  if (SPACE_GROUPED.test(s)) {
    // Spaces or apostrophes group the thousands, so a remaining comma or dot can only be the decimal mark.
    normal = s.replace(SPACE_CHARS, '').replace(',', '.');
  } else if (!/^[\d.,]*\d[\d.,]*$/.test(s)) {
    return { ok: false, why: 'not-a-number' };
  } else {
    const commas = count(s, ','),
      dots = count(s, '.');
    if (commas && dots) {
      // Both marks: the last one is the decimal mark, the other groups thousands in threes.
      const dec = s.lastIndexOf(',') > s.lastIndexOf('.') ? ',' : '.';
      const grp = dec === ',' ? '.' : ',';
      const int = s.slice(0, s.lastIndexOf(dec)),
        frac = s.slice(s.lastIndexOf(dec) + 1);
      const groups = int.split(grp);
      if (frac === '' || count(frac, grp) || !/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) {
        return { ok: false, why: 'not-a-number' };
      }
      normal = groups.join('') + '.' + frac;
    } else if (commas + dots === 0) {
      normal = s;
    } else {
      const parts = s.split(commas ? ',' : '.');
      if (parts.length > 2) {
        // 1,234,567 or 1.234.567: several marks can only group thousands.
        if (!/^\d{1,3}$/.test(parts[0]!) || parts.slice(1).some((p) => !/^\d{3}$/.test(p))) return { ok: false, why: 'not-a-number' };
        normal = parts.join('');
      } else {
        const [int, frac] = parts as [string, string];
        if (int === '' || frac === '') return { ok: false, why: 'not-a-number' };
        if (frac.length === 3 && /^[1-9]\d{0,2}$/.test(int)) {
          return { ok: false, why: 'ambiguous-number', a: sign + int + frac, b: sign + int + '.' + frac };
        }
        normal = int + '.' + frac;
      }
    }
  }
  const n = Number(sign + normal);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, why: 'not-a-number' };
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

const DAY_MS = 86_400_000;
// Excel's 1900 system counts a fictitious 29 Feb 1900 (serial 60), so serials from 61 on are one day ahead.
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** The calendar day of an Excel serial number, in the workbook's date system. */
export function serialToDay(serial: number, date1904 = false): string | undefined {
  if (!Number.isFinite(serial) || serial < 1) return undefined;
  const whole = Math.floor(serial);
  if (!date1904 && whole === 60) return undefined; // 1900-02-29 never existed
  const days = !date1904 && whole < 60 ? whole + 1 : whole;
  return isoDay(new Date((date1904 ? EPOCH_1904 : EPOCH_1900) + days * DAY_MS));
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;
const DAY_FIRST = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;

/** Parses a seizure date: a date cell, an Excel serial (number cell, or whole-number text), YYYY-MM-DD, or day-first text. */
export function parseDate(cell: Cell, date1904 = false): Parsed<string> {
  if (cell.t === 'date') return { ok: true, value: isoDay(cell.v) };
  if (cell.t === 'number') {
    const d = Number.isInteger(cell.v) || cell.v > 0 ? serialToDay(cell.v, date1904) : undefined;
    return d ? { ok: true, value: d } : { ok: false, why: 'not-a-date' };
  }
  if (cell.t !== 'string') return { ok: false, why: 'not-a-date' };
  const s = cell.v.trim();
  let y: number, m: number, d: number;
  const iso = ISO.exec(s);
  const dmy = iso ? null : DAY_FIRST.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) [d, m, y] = [Number(dmy[1]), Number(dmy[3]), Number(dmy[4])];
  else if (/^\d{5}$/.test(s)) {
    // A serial number that lost its date format on the way (e.g. a CSV export).
    const day = serialToDay(Number(s), date1904);
    return day ? { ok: true, value: day } : { ok: false, why: 'not-a-date' };
  } else return { ok: false, why: 'not-a-date' };
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (m < 1 || m > 12 || d < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
    return { ok: false, why: 'impossible-date' };
  }
  return { ok: true, value: isoDay(back) };
}
