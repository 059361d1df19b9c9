/** The header row: which canonical field each column holds, in which language, and what is extra or twice. */
import type { Lang } from '../operation/config.ts';
import { cellText } from './parse.ts';
import { FIELDS, REQUIRED_KEYS, type FieldDef, type FieldKey } from '../vocabulary/schema.ts';
import type { Row } from '../sheet/types.ts';
import { fold, LANGS } from '../vocabulary/vocab.ts';

/** Header cell (folded) -> canonical key, with the languages whose label it is. */
const HEADER_INDEX: ReadonlyMap<string, { key: FieldKey; langs: Lang[] }> = (() => {
  const m = new Map<string, { key: FieldKey; langs: Lang[] }>();
  const add = (text: string, key: FieldKey, lang?: Lang) => {
    const k = fold(text);
    const e = m.get(k) ?? { key, langs: [] };
    if (e.key !== key) throw new Error(`header label '${text}' would mean both ${e.key} and ${key}`);
    if (lang && !e.langs.includes(lang)) e.langs.push(lang);
    m.set(k, e);
  };
  for (const d of FIELDS) {
    add(d.key, d.key);
    for (const lang of LANGS) add(d.labels[lang], d.key, lang);
    for (const a of d.aliases ?? []) add(a, d.key);
  }
  return m;
})();

export interface Header {
  rowNumber: number;
  /** [field, column index, header text as written] for the columns present. */
  columns: Array<[FieldDef, number, string]>;
  lang: Lang | undefined;
  extra: Array<[number, string]>;
  duplicates: Array<[FieldKey, Array<[number, string]>]>;
}

export function readHeader(row: Row): Header & { missing: FieldKey[] } {
  const found = new Map<FieldKey, Array<[number, string]>>();
  const votes: Record<Lang, number> = { en: 0, fr: 0, es: 0 };
  const extra: Array<[number, string]> = [];
  row.cells.forEach((cell, i) => {
    const text = cellText(cell);
    if (text === undefined) return;
    const hit = HEADER_INDEX.get(fold(text));
    if (!hit) return void extra.push([i, text]);
    for (const l of hit.langs) votes[l] += hit.langs.length === 1 ? 2 : 1;
    found.set(hit.key, [...(found.get(hit.key) ?? []), [i, text]]);
  });
  const best = (Object.entries(votes) as Array<[Lang, number]>).sort((a, b) => b[1] - a[1])[0]!;
  return {
    rowNumber: row.rowNumber,
    columns: FIELDS.filter((d) => found.has(d.key)).map((d) => [d, found.get(d.key)![0]![0], found.get(d.key)![0]![1]]),
    lang: best[1] > 0 ? best[0] : undefined,
    extra,
    duplicates: [...found].filter(([, cols]) => cols.length > 1),
    missing: REQUIRED_KEYS.filter((k) => !found.has(k)),
  };
}

/**
 * Columns past the last template column that are still read (a Member's own extra columns, kept in the feedback copy).
 * Cells further right are ignored, with one warning: they cannot be seizure data, and reading up to them would make
 * one cell in column XFD cost 16,000 empty ones in every row.
 */
export const COLUMN_MARGIN = 32;

/** The column window's limit for a data sheet whose template columns sit at `columns` (0-based). */
export const columnLimit = (columns: Readonly<Partial<Record<FieldKey, number>>>): number =>
  Math.max(-1, ...Object.values(columns)) + 1 + COLUMN_MARGIN;
