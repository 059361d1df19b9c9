import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  checkNilReturn,
  NilReturnConflictError,
  nilReturnConflictMessage,
  NilReturnError,
  NilReturnStore,
} from '../../../../functions/core/operation/nil-return.ts';
import { phasePk } from '../../../../functions/core/store/keys.ts';
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

test('a nil return for a phase where the Member has seizure lines stored is refused (NilReturnConflictError), nothing written', async () => {
  const client = local.client();
  const tableName = await local.table();
  // A stored line of FR in phase 1, as the store keys it (byPhase: PHASE#{phase}#{member}).
  await DynamoDBDocumentClient.from(client).send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: 'CASE#FR#C-1', sk: 'LINE#000001', gsi1pk: phasePk(1, 'FR'), gsi1sk: 'C-1#000001', case_ref: 'C-1' },
    }),
  );
  const store = new NilReturnStore({ client, tableName });
  assert.equal(await store.hasLines(1, 'FR'), true);
  assert.equal(await store.hasLines(2, 'FR'), false);
  const refused = await store.record(CONFIG, { member: 'FR', phase: 1, source: 'portal' }).catch((e: unknown) => e);
  assert.ok(refused instanceof NilReturnConflictError, String(refused));
  assert.equal(NilReturnConflictError.code, 'phase-has-seizures');
  assert.deepEqual([refused.member, refused.phase], ['FR', 1]);
  assert.equal(await store.get('stop-ii', 1, 'FR'), undefined);
  // Another phase of the same Member, or another Member, is not concerned.
  assert.equal((await store.record(CONFIG, { member: 'FR', phase: 2, source: 'cli' })).created, true);
  assert.equal((await store.record(CONFIG, { member: 'DE', phase: 1, source: 'cli' })).created, true);
});

test('the refusal is said in the three languages, naming the phase', () => {
  assert.match(nilReturnConflictMessage('en', 2), /^Not recorded: seizures of your administration are already stored for phase\u00a02/);
  assert.match(nilReturnConflictMessage('fr', 2), /^Non enregistré : des saisies .* phase\u00a02/);
  assert.match(nilReturnConflictMessage('es', 2), /^No registrado: ya hay incautaciones .* fase\u00a02/);
});
