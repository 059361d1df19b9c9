import '../../helpers/quiet.ts';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import type { IngestDeps } from '../../../functions/core/ingest/ingest.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { NilReturnStore } from '../../../functions/core/operation/nil-return.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { collect, scanAll, type LocalDynamo } from '../core/store/local-dynamo.ts';
import { BUCKET, config, context, startIngestWorld, type IngestWorld } from './world.ts';

const HEADER = 'Reporting Member,Case reference,Line,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';
const line = (member: string, c: string, n: number, qty: number, product = 'Ivermectin', date = '2021-06-15') =>
  `${member},${c},${n},${date},Medicines,${product},${qty},Pieces,Air cargo,Falsified`;
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

let w: IngestWorld, dir: string, dyn: LocalDynamo, s3: S3Client;

beforeAll(async () => {
  w = await startIngestWorld('ingest');
  ({ dir, dyn, s3 } = w);
});
afterAll(async () => {
  await w.close();
});

const world = (over: Partial<IngestDeps> = {}) => w.world(over);
/** Puts an object and returns the SQS event S3 would send for it, at `at` (ms) or a second after the last. */
const upload = (key: string, body: string | Buffer, at?: number) => w.upload(key, body, at === undefined ? {} : { at });
const getText = (key: string) => w.getText(key);

test('a key with spaces, a plus and non-ASCII characters is decoded once and its file ingested', async () => {
  const { handler, store } = await world();
  const key = 'incoming/FR/Saisies été 2021 + v2.csv';
  const ev = await upload(key, csv(line('FR', 'A', 1, 10), line('FR', 'A', 2, 20)));
  assert.match(JSON.parse(ev.Records[0]!.body).Records[0].s3.object.key, /^incoming\/FR\/Saisies\+%C3%A9t%C3%A9\+2021\+%2B\+v2\.csv$/);
  assert.deepEqual(await handler(ev, context), { batchItemFailures: [] });
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.objectKey, key);
  assert.equal(sub!.status, 'accepted');
  assert.equal(sub!.stored.written, 2);
  const report = JSON.parse(await getText('feedback/FR/Saisies été 2021 + v2.csv.report.json'));
  assert.equal(report.valid, true);
});

test('the same event delivered twice leaves the table exactly as once', async () => {
  const { handler, tableName } = await world();
  const ev = await upload('incoming/FR/dup.csv', csv(line('FR', 'D', 1, 5), line('FR', 'E', 1, 6)));
  await handler(ev, context);
  const once = await scanAll(dyn.client(), tableName);
  await handler(ev, context);
  assert.deepEqual(await scanAll(dyn.client(), tableName), once);
});

test("rows carrying another Member's code are rejected and nothing is stored for that Member", async () => {
  const { handler, store } = await world();
  await handler(await upload('incoming/FR/mixed.csv', csv(line('FR', 'F', 1, 5), line('DE', 'G', 1, 7))), context);
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'accepted_with_errors');
  assert.deepEqual(sub!.errorsByType, { 'constraint-error': 1 });
  assert.deepEqual(await collect(store.linesOf(1, 'DE')), []);
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => l.case_ref),
    ['F'],
  );
});

test('a file over the size limit is rejected with a size-error report and stores nothing', async () => {
  const { handler, store } = await world({ limits: { maxFileBytes: 100 } });
  await handler(await upload('incoming/FR/big.csv', csv(line('FR', 'H', 1, 5), line('FR', 'H', 2, 5))), context);
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'rejected');
  assert.equal(sub!.failure!.type, 'size-error');
  assert.deepEqual(await collect(store.linesOf(1, 'FR')), []);
  const report = JSON.parse(await getText('feedback/FR/big.csv.report.json'));
  assert.equal(report.errors[0].type, 'size-error');
});

test('a re-upload is the truth for its cases: a line it no longer has is withdrawn', async () => {
  const { handler, store } = await world();
  await handler(await upload('incoming/FR/week.csv', csv(line('FR', 'W', 1, 5), line('FR', 'W', 2, 6))), context);
  await handler(await upload('incoming/FR/week.csv', csv(line('FR', 'W', 1, 50))), context);
  const lines = await collect(store.linesOf(1, 'FR'));
  assert.deepEqual(
    lines.map((l) => [l.line_no, l.quantity]),
    [[1, 50]],
  );
  const [latest] = await store.listSubmissions({ member: 'FR' });
  assert.equal(latest!.stored.withdrawn, 1);
});

test('an older upload processed after a newer one never overwrites it', async () => {
  const { handler, store } = await world();
  const older = await upload('incoming/FR/a.csv', csv(line('FR', 'O', 1, 1)));
  const newer = await upload('incoming/FR/b.csv', csv(line('FR', 'O', 1, 2)));
  await handler(newer, context);
  await handler(older, context);
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => l.quantity),
    [2],
  );
  const subs = await store.listSubmissions({ member: 'FR' });
  assert.equal(subs.find((s) => s.objectKey === 'incoming/FR/a.csv')!.stored.supersededCases, 1);
});

test('the annotated copy highlights each bad cell with its error and lists them on an Errors sheet, in the Member language', async () => {
  const { handler } = await world();
  const fr =
    "Membre déclarant;Référence du cas;Date de saisie;Catégorie;Produit;Quantité;Unité;Mode de transport;Type d'infraction\n" +
    'FR;K1;15/06/2021;Médicaments;Aspirine;10;Pièces;Fret aérien;Contrefaçon\nFR;K2;15/06/2021;Médicaments;Ivermectine;5;Pièces;Fret aérien;Contrefaçon\n';
  await handler(await upload('incoming/FR/fr.csv', fr), context);
  const body = await (
    await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'feedback/FR/fr.csv.report.xlsx' }))
  ).Body!.transformToByteArray();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(body) as unknown as ExcelJS.Buffer);
  const data = wb.worksheets[0]!;
  assert.equal(data.getCell('E2').value, 'Aspirine');
  assert.match(String(data.getCell('E2').note), /'Aspirine' .* n'est pas une valeur connue de « produit »/);
  assert.equal((data.getCell('E2').fill as ExcelJS.FillPattern).fgColor?.argb, 'FFFFC7CE');
  assert.equal(data.getCell('E3').note, undefined);
  const errors = wb.getWorksheet('Erreurs')!;
  assert.deepEqual((errors.getRow(2).values as ExcelJS.CellValue[]).slice(1, 5), [2, 'E', 'product', 'Aspirine']);
});

test('a failure is reported as a failed batch item and recorded on the submission', async () => {
  const { handler, store } = await world();
  const ev = await upload('incoming/FR/gone.csv', csv(line('FR', 'Z', 1, 1)));
  await rm(join(dir, BUCKET, 'incoming', 'FR', 'gone.csv._S3rver_object'), { force: true });
  const res = await handler(ev, context);
  assert.deepEqual(res, { batchItemFailures: [{ itemIdentifier: ev.Records[0]!.messageId }] });
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'failed');
});

test("an upload that finds another of its Member's uploads being stored is retried later, not recorded as failed", async () => {
  const tableName = await dyn.table();
  const client = dyn.client();
  const store = new SeizureStore({ client, tableName, lease: { waitMs: 100, pollMs: 20 } });
  const handler = createIngestHandler({ s3, store, config, now: () => new Date('2026-11-28T12:00:00Z') });
  await w.holdLease(tableName, 'FR');
  const ev = await upload('incoming/FR/busy.csv', csv(line('FR', 'B', 1, 1)));
  assert.deepEqual(await handler(ev, context), { batchItemFailures: [{ itemIdentifier: ev.Records[0]!.messageId }] });
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'processing');
  assert.deepEqual(await collect(store.linesOf(1, 'FR')), []);
});

test('the empty template is the Member’s nil return for the phase its day falls in, said in report.json; once only', async () => {
  const { deps, tableName } = await world();
  const nilReturns = new NilReturnStore({ client: dyn.client(), tableName });
  const handler = createIngestHandler({ ...deps, nilReturns });
  const inPhase1 = Date.parse('2021-06-15T10:00:00Z');
  await handler(await upload('incoming/FR/empty.csv', csv(), inPhase1), context);
  const report = JSON.parse(await getText('feedback/FR/empty.csv.report.json'));
  assert.deepEqual(report.nilReturn, { phase: 1, created: true });
  // Accepted as the nil return: no longer a 'no-rows' error, a warning saying what was recorded.
  assert.deepEqual(report.errors, []);
  assert.equal(report.warnings[0].code, 'nil-return');
  assert.equal((await deps.store.versionsOf('incoming/FR/empty.csv'))[0]?.status, 'accepted');
  const stored = await nilReturns.get(config.id, 1, 'FR');
  assert.equal(stored?.source, 'empty-upload');
  assert.equal(stored?.member, 'FR');

  // The same template again: the first nil return is kept.
  await handler(await upload('incoming/FR/empty again.csv', csv(), inPhase1 + 1000), context);
  assert.deepEqual(JSON.parse(await getText('feedback/FR/empty again.csv.report.json')).nilReturn, { phase: 1, created: false });
  assert.equal((await nilReturns.get(config.id, 1, 'FR'))?.recordedAt, stored?.recordedAt);

  // Outside every phase: no nil return, no field, still rejected ('no-rows'); a file with rows is never one.
  await handler(await upload('incoming/DE/empty.csv', csv(), Date.parse('2030-01-01T00:00:00Z')), context);
  const outside = JSON.parse(await getText('feedback/DE/empty.csv.report.json'));
  assert.equal(outside.nilReturn, undefined);
  assert.equal(outside.errors[0].code, 'no-rows');
  assert.equal((await deps.store.versionsOf('incoming/DE/empty.csv'))[0]?.status, 'rejected');
  await handler(await upload('incoming/DE/rows.csv', csv(line('DE', 'N', 1, 3)), inPhase1), context);
  assert.equal(JSON.parse(await getText('feedback/DE/rows.csv.report.json')).nilReturn, undefined);
  assert.deepEqual(
    (await nilReturns.list(config.id)).map((n) => [n.member, n.phase]),
    [['FR', 1]],
  );
});
