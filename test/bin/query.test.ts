/**
 * `seizures query`: locally DuckDB over the local cloud's Parquet files as s3rver keeps them (the real CLI in a child
 * process), with `--aws` the same SQL in Athena (in process, the SDK mocked): the same three output shapes, and a
 * refused SQL is one line and exit 1, never a stack trace.
 */
import '../helpers/quiet.ts';
import { test, beforeAll, afterAll, afterEach, vi } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LakeSlice } from '../../functions/core/lake/parquet.ts';
import { localObjectPath } from '../../lib/local/lake.ts';
import { queryCommand } from '../../bin/cli/query.ts';
import { runCli } from '../helpers/cli.ts';
import { L } from '../functions/core/phase/fixtures.ts';

// Each case runs the CLI in a child process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

let dataDir: string;
const SQL = 'select member, count(*) as lines, sum(quantity) as qty from lines group by member order by member';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'query-'));
  for (const [member, n] of [
    ['FR', 3],
    ['DE', 2],
  ] as const) {
    const lake = new LakeSlice({ operation: 'stop-ii', runLabel: 'final', asOf: '2021-09-01' }, member, [1, 2]);
    for (let i = 0; i < n; i++)
      lake.add({
        record: L({
          reporting_member: member,
          case_ref: `${member}-${i}`,
          line_no: 1,
          phase: 1,
          seizure_date: '2021-05-10',
          quantity: 1.5,
        }),
        objectKey: `incoming/${member}/w.xlsx`,
        versionId: 'v1',
        orderToken: '2021-05-11T08:00:00.000Z#0000000000000000000000000000abcd',
      });
    for (const f of lake.files()) {
      const path = localObjectPath(dataDir, f.key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.body);
    }
  }
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('query prints JSON rows, CSV and an aligned table over the local lake', async () => {
  const json = await runCli(['query', SQL, '--data-dir', dataDir, '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [
    { member: 'DE', lines: 2, qty: 3 },
    { member: 'FR', lines: 3, qty: 4.5 },
  ]);
  const csv = await runCli(['query', SQL, '--data-dir', dataDir, '--format', 'csv']);
  assert.equal(csv.stdout, 'member,lines,qty\r\nDE,2,3\r\nFR,3,4.5\r\n');
  const text = await runCli(['query', "select received_at, transit, route from lines where member = 'DE' limit 1", '--data-dir', dataDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^received_at\s+transit\s+route\n-+/);
  assert.match(text.stdout, /2021-05-11 08:00:00/);
  assert.match(text.stdout, /\(1 row\)\n$/);
});

test('bad SQL is one line and exit 1; no lake is exit 69; bad usage 64', async () => {
  const bad = await runCli(['query', 'select nope from lines', '--data-dir', dataDir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^seizures query: the SQL was refused: .*nope/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const empty = await mkdtemp(join(tmpdir(), 'query-empty-'));
  try {
    const none = await runCli(['query', 'select 1', '--data-dir', empty]);
    assert.equal(none.code, 69);
    assert.match(none.stderr, /no file yet/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
  assert.equal((await runCli(['query', '--data-dir', dataDir])).code, 64);
  assert.equal((await runCli(['query', SQL, '--format', 'xml', '--data-dir', dataDir])).code, 64);
  assert.equal((await runCli(['query', SQL, '--aws', '--data-dir', dataDir])).code, 64);
});

const cfn = mockClient(CloudFormationClient);
const athena = mockClient(AthenaClient);
afterEach(() => {
  cfn.reset();
  athena.reset();
  vi.restoreAllMocks();
});

function stack(outputs: Record<string, string>) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'S',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

const OUTPUTS = { BucketName: 'b', TableName: 't', LakeWorkGroup: 'wg', LakeDatabase: 'db' };

async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  const code = await run();
  vi.restoreAllMocks();
  return { code, out, err };
}

test('--aws runs the SQL in the stack workgroup and prints the same shapes', async () => {
  stack(OUTPUTS);
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
  athena
    .on(GetQueryExecutionCommand)
    .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
    .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  const col = (Name: string, Type: string) => ({ Name, Type });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: [col('member', 'varchar'), col('lines', 'bigint'), col('qty', 'double')] },
      Rows: [
        { Data: [{ VarCharValue: 'member' }, { VarCharValue: 'lines' }, { VarCharValue: 'qty' }] },
        { Data: [{ VarCharValue: 'DE' }, { VarCharValue: '2' }, { VarCharValue: '3.0' }] },
        { Data: [{ VarCharValue: 'FR' }, { VarCharValue: '3' }, { VarCharValue: '4.5' }] },
      ],
    },
  });
  const client = new AthenaClient({ region: 'eu-west-1' });
  const r = await capture(() => queryCommand([SQL, '--aws', '--stack', 'S', '--format', 'json'], { athena: client }));
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), [
    { member: 'DE', lines: 2, qty: 3 },
    { member: 'FR', lines: 3, qty: 4.5 },
  ]);
  const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
  assert.deepEqual(start, { QueryString: SQL, WorkGroup: 'wg', QueryExecutionContext: { Database: 'db' } });
});

test('--aws: a failed query is exit 1 with Athena reason; a stack without the lake outputs is exit 69', async () => {
  stack(OUTPUTS);
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: { Status: { State: 'FAILED', StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" } },
  });
  const client = new AthenaClient({ region: 'eu-west-1' });
  const r = await capture(() => queryCommand(['select nope from lines', '--aws', '--stack', 'S'], { athena: client }));
  assert.equal(r.code, 1);
  assert.match(r.err, /^seizures query: the SQL was refused: failed: COLUMN_NOT_FOUND.*nope.*\(query q2\)\n$/);

  cfn.reset();
  stack({ BucketName: 'b', TableName: 't' });
  const old = await capture(() => queryCommand(['select 1', '--aws', '--stack', 'S'], { athena: client }));
  assert.equal(old.code, 69);
  assert.match(old.err, /no LakeWorkGroup\/LakeDatabase outputs/);
});
