/**
 * The phase-close handlers end to end, as the workflow calls them (each event exactly as in the contract), on an
 * in-process dynalite and s3rver, with SES replaced by a fake mailer. Lines are written by the store's applyUpload,
 * so they are read back through the real byPhase index.
 */
import '../../helpers/quiet.ts';
import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../../../functions/core/platform/aws.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { PhaseTable } from '../../../functions/core/phase/items.ts';
import { aggregateLines } from '../../../functions/core/phase/aggregate.ts';
import { PhaseCloseInputError, type PhasePlan } from '../../../functions/core/phase/input.ts';
import type { Mailer } from '../../../functions/core/phase/alerts.ts';
import type { SummaryJson } from '../../../functions/core/phase/summary.ts';
import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { createPlanHandler, depsFromEnv as planDeps } from '../../../functions/phase-plan/app.ts';
import { createAggregateHandler, depsFromEnv as aggregateDeps } from '../../../functions/phase-aggregate/app.ts';
import { createMergeHandler, depsFromEnv as mergeDeps } from '../../../functions/phase-merge/app.ts';
import { createAnalyseHandler, depsFromEnv as analyseDeps } from '../../../functions/phase-analyse/app.ts';
import { createRenderHandler, depsFromEnv as renderDeps } from '../../../functions/phase-render/app.ts';
import { createStoreHandler, depsFromEnv as storeDeps } from '../../../functions/phase-store/app.ts';
import { createAlertsHandler, depsFromEnv as alertsDeps } from '../../../functions/phase-alerts/app.ts';
import { createFailureHandler, depsFromEnv as failureDeps } from '../../../functions/phase-failure/app.ts';
import { MissingEnvError } from '../../../functions/shared/errors.ts';
import { operationConfigEnv } from '../../../functions/core/contracts/operation-env.ts';
import { NilReturnStore } from '../../../functions/core/operation/nil-return.ts';
import { startDynalite, type LocalDynamo } from '../core/store/local-dynamo.ts';
import { CONFIG, FINAL_2, L, sorted } from '../core/phase/fixtures.ts';
import { addDays } from '../../../functions/core/operation/days.ts';
import { startS3, type LocalS3 } from '../../../lib/local/s3.ts';
import { lakeFilesUnder } from '../../../lib/local/lake.ts';
import { lakeKey } from '../../../functions/core/lake/columns.ts';
import { queryLocal } from '../../../functions/core/lake/duckdb.ts';

const LINES = makeLines();
const lines = () => LINES;

const BUCKET = 'submissions';
const CONTACTS_KEY = 'config/stop-ii/contacts.json';

let dynamo: LocalDynamo;
let s3rver: LocalS3;
let dir: string;
let s3: S3Client;
let env: NodeJS.ProcessEnv;
let tableName: string;

/** The Lambda context a step is invoked with (the chain hands it to the logger and the app). */
const context = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: `req-${functionName}`,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** Lines of FR, DE, ES in both phases, with case references in scripts whose UTF-8 and UTF-16 orders differ. */
function makeLines(): SeizureRecord[] {
  const out: SeizureRecord[] = [];
  const refs = ['Zürich-1', '😀-2', '\uff21-3', 'A#1', 'A', 'B'];
  let i = 0;
  for (const m of ['FR', 'DE', 'ES']) {
    for (const ref of refs) {
      for (let l = 1; l <= 2; l++) {
        const day = addDays(i % 3 === 0 ? '2021-05-10' : '2021-07-01', i % 20);
        out.push(
          L({
            reporting_member: m,
            case_ref: `${m}-${ref}`,
            line_no: l,
            seizure_date: day,
            product: i % 4 ? 'ivermectin' : 'paracetamol',
            quantity: 10 + i,
            origin_country: 'CN',
            destination_country: m,
            remarks: 'SECRET',
            location: 'SECRETPLACE',
          }),
        );
        i++;
      }
    }
  }
  // A case with lines in both phases: one case cumulatively.
  out.push(L({ reporting_member: 'FR', case_ref: 'FR-A', line_no: 3, seizure_date: '2021-05-04' }));
  return out;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  tableName = await dynamo.table();
  dir = await mkdtemp(join(tmpdir(), 'phase-s3-'));
  // The local cloud's own S3 (keep-alive longer than any pause, so no ECONNRESET on a reused socket under load).
  s3rver = await startS3({ directory: dir, port: 0, bucket: BUCKET, onEvent: () => undefined });
  env = {
    SEIZURES_LOCAL_S3: s3rver.endpoint,
    SEIZURES_LOCAL_DYNAMODB: dynamo.endpoint,
  };
  Object.assign(process.env, env);
  env = { ...env, OPERATION_CONFIG: operationConfigEnv(CONFIG), BUCKET_NAME: BUCKET, TABLE_NAME: tableName, CONTACTS_KEY };
  s3 = s3Client();
  const store = new SeizureStore({ client: dynamo.client(), tableName });
  const byMember = new Map<string, SeizureRecord[]>();
  for (const r of lines()) byMember.set(r.reporting_member, [...(byMember.get(r.reporting_member) ?? []), r]);
  for (const [m, rs] of byMember)
    await store.applyUpload({ member: m, objectKey: `incoming/${m}/w.xlsx`, versionId: 'v1', orderToken: 'T1' }, rs);
  const contacts = {
    members: CONFIG.members.map((m) => ({ code: m.code, ncpEmail: m.ncpEmail, language: m.language ?? 'en' })),
    analysts: CONFIG.analysts,
  };
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: CONTACTS_KEY, Body: JSON.stringify(contacts) }));
});

afterAll(async () => {
  s3.destroy();
  await s3rver.close();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

function fakeMailer() {
  const sent: { to: string; subject: string }[] = [];
  const mailer: Mailer = {
    async send(_from, to, c) {
      sent.push({ to, subject: c.subject });
      return `m${sent.length}`;
    },
  };
  return { sent, mailer };
}

/** Runs the workflow's steps in order, with the contract's events; returns every step's result. */
async function closePhase(input: typeof FINAL_2, mailer: Mailer) {
  const plan = (await createPlanHandler(planDeps(env))(input, context('phase-plan'))) as PhasePlan;
  const aggregate = createAggregateHandler(aggregateDeps(env));
  const partials = [];
  for (const slice of plan.slices)
    partials.push(await aggregate({ input, slice, workPrefix: plan.workPrefix }, context('phase-aggregate')));
  const merged = await createMergeHandler(mergeDeps(env))({ input, partials, workPrefix: plan.workPrefix }, context('phase-merge'));
  const analysed = await createAnalyseHandler(analyseDeps(env))(
    { input, aggregateKey: merged.aggregateKey, workPrefix: plan.workPrefix },
    context('phase-analyse'),
  );
  const rendered = await createRenderHandler(renderDeps(env))(
    { input, aggregateKey: merged.aggregateKey, analysisKey: analysed.analysisKey, prefix: plan.prefix },
    context('phase-render'),
  );
  const stored = await createStoreHandler(storeDeps(env))(
    { input, prefix: plan.prefix, keys: rendered.keys, signalCount: rendered.signalCount },
    context('phase-store'),
  );
  const alerts = createAlertsHandler({ ...alertsDeps(env), mailer });
  const sent = rendered.alert
    ? await alerts({ input, prefix: plan.prefix, keys: rendered.keys, signalCount: rendered.signalCount }, context('phase-alerts'))
    : undefined;
  return { plan, partials, merged, analysed, rendered, stored, sent, alerts };
}

test('a final close runs end to end: contract outputs, reports in S3, the summary item, one email per recipient', async () => {
  const mail = fakeMailer();
  const r = await closePhase(FINAL_2, mail.mailer);
  assert.deepEqual(
    { runLabel: r.plan.runLabel, prefix: r.plan.prefix, workPrefix: r.plan.workPrefix, slices: r.plan.slices.length },
    { runLabel: 'final', prefix: 'summaries/stop-ii/phase-2/final/', workPrefix: 'work/stop-ii/phase-2/final/', slices: 4 },
  );
  // A Member's one slice aggregates all its phases (each line is read once).
  assert.deepEqual(r.partials[0], {
    key: 'work/stop-ii/phase-2/final/partials/p2-FR.json',
    lines: lines().filter((l) => l.reporting_member === 'FR' && l.phase <= 2).length,
  });
  assert.deepEqual(r.merged, { aggregateKey: 'work/stop-ii/phase-2/final/aggregate.json', lines: lines().length });
  assert.equal(r.analysed.analysisKey, 'work/stop-ii/phase-2/final/analysis.json');
  assert.deepEqual(Object.keys(r.analysed.signals), ['rising', 'falling', 'new', 'alarms', 'outliers']);
  assert.deepEqual(r.rendered.keys, {
    json: 'summaries/stop-ii/phase-2/final/summary.json',
    xlsx: 'summaries/stop-ii/phase-2/final/summary.xlsx',
    html: 'summaries/stop-ii/phase-2/final/summary.html',
    analystsJson: 'summaries/stop-ii/phase-2/final/analysts/summary.json',
    analystsXlsx: 'summaries/stop-ii/phase-2/final/analysts/summary.xlsx',
    analystsHtml: 'summaries/stop-ii/phase-2/final/analysts/summary.html',
    // Added by issue 17: the NCP version in each language.
    htmlEn: 'summaries/stop-ii/phase-2/final/summary.en.html',
    xlsxEn: 'summaries/stop-ii/phase-2/final/summary.en.xlsx',
    htmlFr: 'summaries/stop-ii/phase-2/final/summary.fr.html',
    xlsxFr: 'summaries/stop-ii/phase-2/final/summary.fr.xlsx',
    htmlEs: 'summaries/stop-ii/phase-2/final/summary.es.html',
    xlsxEs: 'summaries/stop-ii/phase-2/final/summary.es.xlsx',
  });
  assert.equal(r.rendered.alert, true);
  assert.deepEqual(r.stored, { stored: true });
  assert.deepEqual(r.sent, { sent: 4, skipped: 0 });
  assert.deepEqual(mail.sent.map((m) => m.to).sort(), [
    'analysts@stop-ii.example.org',
    'ncp.de@customs.example.org',
    'ncp.es@customs.example.org',
    'ncp.fr@customs.example.org',
  ]);

  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'summaries/stop-ii/phase-2/final/' }));
  assert.equal(listed.KeyCount, 12);
  const item = await new PhaseTable({ client: dynamo.client(), tableName }).getSummary('stop-ii', 2, 'final');
  assert.equal(item?.counts.lines, lines().filter((l) => l.phase === 2).length);
  // phase-store keeps the language keys, so the portal finds each language's files.
  assert.equal(item?.keys.htmlFr, 'summaries/stop-ii/phase-2/final/summary.fr.html');
  assert.equal(item?.keys.xlsxEs, 'summaries/stop-ii/phase-2/final/summary.es.xlsx');
  assert.equal(item?.signalCount, r.rendered.signalCount);
});

test('the figures read through the byPhase index equal aggregating the same lines in memory', async () => {
  const r = await closePhase(FINAL_2, fakeMailer().mailer);
  const fromStore = JSON.parse(await text(r.merged.aggregateKey));
  assert.deepEqual(fromStore, await aggregateLines(FINAL_2, CONFIG, sorted(lines())));
  const summary = JSON.parse(await text(r.rendered.keys.json)) as SummaryJson;
  assert.equal(summary.figures.cumulative.cases, 3 * 6); // FR-A's phase 1 line is the same case
  assert.ok(!JSON.stringify(summary).includes('SECRET'));
});

test('rerunning the same close replaces the summary and sends no email twice', async () => {
  const first = fakeMailer();
  const input = { ...FINAL_2, asOf: '2021-08-30' }; // a final run's label does not depend on asOf
  await closePhase(input, first.mailer);
  const again = fakeMailer();
  const r = await closePhase(input, again.mailer);
  assert.deepEqual(r.sent, { sent: 0, skipped: 4 });
  assert.equal(again.sent.length, 0);
});

test('an interim run with nothing new or rising does not alert', async () => {
  const input = { operation: 'stop-ii', phase: 2, mode: 'interim' as const, asOf: '2021-08-22' };
  const r = await closePhase(input, fakeMailer().mailer);
  assert.equal(r.plan.runLabel, 'interim-2021-08-22');
  assert.equal(r.rendered.alert, false);
  assert.equal(r.sent, undefined);
  // The alerts handler called anyway sends nothing.
  assert.deepEqual(
    await r.alerts({ input, prefix: r.plan.prefix, keys: r.rendered.keys, signalCount: r.rendered.signalCount }, context('phase-alerts')),
    { sent: 0, skipped: 0 },
  );
});

test('an unknown phase or operation is a PhaseCloseInputError', async () => {
  const plan = createPlanHandler(planDeps(env));
  await assert.rejects(plan({ ...FINAL_2, phase: 9 }, context('phase-plan')), PhaseCloseInputError);
  await assert.rejects(plan({ ...FINAL_2, operation: 'stop-iii' }, context('phase-plan')), PhaseCloseInputError);
  await assert.rejects(
    createMergeHandler(mergeDeps(env))({ input: FINAL_2, partials: [], workPrefix: 'work/stop-ii/phase-2/final/' }, context('phase-merge')),
    /no partial/,
  );
});

test('a step handed keys of another run refuses them', async () => {
  const render = createRenderHandler(renderDeps(env));
  await assert.rejects(
    render(
      {
        input: FINAL_2,
        aggregateKey: 'incoming/FR/w.xlsx',
        analysisKey: 'work/stop-ii/phase-2/final/analysis.json',
        prefix: 'summaries/stop-ii/phase-2/final/',
      },
      context('phase-render'),
    ),
    PhaseCloseInputError,
  );
  await assert.rejects(
    render(
      {
        input: FINAL_2,
        aggregateKey: 'work/stop-ii/phase-2/final/aggregate.json',
        analysisKey: 'work/stop-ii/phase-2/final/analysis.json',
        prefix: 'feedback/FR/',
      },
      context('phase-render'),
    ),
    PhaseCloseInputError,
  );
});

test('the failure handler emails each analyst which run failed and why', async () => {
  const mail = fakeMailer();
  const out = await createFailureHandler({ ...failureDeps(env), mailer: mail.mailer })(
    { input: FINAL_2, error: { Error: 'States.TaskFailed', Cause: 'boom' } },
    context('phase-failure'),
  );
  assert.deepEqual(out, { notified: 1 });
  assert.deepEqual(mail.sent, [
    { to: 'analysts@stop-ii.example.org', subject: 'Operation STOP II: the phase close failed (phase 2 final)' },
  ]);
});

test('a handler without its environment fails at init, naming the variables', () => {
  assert.throws(
    () => alertsDeps({ OPERATION_CONFIG: env.OPERATION_CONFIG! }),
    (e: Error) => e instanceof MissingEnvError && /BUCKET_NAME, TABLE_NAME, CONTACTS_KEY/.test(e.message),
  );
});

test("a nil return makes its Member a reporter of the phase: the run's exposure counts its Member-weeks", async () => {
  const input = { ...FINAL_2, asOf: '2021-08-30' };
  const before = await closePhase(input, fakeMailer().mailer);
  const a0 = JSON.parse(await text(before.analysed.analysisKey)) as { exposure: { reporters: number; window: number } };
  // NL (configured, no line in the fixture) says it has nothing to report for phase 2.
  await new NilReturnStore({ client: dynamo.client(), tableName }).record(CONFIG, { member: 'NL', phase: 2, source: 'cli' });
  const after = await closePhase(input, fakeMailer().mailer);
  const a1 = JSON.parse(await text(after.analysed.analysisKey)) as { exposure: { reporters: number; window: number } };
  assert.equal(a1.exposure.reporters, a0.exposure.reporters + 1);
  assert.ok(a1.exposure.window > a0.exposure.window);
  const agg = JSON.parse(await text(after.merged.aggregateKey)) as { phases: { phase: number; nilReturns?: string[] }[] };
  assert.deepEqual(agg.phases.find((p) => p.phase === 2)?.nilReturns, ['NL']);
});

test('a nil return for an earlier phase reaches that phase: the closed phase slice aggregates the earlier ones too', async () => {
  const input = { ...FINAL_2, asOf: '2021-08-31' };
  await new NilReturnStore({ client: dynamo.client(), tableName }).record(CONFIG, { member: 'NL', phase: 1, source: 'cli' });
  const r = await closePhase(input, fakeMailer().mailer);
  const agg = JSON.parse(await text(r.merged.aggregateKey)) as { phases: { phase: number; lines: number; nilReturns?: string[] }[] };
  assert.deepEqual(agg.phases.find((p) => p.phase === 1)?.nilReturns, ['NL']);
  assert.equal(agg.phases.find((p) => p.phase === 1)?.lines, lines().filter((l) => l.phase === 1).length);
});

test("the lake: each slice writes its Member's counted lines of every phase as Parquet, read alike by DuckDB and hyparquet, and SQL over them gives the summary's figures", async () => {
  const input = { ...FINAL_2, asOf: '2021-09-01' };
  const r = await closePhase(input, fakeMailer().mailer);
  const files = lakeFilesUnder(dir, BUCKET);
  // One file per phase and Member, a Member without lines included (an empty file overwrites an earlier run's).
  assert.deepEqual(
    files.map((f) => f.slice(f.indexOf('/lake/') + 1).replace('._S3rver_object', '')).sort(),
    CONFIG.members.flatMap((m) => [1, 2].map((p) => lakeKey('stop-ii', p, m.code))).sort(),
  );
  let total = 0;
  for (const f of files) {
    const buf = await readFile(f);
    const viaHyparquet = await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    });
    const viaDuckdb = await queryLocal({ files: [f] }, 'select count(*) as n from lines');
    assert.equal(viaDuckdb.rows[0]!['n'], viaHyparquet.length, f);
    total += viaHyparquet.length;
  }
  assert.equal(total, r.merged.lines);

  const lake = { files };
  const row = (await queryLocal(lake, "select * from lines where member = 'FR' and case_ref = 'FR-Zürich-1' and line = 2")).rows;
  const src = lines().find((l) => l.reporting_member === 'FR' && l.case_ref === 'FR-Zürich-1' && l.line_no === 2)!;
  assert.equal(row.length, 1);
  assert.deepEqual(
    { ...row[0], received_at: null },
    {
      operation: 'stop-ii',
      phase: src.phase,
      member: 'FR',
      case_ref: 'FR-Zürich-1',
      line: 2,
      seizure_date: src.seizure_date,
      category: src.category,
      product: src.product,
      quantity: src.quantity,
      unit: src.unit,
      origin: 'CN',
      destination: 'FR',
      transit: null,
      route: 'CN>FR',
      transport_mode: src.transport_mode,
      concealment: src.concealment_method ?? null,
      detection: src.detection_method ?? null,
      infringement: src.infringement_type,
      value: src.estimated_value ?? null,
      currency: src.currency ?? null,
      source_key: 'incoming/FR/w.xlsx',
      source_version: 'v1',
      source_row: src.source.row,
      received_at: null,
      run_label: 'final',
      as_of: '2021-09-01',
    },
  );

  const summary = JSON.parse(await text(r.rendered.keys.analystsJson)) as SummaryJson;
  const byPhase = await queryLocal(
    lake,
    "select phase, count(*) as lines, count(distinct member || '/' || case_ref) as cases, sum(quantity) filter (where unit in ('pieces','doses','packs')) as units from lines group by phase order by phase",
  );
  const f = summary.figures.phase;
  assert.deepEqual(byPhase.rows.at(-1), { phase: 2, lines: f.lines, cases: f.cases, units: f.units.total });
  const cumulative = await queryLocal(lake, "select count(*) as lines, count(distinct member || '/' || case_ref) as cases from lines");
  assert.deepEqual(cumulative.rows[0], { lines: summary.figures.cumulative.lines, cases: summary.figures.cumulative.cases });
});

test('the lake of an interim run holds the lines it counted: none after its as-of date', async () => {
  const input = { operation: 'stop-ii', phase: 2, mode: 'interim' as const, asOf: '2021-07-10' };
  const r = await closePhase(input, fakeMailer().mailer);
  const files = lakeFilesUnder(dir, BUCKET);
  const q = await queryLocal(
    { files },
    'select count(*) as n, max(seizure_date) as last, min(run_label) as run, count(distinct as_of) as runs from lines',
  );
  assert.deepEqual(q.rows[0], { n: r.merged.lines, last: q.rows[0]!['last'], run: 'interim-2021-07-10', runs: 1 });
  assert.ok(String(q.rows[0]!['last']) <= '2021-07-10');
  assert.equal(r.merged.lines, lines().filter((l) => l.phase <= 2 && l.seizure_date <= '2021-07-10').length);
});

test('bad SQL over the lake is a QueryError naming the problem', async () => {
  await assert.rejects(queryLocal({ files: lakeFilesUnder(dir, BUCKET) }, 'select nope from lines'), (e: Error) => {
    assert.equal(e.name, 'QueryError');
    assert.match(e.message, /nope/);
    return true;
  });
  await assert.rejects(queryLocal({ files: [] }, 'select 1'), (e: Error) => e.name === 'LakeUnavailableError');
});
