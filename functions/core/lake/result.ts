/**
 * What a query over the lake returns, whoever ran it (DuckDB locally, Athena on AWS), and its three printed forms:
 * an aligned text table, CSV (RFC 4180, a header row) and JSON (an array of row objects). Values are JSON values:
 * numbers for numeric columns (integers beyond 2^53 stay strings, exact), booleans, strings for dates and text, arrays
 * for lists.
 */
export type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };

export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, Cell>[];
}

/** The SQL was refused (syntax, an unknown column or table, a type error): the engine's message, for the analyst. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** The lake has no file yet (no phase close has run), or the engine cannot be reached. */
export class LakeUnavailableError extends Error {
  override readonly name = 'LakeUnavailableError';
}

const INTEGER = /^(tinyint|smallint|integer|int|bigint|hugeint|ubigint|uinteger|usmallint|utinyint|uhugeint)$/i;
const DECIMAL = /^(double|float|real|decimal(\(.*\))?)$/i;

/** A value the engine gave as text (or a JS value), typed by its column's type. */
export function typedCell(type: string, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (INTEGER.test(type)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : String(v);
  }
  if (DECIMAL.test(type)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : String(v);
  }
  if (/^bool(ean)?$/i.test(type)) return v === true || v === 'true';
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (Array.isArray(v)) return v.map((x) => typedCell('', x));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, typedCell('', x)]));
  return v as Cell;
}

const text = (v: Cell): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function toCsv(r: QueryResult): string {
  const esc = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [r.columns.map((c) => esc(c.name)).join(',')];
  for (const row of r.rows) lines.push(r.columns.map((c) => esc(text(row[c.name] ?? null))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export const toJson = (r: QueryResult): string => `${JSON.stringify(r.rows, null, 2)}\n`;

/** Aligned columns (numbers to the right), then how many rows. */
export function toText(r: QueryResult): string {
  const head = r.columns.map((c) => c.name);
  const body = r.rows.map((row) => r.columns.map((c) => (row[c.name] === null ? 'NULL' : text(row[c.name] ?? null))));
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = r.columns.map((c) => INTEGER.test(c.type) || DECIMAL.test(c.type));
  const fmt = (cells: string[]) =>
    cells
      .map((s, i) => (right[i] ? s.padStart(width[i]!) : s.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const out = [fmt(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  out.push(`(${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'})`);
  return `${out.join('\n')}\n`;
}

export const FORMATS = { text: toText, csv: toCsv, json: toJson } as const;
export type Format = keyof typeof FORMATS;
