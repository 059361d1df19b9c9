import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SeizureStore } from '../../../../functions/core/store/store.ts';
import { line, submission, useDynalite } from './local-dynamo.ts';

const local = useDynalite();

const store = async (): Promise<SeizureStore> => new SeizureStore({ client: local.client(), tableName: await local.table() });

const fr1 = submission({ objectKey: 'incoming/FR/a.xlsx', versionId: 'v1', receivedAt: '2021-05-12T10:00:00.000Z' });
const fr2 = submission({ objectKey: 'incoming/FR/b.csv', versionId: 'v1', receivedAt: '2021-05-14T10:00:00.000Z' });
const fr3 = submission({ objectKey: 'incoming/FR/a.xlsx', versionId: 'v2', receivedAt: '2021-05-13T10:00:00.000Z' });
const de1 = submission({
  objectKey: 'incoming/DE/x.xlsx',
  member: 'DE',
  receivedAt: '2021-05-13T12:00:00.000Z',
  status: 'rejected',
  failure: { type: 'no_data_sheet', message: 'no sheet with seizures' },
  feedback: { json: 'feedback/DE/x.json', xlsx: 'feedback/DE/x.xlsx' },
  errorsByType: { missing_required: 2 },
});

test('getSubmission finds the submission of one object version, all fields intact', async () => {
  const s = await store();
  for (const x of [fr1, fr3, de1]) await s.putSubmission(x);
  assert.deepEqual(await s.getSubmission('incoming/FR/a.xlsx', 'v2'), fr3);
  assert.deepEqual(await s.getSubmission('incoming/FR/a.xlsx', 'v1'), fr1);
  assert.deepEqual(await s.getSubmission('incoming/DE/x.xlsx', 'v1'), de1);
});

test('getSubmission of an unknown version is undefined', async () => {
  const s = await store();
  await s.putSubmission(fr1);
  assert.equal(await s.getSubmission('incoming/FR/a.xlsx', 'v9'), undefined);
});

test('putSubmission replaces the submission of the same version', async () => {
  const s = await store();
  await s.putSubmission({ ...fr1, status: 'processing' });
  await s.putSubmission({ ...fr1, processedAt: '2021-05-12T10:00:05.000Z' });
  assert.deepEqual(await s.getSubmission(fr1.objectKey, fr1.versionId), {
    ...fr1,
    processedAt: '2021-05-12T10:00:05.000Z',
  });
  assert.equal((await s.listSubmissions()).length, 1);
});

test("listSubmissions of a Member gives that Member's submissions newest first", async () => {
  const s = await store();
  for (const x of [fr1, de1, fr2, fr3]) await s.putSubmission(x);
  assert.deepEqual(await s.listSubmissions({ member: 'FR' }), [fr2, fr3, fr1]);
  assert.deepEqual(await s.listSubmissions({ member: 'DE' }), [de1]);
  assert.deepEqual(await s.listSubmissions({ member: 'ES' }), []);
});

test('listSubmissions with a limit gives the newest ones', async () => {
  const s = await store();
  for (const x of [fr1, de1, fr2, fr3]) await s.putSubmission(x);
  assert.deepEqual(await s.listSubmissions({ member: 'FR', limit: 2 }), [fr2, fr3]);
  assert.deepEqual(await s.listSubmissions({ limit: 2 }), [fr2, de1]);
});

test('listSubmissions without a Member gives every Member, newest first, and no seizure lines', async () => {
  const s = await store();
  await s.applyUpload({ member: 'FR', objectKey: fr1.objectKey, versionId: 'v1', orderToken: fr1.orderToken }, [
    line({ case_ref: 'K', line_no: 1 }),
  ]);
  for (const x of [fr1, de1, fr2, fr3]) await s.putSubmission(x);
  assert.deepEqual(await s.listSubmissions(), [fr2, de1, fr3, fr1]);
});

test('receivedAt with an offset sorts by the instant it names', async () => {
  const s = await store();
  const early = submission({ versionId: 'a', receivedAt: '2021-05-12T11:30:00+02:00' }); // 09:30Z
  const late = submission({ versionId: 'b', receivedAt: '2021-05-12T10:00:00.000Z' });
  await s.putSubmission(late);
  await s.putSubmission(early);
  assert.deepEqual(await s.listSubmissions({ member: 'FR' }), [late, early]);
});
