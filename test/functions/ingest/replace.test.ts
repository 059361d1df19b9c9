/**
 * Replacement as the Member sees it (issue 10): a new version of a file withdraws the cases it no longer has, other
 * files replace only their own cases, versions of one file are ordered by S3's sequencer, and the feedback says what
 * was stored, replaced and withdrawn, naming the earlier files; the empty template is an accepted nil return.
 */
import '../../helpers/quiet.ts';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { buildTemplate } from '../../../functions/core/validation/template.ts';
import { NilReturnStore } from '../../../functions/core/operation/nil-return.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import type { SubmissionRecord } from '../../../functions/core/store/submission.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { collect } from '../core/store/local-dynamo.ts';
import { config, context, startIngestWorld, type IngestWorld } from './world.ts';

const HEADER = 'Reporting Member,Case reference,Line,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';
const line = (c: string, n: number, qty: number) => `FR,${c},${n},2021-06-15,Medicines,Ivermectin,${qty},Pieces,Air cargo,Falsified`;
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

let w: IngestWorld;
beforeAll(async () => {
  w = await startIngestWorld('replace');
});
afterAll(async () => {
  await w.close();
});

const summaryOf = async (key: string): Promise<string[]> => {
  const wb = await w.getWorkbook(key);
  const sheet = wb.worksheets.find((s) => ['Summary', 'Résumé', 'Resumen'].includes(s.name));
  const out: string[] = [];
  sheet?.eachRow((row) => out.push(String(row.getCell(1).value)));
  return out;
};

test('a new version of a file, with an earlier event time but a later sequencer, withdraws the cases it no longer has', async () => {
  const { handler, store } = await w.world();
  const t = Date.parse('2021-06-20T10:00:05Z');
  await handler(
    await w.upload('incoming/FR/week.csv', csv(line('W', 1, 5), line('X', 1, 6), line('Y', 1, 7), line('Y', 2, 8)), {
      at: t,
      sequencer: '00000000000000A0',
    }),
    context,
  );
  // S3 gave the second version the earlier event time: only the sequencer orders versions of one key.
  const second = await w.upload('incoming/FR/week.csv', csv(line('W', 1, 50)), { at: t - 1000, sequencer: '00000000000000B0' });
  assert.deepEqual(await handler(second, context), { batchItemFailures: [] });
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => [l.case_ref, l.quantity]),
    [['W', 50]],
  );
  const latest = (await store.versionsOf('incoming/FR/week.csv')).find((v) => v.versionId === 'seq:00000000000000B0')!;
  assert.equal(latest.status, 'accepted');
  assert.deepEqual(latest.stored, {
    written: 1,
    withdrawn: 3,
    supersededCases: 0,
    storedCases: 1,
    replacedCases: 1,
    withdrawnCases: 2,
    replacedFiles: [{ file: 'week.csv', receivedAt: new Date(t).toISOString() }],
  });
  // Its feedback is at the usual keys (it is the newer version), and says so.
  assert.deepEqual(latest.feedback.json, 'feedback/FR/week.csv.report.json');
  const report = JSON.parse(await w.getText('feedback/FR/week.csv.report.json'));
  assert.deepEqual(report.stored, latest.stored);
  assert.deepEqual(await summaryOf('feedback/FR/week.csv.report.xlsx'), [
    'Stored: 1 case, 1 line.',
    "Replaced: 1 case an earlier upload had sent; this file's lines now stand for it.",
    'Withdrawn: 2 cases that an earlier version of this file had and this one no longer has; 3 earlier lines removed in all.',
    'Earlier files replaced:',
    '  - week.csv (2021-06-20 10:00 UTC)',
  ]);
});

test('another file replaces only the cases it contains and names the file it replaced', async () => {
  const { handler, store } = await w.world();
  await handler(await w.upload('incoming/FR/a.csv', csv(line('A', 1, 1), line('B', 1, 1))), context);
  await handler(await w.upload('incoming/FR/b.csv', csv(line('B', 1, 2), line('C', 1, 2))), context);
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => [l.case_ref, l.quantity]),
    [
      ['A', 1],
      ['B', 2],
      ['C', 2],
    ],
  );
  const report = JSON.parse(await w.getText('feedback/FR/b.csv.report.json'));
  assert.equal(report.stored.storedCases, 2);
  assert.equal(report.stored.replacedCases, 1);
  assert.equal(report.stored.withdrawnCases, 0);
  assert.deepEqual(
    report.stored.replacedFiles.map((f: { file: string }) => f.file),
    ['a.csv'],
  );
});

test('the empty template is accepted as the nil return, and its feedback says so in the Member’s language', async () => {
  const { deps, store, tableName } = await w.world();
  const nil = new NilReturnStore({ client: w.dyn.client(), tableName });
  const handler = createIngestHandler({ ...deps, nilReturns: nil });
  const template = Buffer.from(await buildTemplate(config, 'fr').xlsx.writeBuffer());
  await handler(await w.upload('incoming/FR/rien.xlsx', template, { at: Date.parse('2021-06-15T10:00:00Z') }), context);
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'accepted');
  assert.deepEqual(sub!.nilReturn, { phase: 1, created: true });
  const report = JSON.parse(await w.getText('feedback/FR/rien.xlsx.report.json'));
  assert.equal(report.valid, true);
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.nilReturn, { phase: 1, created: true });
  assert.equal(report.warnings[0].code, 'nil-return');
  assert.deepEqual(await summaryOf('feedback/FR/rien.xlsx.report.xlsx'), [
    'Rien à signaler pour cette phase (phase 1) : enregistré comme votre déclaration néant pour cette phase.',
  ]);
  assert.equal((await nil.get(config.id, 1, 'FR'))?.source, 'empty-upload');
});

test('the empty template is NOT a nil return when the Member has seizures stored for the phase: rejected, and told why', async () => {
  const { deps, store, tableName } = await w.world();
  const nil = new NilReturnStore({ client: w.dyn.client(), tableName });
  const handler = createIngestHandler({ ...deps, nilReturns: nil });
  const at = Date.parse('2021-06-15T10:00:00Z');
  await handler(await w.upload('incoming/FR/data.csv', csv(line('A', 1, 1)), { at }), context);
  const template = Buffer.from(await buildTemplate(config, 'fr').xlsx.writeBuffer());
  await handler(await w.upload('incoming/FR/rien.xlsx', template, { at: at + 60_000 }), context);
  const sub = (await store.listSubmissions({ member: 'FR' })).find((s) => s.objectKey === 'incoming/FR/rien.xlsx')!;
  assert.equal(sub.status, 'rejected');
  assert.equal(sub.nilReturn, undefined);
  const report = JSON.parse(await w.getText('feedback/FR/rien.xlsx.report.json'));
  assert.deepEqual(
    report.errors.map((e: { code: string }) => e.code),
    ['no-rows'],
  );
  assert.equal(report.warnings[0].code, 'nil-return');
  assert.equal(report.warnings[0].params.created, 'refused');
  assert.match(report.warnings[0].message, /^Ce fichier vide n'a pas été enregistré comme « rien à signaler » pour la phase 1/);
  assert.equal(await nil.get(config.id, 1, 'FR'), undefined);
});

test('a case the new version still has on an invalid row is not withdrawn (case refs compared trimmed and NFC)', async () => {
  const { handler, store } = await w.world();
  const at = Date.parse('2021-06-16T10:00:00Z');
  const key = 'incoming/FR/typo.csv';
  await handler(await w.upload(key, csv(line('W', 1, 5), line('Café', 1, 6), line('Café', 2, 7), line('Z', 1, 8)), { at }), context);
  // V2: Café's second row has a typo (its quantity), and its reference is typed decomposed with spaces around it; Z is gone.
  const typo = line(' Cafe\u0301 ', 2, 7).replace(',7,', ',seven,');
  await handler(await w.upload(key, csv(line('W', 1, 50), typo), { at: at + 60_000 }), context);
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => [l.case_ref, l.line_no, l.quantity]),
    [
      ['Café', 1, 6],
      ['Café', 2, 7],
      ['W', 1, 50],
    ],
  );
  const v2 = (await store.listSubmissions({ member: 'FR' }))[0]!;
  assert.equal(v2.status, 'accepted_with_errors');
  assert.equal(v2.stored.withdrawnCases, 1); // Z only
  assert.equal(v2.stored.withdrawn, 1);
});

test('the empty template under the key of a data file is a nil return that keeps the earlier cases, and says so', async () => {
  const { deps, store, tableName } = await w.world();
  const handler = createIngestHandler({ ...deps, nilReturns: new NilReturnStore({ client: w.dyn.client(), tableName }) });
  const key = 'incoming/FR/semaine.csv';
  await handler(await w.upload(key, csv(line('A', 1, 3)), { at: Date.parse('2021-06-16T10:00:00Z') }), context);
  // Sent in phase 2: the earlier version's cases are phase 1's, so nothing contradicts "nothing to report" for phase 2.
  await handler(await w.upload(key, `${HEADER}\n`, { at: Date.parse('2021-10-17T10:00:00Z') }), context);
  const report = JSON.parse(await w.getText('feedback/FR/semaine.csv.report.json'));
  assert.deepEqual(report.nilReturn, { phase: 2, created: true });
  assert.equal(
    report.warnings[0].message,
    'Nothing to report this phase (phase 2): recorded as your nil return for this phase. ' +
      'The cases an earlier version of this file sent stay stored: an empty file withdraws nothing. If they should be withdrawn, tell the analysts.',
  );
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => [l.case_ref, l.quantity]),
    [['A', 3]],
  );
});

test('a version that stored and crashed before its final record reports the same counts on its rerun, after a newer version', async () => {
  const { deps, tableName } = await w.world();
  let crashes = 1;
  class CrashingStore extends SeizureStore {
    override async putSubmission(s: SubmissionRecord): Promise<void> {
      if (s.versionId === 'seq:0000000000000020' && s.status === 'accepted' && crashes-- > 0) throw new Error('Lambda crashed');
      return super.putSubmission(s);
    }
  }
  const store = new CrashingStore({ client: w.dyn.client(), tableName });
  const handler = createIngestHandler({ ...deps, store });
  const key = 'incoming/FR/rerun.csv';
  const at = Date.parse('2021-06-16T10:00:00Z');
  await handler(await w.upload(key, csv(line('A', 1, 1), line('B', 1, 1)), { at, sequencer: '0000000000000010' }), context);
  const v2 = await w.upload(key, csv(line('A', 1, 2)), { at: at + 1000, sequencer: '0000000000000020' });
  assert.equal((await handler(v2, context)).batchItemFailures.length, 1);
  const first = (await store.getSubmission(key, 'seq:0000000000000020'))!;
  assert.deepEqual([first.stored.storedCases, first.stored.withdrawnCases], [1, 1]);
  await handler(await w.upload(key, csv(line('A', 1, 3), line('C', 1, 3)), { at: at + 2000, sequencer: '0000000000000030' }), context);
  assert.deepEqual(await handler(v2, context), { batchItemFailures: [] });
  const rerun = (await store.getSubmission(key, 'seq:0000000000000020'))!;
  assert.equal(rerun.status, 'accepted');
  assert.deepEqual(rerun.stored, first.stored);
  assert.equal(rerun.applied, undefined);
  assert.deepEqual(
    (await collect(store.linesOf(1, 'FR'))).map((l) => [l.case_ref, l.quantity]),
    [
      ['A', 3],
      ['C', 3],
    ],
  );
});
