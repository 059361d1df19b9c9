/**
 * The lake's files (functions/core/lake): the columns and types of the contract as DuckDB reads them, the same rows
 * through a second reader (hyparquet), an empty phase as a file with no row, the route as the phase close counts it.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { LAKE_COLUMNS, lakeKey, routeOf } from '../../../../functions/core/lake/columns.ts';
import { LakeSlice, type LakeFile } from '../../../../functions/core/lake/parquet.ts';
import { queryLocal } from '../../../../functions/core/lake/duckdb.ts';
import { countedBy } from '../../../../functions/core/lake/export.ts';
import { KeyCache } from '../../../../functions/core/phase/accumulate.ts';
import { L } from '../phase/fixtures.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';

/** A line with only what the test says (the rest L's defaults). */
const R = (o: Partial<SeizureRecord>): SeizureRecord =>
  L({ reporting_member: 'FR', case_ref: 'X', line_no: 1, seizure_date: '2021-05-04', ...o });

let dir: string;
let files: LakeFile[];
const paths: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-'));
  const lake = new LakeSlice({ operation: 'stop-ii', runLabel: 'interim-2021-07-01', asOf: '2021-07-01' }, 'FR', [1, 2, 3]);
  lake.add({
    record: L({
      reporting_member: 'FR',
      case_ref: 'Cafe\u0301-1', // decomposed: written NFC, as the store keys cases
      line_no: 3,
      phase: 1,
      seizure_date: '2021-05-04',
      quantity: 2.5,
      unit: 'kg',
      product: 'used_gloves',
      category: 'medical_device',
      departure_country: 'AE',
      origin_country: 'CN',
      transit_countries: ['QA', 'TR'],
      estimated_value: 1200.5,
      currency: 'EUR',
    }),
    objectKey: 'incoming/FR/w 1.xlsx',
    versionId: 'v9',
    orderToken: '2021-05-06T07:08:09.010Z#00000000000000000000000000000001',
  });
  lake.add({ record: L({ reporting_member: 'FR', case_ref: 'B', line_no: 1, phase: 2, seizure_date: '2021-06-30' }) });
  files = lake.files();
  for (const f of files) {
    const p = join(dir, `p${f.phase}.parquet`);
    await writeFile(p, f.body);
    paths.push(p);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('one file per phase of the slice, at its key; a phase without lines is a file with no row', () => {
  assert.deepEqual(
    files.map((f) => [f.key, f.rows]),
    [
      [lakeKey('stop-ii', 1, 'FR'), 1],
      [lakeKey('stop-ii', 2, 'FR'), 1],
      [lakeKey('stop-ii', 3, 'FR'), 0],
    ],
  );
  assert.equal(lakeKey('stop-ii', 3, 'FR'), 'lake/stop-ii/lines/phase=3/member=FR/part-0.parquet');
});

test('DuckDB reads the columns of the contract, in order, typed', async () => {
  const d = await queryLocal({ files: paths }, 'describe select * from lines');
  const want: Record<string, string> = {
    string: 'VARCHAR',
    int: 'INTEGER',
    double: 'DOUBLE',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
    'array<string>': 'VARCHAR[]',
  };
  assert.deepEqual(
    d.rows.map((r) => `${r['column_name']} ${r['column_type']}`),
    LAKE_COLUMNS.map((c) => `${c.name} ${want[c.type]}`),
  );
});

test('the values, alike through DuckDB and hyparquet', async () => {
  const viaDuckdb = (await queryLocal({ files: paths }, 'select * from lines order by phase')).rows;
  assert.deepEqual(viaDuckdb[0], {
    operation: 'stop-ii',
    phase: 1,
    member: 'FR',
    case_ref: 'Café-1'.normalize('NFC'),
    line: 3,
    seizure_date: '2021-05-04',
    category: 'medical_device',
    product: 'used_gloves',
    quantity: 2.5,
    unit: 'kg',
    origin: 'CN',
    destination: viaDuckdb[0]!['destination'],
    transit: ['QA', 'TR'],
    route: routeOf(
      R({
        departure_country: 'AE',
        origin_country: 'CN',
        transit_countries: ['QA', 'TR'],
        destination_country: viaDuckdb[0]!['destination'] as string,
      }),
    ),
    transport_mode: viaDuckdb[0]!['transport_mode'],
    concealment: viaDuckdb[0]!['concealment'],
    detection: viaDuckdb[0]!['detection'],
    infringement: viaDuckdb[0]!['infringement'],
    value: 1200.5,
    currency: 'EUR',
    source_key: 'incoming/FR/w 1.xlsx',
    source_version: 'v9',
    source_row: viaDuckdb[0]!['source_row'],
    received_at: '2021-05-06 07:08:09.01',
    run_label: 'interim-2021-07-01',
    as_of: '2021-07-01',
  });
  assert.equal(viaDuckdb[1]!['source_key'], null, 'a source that does not tell the upload leaves it empty');
  for (const f of files) {
    const rows = await parquetReadObjects({
      file: f.body.buffer.slice(f.body.byteOffset, f.body.byteOffset + f.body.byteLength) as ArrayBuffer,
    });
    assert.equal(rows.length, f.rows);
    if (f.phase === 1) {
      assert.equal(rows[0]!['case_ref'], 'Café-1'.normalize('NFC'));
      assert.deepEqual(rows[0]!['transit'], ['QA', 'TR']);
      assert.equal((rows[0]!['received_at'] as Date).toISOString(), '2021-05-06T07:08:09.010Z');
    }
  }
});

test("the route is the phase close's route key; an interim run counts lines up to its as-of date", () => {
  for (const r of [
    R({ origin_country: 'CN', destination_country: 'FR' }),
    R({ departure_country: 'AE', origin_country: 'CN', transit_countries: ['QA'], destination_country: 'FR' }),
    R({ origin_country: 'IN' }),
    R({ destination_country: 'FR', origin_country: undefined }),
  ])
    assert.equal(routeOf(r), new KeyCache().route(r));
  const interim = countedBy({ mode: 'interim', asOf: '2021-06-01' });
  assert.equal(interim(R({ seizure_date: '2021-06-01' })), true);
  assert.equal(interim(R({ seizure_date: '2021-06-02' })), false);
  assert.equal(countedBy({ mode: 'final', asOf: '2021-06-01' })(R({ seizure_date: '2030-01-01' })), true);
});
