/**
 * The analysts' saved queries (the portal's Queries page): a few questions asked every week, each one SQL text that
 * runs alike in DuckDB (locally) and Athena (on AWS), with named parameters `:name` bound by the engine, never
 * spliced. A dimension that picks a column is chosen from a fixed list, so no caller's text ever becomes SQL.
 */
import { QueryError, type QueryResult } from './result.ts';

/** Runs SQL with `:name` parameters (each engine's form: toDuckdb, toAthena). */
export type LakeRunner = (sql: string, params: Readonly<Record<string, string | number>>) => Promise<QueryResult>;

export interface SavedParam {
  readonly name: string;
  readonly label: string;
  readonly type: 'phase' | 'dimension' | 'text';
}

export interface SavedQuery {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: readonly SavedParam[];
  /** The SQL; `:name` placeholders for the params (a dimension is substituted from DIMENSIONS, checked). */
  readonly sql: string;
}

/** The columns a signal can be about (the breakdowns of the phase close), by the name the summary gives them. */
export const DIMENSIONS: Readonly<Record<string, string>> = {
  product: 'product',
  category: 'category',
  route: 'route',
  origin: 'origin',
  transport_mode: 'transport_mode',
  concealment: 'concealment',
  detection: 'detection',
  infringement: 'infringement',
  member: 'member',
};

const MONTH = 'substr(cast(seizure_date as varchar), 1, 7)';
const CASES = "count(distinct member || '/' || case_ref)";
const UNITS = "sum(case when unit in ('pieces', 'doses', 'packs') then quantity end)";

export const SAVED_QUERIES: readonly SavedQuery[] = [
  {
    name: 'lines-by-route-month',
    title: 'Lines by route and month',
    description: 'Seizure lines, cases and Members of each route (departure or origin, transits, destination), month by month.',
    params: [],
    sql: `select route, ${MONTH} as month, count(*) as lines, ${CASES} as cases, count(distinct member) as members, ${UNITS} as units
from lines where route is not null group by route, ${MONTH} order by month, lines desc, route limit 5000`,
  },
  {
    name: 'members-by-product',
    title: 'Members by product',
    description: 'Which Members seized each product: lines, cases, units (pieces, doses, packs) and kg, first and last seizure.',
    params: [],
    sql: `select product, member, count(*) as lines, ${CASES} as cases, ${UNITS} as units,
sum(case when unit = 'kg' then quantity end) as kg, min(seizure_date) as first_seizure, max(seizure_date) as last_seizure
from lines group by product, member order by product, lines desc, member limit 5000`,
  },
  {
    name: 'signal-lines',
    title: 'The lines behind a signal',
    description: 'Every line of a phase with one value of a breakdown (a product, route, origin, ...), as a signal names it.',
    params: [
      { name: 'phase', label: 'Phase', type: 'phase' },
      { name: 'dimension', label: 'About', type: 'dimension' },
      { name: 'key', label: 'Value', type: 'text' },
    ],
    sql: `select member, case_ref, line, seizure_date, product, quantity, unit, route, transport_mode, concealment, source_key, source_row
from lines where phase = :phase and {dimension} = :key order by member, case_ref, line limit 5000`,
  },
];

/** A request that names no saved query, or gives a parameter that is missing or not allowed. */
export class SavedQueryError extends Error {
  override readonly name = 'SavedQueryError';
}

export const savedQuery = (name: string): SavedQuery | undefined => SAVED_QUERIES.find((q) => q.name === name);

/**
 * The SQL and bound values of a saved query from what a caller sent (strings): checked against the params, the
 * dimension looked up in DIMENSIONS. `phases`: the operation's phases.
 */
export function bindSaved(
  q: SavedQuery,
  given: Readonly<Record<string, unknown>>,
  phases: readonly number[],
): { sql: string; params: Record<string, string | number> } {
  let sql = q.sql;
  const params: Record<string, string | number> = {};
  for (const p of q.params) {
    const v = given[p.name];
    if (v === undefined || v === null || String(v).trim() === '') throw new SavedQueryError(`"${p.name}" is needed (${p.label})`);
    const s = String(v).trim();
    if (p.type === 'phase') {
      const n = Number(s);
      if (!phases.includes(n)) throw new SavedQueryError(`"phase" must be one of ${phases.join(', ')}`);
      params[p.name] = n;
    } else if (p.type === 'dimension') {
      const column = DIMENSIONS[s];
      if (!column || !Object.hasOwn(DIMENSIONS, s))
        throw new SavedQueryError(`"${p.name}" must be one of ${Object.keys(DIMENSIONS).join(', ')}`);
      sql = sql.replaceAll(`{${p.name}}`, column);
    } else {
      if (s.length > 200) throw new SavedQueryError(`"${p.name}" is too long (200 characters at most)`);
      params[p.name] = s;
    }
  }
  return { sql, params };
}

/** Runs a saved query by name with a runner (DuckDB or Athena). */
export async function runSaved(
  run: LakeRunner,
  name: string,
  given: Readonly<Record<string, unknown>>,
  phases: readonly number[],
): Promise<QueryResult> {
  const q = savedQuery(name);
  if (!q) throw new SavedQueryError(`no saved query ${JSON.stringify(name)}`);
  const { sql, params } = bindSaved(q, given, phases);
  return run(sql, params);
}

const PLACEHOLDER = /:([a-z_]+)\b/g;

/** DuckDB's form: `$name`. */
export function toDuckdb(
  sql: string,
  params: Readonly<Record<string, string | number>>,
): { sql: string; params: Record<string, string | number> } {
  const used: Record<string, string | number> = {};
  const out = sql.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(params, name)) throw new QueryError(`no value for :${name}`);
    used[name] = params[name]!;
    return `$${name}`;
  });
  return { sql: out, params: used };
}

/** Athena's form: `?`, with the values in order as execution parameters (strings quoted as SQL literals). */
export function toAthena(sql: string, params: Readonly<Record<string, string | number>>): { sql: string; params: string[] } {
  const values: string[] = [];
  const out = sql.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(params, name)) throw new QueryError(`no value for :${name}`);
    const v = params[name]!;
    values.push(typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);
    return '?';
  });
  return { sql: out, params: values };
}
