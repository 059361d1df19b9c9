/**
 * The analysts' saved queries through the portal API (functions/core/portal/queries.ts), run by the same DuckDB code
 * as `seizures query` over real Parquet files: analysts get tables and CSV, Members 403, unknown names 404, bad
 * parameters 400; and the SQL of every saved query runs in both engines' forms (toDuckdb, toAthena).
 */
import { beforeAll, afterAll, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPortalApi, type PortalDeps } from '../../../../functions/core/portal/router.ts';
import type { Caller } from '../../../../functions/core/portal/auth.ts';
import { LakeSlice } from '../../../../functions/core/lake/parquet.ts';
import { queryLocal } from '../../../../functions/core/lake/duckdb.ts';
import { bindSaved, SAVED_QUERIES, toAthena, toDuckdb } from '../../../../functions/core/lake/saved.ts';
import { CONFIG, L } from '../phase/fixtures.ts';

vi.setConfig({ testTimeout: 120_000 });

let dir: string;
const files: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portal-queries-'));
  for (const member of ['FR', 'DE', 'ES']) {
    const lake = new LakeSlice({ operation: CONFIG.id, runLabel: 'final', asOf: '2021-09-01' }, member, [1, 2]);
    for (let i = 0; i < 4; i++)
      lake.add({
        record: L({
          reporting_member: member,
          case_ref: `${member}-${i}`,
          line_no: 1,
          phase: i < 2 ? 1 : 2,
          seizure_date: i < 2 ? '2021-05-10' : '2021-07-05',
          product: i % 2 ? 'ivermectin' : 'paracetamol',
          quantity: 10,
          origin_country: 'CN',
          destination_country: member,
        }),
        objectKey: `incoming/${member}/w.xlsx`,
        versionId: 'v1',
      });
    for (const f of lake.files()) {
      const path = join(dir, `${member}-${f.phase}.parquet`);
      await writeFile(path, f.body);
      files.push(path);
    }
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ANALYST: Caller = { member: undefined, analyst: true, email: 'a@x', sub: 'a', username: 'a' };
const MEMBER: Caller = { member: 'FR', analyst: false, email: 'fr@x', sub: 'f', username: 'f' };

function portal(caller: Caller, lake = true) {
  const deps = {
    config: CONFIG,
    verify: async () => caller,
    ...(lake
      ? {
          lake: async (sql: string, params: Readonly<Record<string, string | number>>) => {
            const q = toDuckdb(sql, params);
            return queryLocal({ files }, q.sql, q.params);
          },
        }
      : {}),
  } as unknown as PortalDeps;
  const api = createPortalApi(deps, { error: () => undefined });
  return (method: string, path: string, body?: unknown, query: Record<string, string> = {}) =>
    api({ method, path, query, headers: { authorization: 'Bearer x' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

test('analysts list the saved queries and run each: a table of rows, or CSV', async () => {
  const call = portal(ANALYST);
  const list = JSON.parse((await call('GET', '/api/queries')).body as string);
  assert.deepEqual(
    list.queries.map((q: { name: string }) => q.name),
    ['lines-by-route-month', 'members-by-product', 'signal-lines'],
  );
  assert.equal(list.available, true);
  assert.ok(!('sql' in list.queries[0]), 'the SQL stays on the server');

  const byRoute = await call('POST', '/api/queries/lines-by-route-month/run', { params: {} });
  assert.equal(byRoute.status, 200, byRoute.body as string);
  const r = JSON.parse(byRoute.body as string);
  assert.deepEqual(r.rows[0], { route: 'CN>DE', month: '2021-05', lines: 2, cases: 2, members: 1, units: 20 });
  assert.equal(r.rows.length, 6);

  const byProduct = JSON.parse((await call('POST', '/api/queries/members-by-product/run', {})).body as string);
  assert.deepEqual(
    byProduct.rows.map((x: { product: string; member: string; lines: number }) => `${x.product} ${x.member} ${x.lines}`),
    ['ivermectin DE 2', 'ivermectin ES 2', 'ivermectin FR 2', 'paracetamol DE 2', 'paracetamol ES 2', 'paracetamol FR 2'],
  );

  const signal = await call('POST', '/api/queries/signal-lines/run', { params: { phase: 2, dimension: 'product', key: 'ivermectin' } });
  const s = JSON.parse(signal.body as string);
  assert.deepEqual(
    s.rows.map((x: { member: string; case_ref: string }) => `${x.member}/${x.case_ref}`),
    ['DE/DE-3', 'ES/ES-3', 'FR/FR-3'],
  );
  const csv = await call(
    'POST',
    '/api/queries/signal-lines/run',
    { params: { phase: 2, dimension: 'product', key: 'ivermectin' } },
    { format: 'csv' },
  );
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
  assert.match(csv.headers['content-disposition'] ?? '', /attachment; filename="stop-ii-signal-lines.csv"/);
  const text = typeof csv.body === 'string' ? csv.body : new TextDecoder().decode(csv.body);
  assert.equal(
    text.split('\r\n')[0],
    'member,case_ref,line,seizure_date,product,quantity,unit,route,transport_mode,concealment,source_key,source_row',
  );
  assert.equal(text.trimEnd().split('\r\n').length, 4);
});

test('Members get 403; an unknown query 404; bad parameters 400; no lake 501', async () => {
  const member = portal(MEMBER);
  assert.equal((await member('GET', '/api/queries')).status, 403);
  assert.equal((await member('POST', '/api/queries/members-by-product/run', {})).status, 403);
  const call = portal(ANALYST);
  assert.equal((await call('POST', '/api/queries/nope/run', {})).status, 404);
  for (const params of [
    { phase: 9, dimension: 'product', key: 'x' },
    { phase: 2, dimension: 'case_ref; drop table lines', key: 'x' },
    { phase: 2, dimension: 'product' },
    { phase: 2, dimension: '__proto__', key: 'x' },
  ]) {
    const res = await call('POST', '/api/queries/signal-lines/run', { params });
    assert.equal(res.status, 400, JSON.stringify(params));
    assert.equal(JSON.parse(res.body as string).error, 'bad-params');
  }
  // A value is bound, never spliced: a quote in it finds nothing rather than breaking the SQL.
  const quoted = await call('POST', '/api/queries/signal-lines/run', { params: { phase: 2, dimension: 'product', key: "x' or '1'='1" } });
  assert.equal(quoted.status, 200);
  assert.deepEqual(JSON.parse(quoted.body as string).rows, []);
  assert.equal((await portal(ANALYST, false)('POST', '/api/queries/members-by-product/run', {})).status, 501);
});

test("every saved query's SQL binds to both engines' forms", () => {
  for (const q of SAVED_QUERIES) {
    const { sql, params } = bindSaved(q, { phase: '1', dimension: 'route', key: "it's" }, [1, 2, 3]);
    assert.doesNotMatch(sql, /\{/);
    const d = toDuckdb(sql, params);
    const a = toAthena(sql, params);
    assert.equal((d.sql.match(/\$[a-z_]+/g) ?? []).length, (a.sql.match(/\?/g) ?? []).length);
    if (q.name === 'signal-lines') assert.deepEqual(a.params, ['1', "'it''s'"]);
  }
});
