import { test } from 'vitest';
import assert from 'node:assert/strict';
import { checkNilReturn, NilReturnError, NilReturnStore } from '../../../../functions/core/operation/nil-return.ts';
import { useDynalite } from '../store/local-dynamo.ts';
import { CONFIG } from '../phase/fixtures.ts';

const local = useDynalite();

test('a nil return is recorded once; a repeat keeps the first and says so', async () => {
  let now = new Date('2021-08-23T09:00:00Z');
  const store = new NilReturnStore({ client: local.client(), tableName: await local.table(), now: () => now });
  const first = await store.record(CONFIG, { member: 'NL', phase: 2, source: 'cli', by: 'officer' });
  assert.equal(first.created, true);
  assert.deepEqual(first.nilReturn, {
    operation: 'stop-ii',
    phase: 2,
    member: 'NL',
    recordedAt: '2021-08-23T09:00:00.000Z',
    source: 'cli',
    by: 'officer',
  });
  now = new Date('2021-08-24T09:00:00Z');
  const again = await store.record(CONFIG, { member: 'NL', phase: 2, source: 'portal' });
  assert.equal(again.created, false);
  assert.equal(again.nilReturn.recordedAt, '2021-08-23T09:00:00.000Z');
  await store.record(CONFIG, { member: 'DE', phase: 1, source: 'empty-upload' });
  assert.deepEqual(
    (await store.list('stop-ii')).map((n) => [n.phase, n.member]),
    [
      [1, 'DE'],
      [2, 'NL'],
    ],
  );
  assert.deepEqual(
    (await store.list('stop-ii', 2)).map((n) => n.member),
    ['NL'],
  );
  assert.equal((await store.get('stop-ii', 2, 'NL'))?.source, 'cli');
  assert.equal(await store.get('stop-ii', 1, 'NL'), undefined);
});

test('a nil return of a Member or phase outside the operation is a NilReturnError, and nothing is written', async () => {
  const store = new NilReturnStore({ client: local.client(), tableName: await local.table() });
  await assert.rejects(store.record(CONFIG, { member: 'US', phase: 2, source: 'cli' }), NilReturnError);
  await assert.rejects(store.record(CONFIG, { member: 'FR', phase: 9, source: 'cli' }), /not a phase of stop-ii/);
  assert.throws(() => checkNilReturn(CONFIG, { member: 'FR', phase: 1, source: 'fax' as 'cli' }), NilReturnError);
  assert.deepEqual(await store.list('stop-ii'), []);
});
