/**
 * Analysts' saved queries over the lake (functions/core/lake/saved.ts): `GET /api/queries` lists them, `POST
 * /api/queries/{name}/run {params}` runs one (Athena on AWS, DuckDB locally: the runner in PortalDeps) and answers
 * `{name, title, columns, rows}`, or CSV with `?format=csv`. Analysts only: the lines name every Member's cases.
 */
import { LakeUnavailableError, QueryError, toCsv } from '../lake/result.ts';
import { DIMENSIONS, runSaved, SAVED_QUERIES, SavedQueryError, savedQuery } from '../lake/saved.ts';
import type { Caller } from './auth.ts';
import type { PortalDeps } from './deps.ts';
import { badRequest, download, forbidden, HttpError, json, notFound, type PortalRequest, type PortalResponse } from './http.ts';

const analystsOnly = (c: Caller) => {
  if (!c.analyst) throw forbidden('saved queries are for the operation analysts');
};

export function listQueries(d: PortalDeps, c: Caller): PortalResponse {
  analystsOnly(c);
  return json(200, {
    available: d.lake !== undefined,
    queries: SAVED_QUERIES.map(({ sql: _sql, ...q }) => q),
    dimensions: Object.keys(DIMENSIONS),
    phases: d.config.phases.map((p) => p.phase),
  });
}

export async function runQuery(d: PortalDeps, c: Caller, req: PortalRequest, name: string): Promise<PortalResponse> {
  analystsOnly(c);
  const q = savedQuery(name);
  if (!q) throw notFound(`no saved query ${name}`);
  if (!d.lake) throw new HttpError(501, 'not-available', 'the lake is not queryable here');
  let body: Record<string, unknown> = {};
  if (req.body) {
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      throw badRequest('the body is not JSON');
    }
  }
  const params = (body.params ?? {}) as Record<string, unknown>;
  if (typeof params !== 'object' || Array.isArray(params)) throw badRequest('"params" must be an object');
  try {
    const result = await runSaved(
      d.lake,
      name,
      params,
      d.config.phases.map((p) => p.phase),
    );
    if (req.query.format === 'csv')
      return download(new TextEncoder().encode(toCsv(result)), 'text/csv; charset=utf-8', `${d.config.id}-${name}.csv`);
    return json(200, { name, title: q.title, columns: result.columns, rows: result.rows });
  } catch (e) {
    if (e instanceof SavedQueryError) throw badRequest(e.message, 'bad-params');
    if (e instanceof LakeUnavailableError) throw new HttpError(503, 'lake-empty', e.message);
    if (e instanceof QueryError) throw new HttpError(502, 'query-failed', e.message);
    // Athena's answer took longer than the API may wait (lake/athena.ts QueryTimeoutError, not imported: it loads the SDK).
    if ((e as Error)?.name === 'QueryTimeoutError')
      throw new HttpError(504, 'query-timeout', 'the query is still running: try again in a minute');
    throw e;
  }
}
