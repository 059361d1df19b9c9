/**
 * The bulk fenced reader (headed.ts): every headed line in index order, orphans never counted, head shards read with
 * BatchGetItem and once per session, UnprocessedKeys retried.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../../../functions/core/store/batch.ts';
import { HeadedLineReader } from '../../../../functions/core/store/headed.ts';
import * as keys from '../../../../functions/core/store/keys.ts';
import { SeizureStore } from '../../../../functions/core/store/store.ts';
import { collect, injectFaults, line, manyLines, noSleep, upload, useDynalite } from './local-dynamo.ts';

const local = useDynalite();

const V1 = upload('v1', '2021-05-12T10:00:00.000Z#0001');
const V2 = upload('v2', '2021-05-13T09:00:00.000Z#0002');

describe('the bulk fenced reader', () => {
  test('the partition scenario: a line re-created late, which no head names, is not counted', async () => {
    const tableName = await local.table();
    const client = local.client();
    const store = new SeizureStore({ client, tableName, sleep: noSleep });
    await store.applyUpload(V1, [
      line({ case_ref: 'K', line_no: 1 }),
      line({ case_ref: 'K', line_no: 2 }),
      line({ case_ref: 'J', line_no: 1 }),
    ]);
    await store.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 7 })]);
    // v1's write that was on the wire lands now: line 2 re-created, line 1 overwritten with v1's token.
    for (const n of [1, 2]) {
      const r = line({ case_ref: 'K', line_no: n });
      await documentClient(client).send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...r,
            pk: keys.casePk('FR', 'K'),
            sk: keys.lineSk(n),
            gsi1pk: keys.phasePk(r.phase, 'FR'),
            gsi1sk: keys.phaseSk('K', n),
            orderToken: V1.orderToken,
            objectKey: V1.objectKey,
            versionId: V1.versionId,
          },
        }),
      );
    }
    const reader = new HeadedLineReader({ client, tableName, sleep: noSleep });
    for (const source of [reader, reader.session()]) {
      const counted = await collect(source.linesOf(1, 'FR'));
      assert.deepEqual(
        counted.map((l) => [l.case_ref, l.line_no]),
        [['J', 1]],
      );
    }
    await store.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 7 })]);
    const after = await collect(reader.linesOf(1, 'FR'));
    assert.deepEqual(
      after.map((l) => [l.case_ref, l.line_no, l.quantity]),
      [
        ['J', 1, 100],
        ['K', 1, 7],
      ],
    );
  });

  test('gives every line an upload stored, in index order, reading each shard once per session with BatchGetItem', async () => {
    const tableName = await local.table();
    const client = local.client();
    const store = new SeizureStore({ client, tableName, sleep: noSleep });
    // 700 cases over the 256 shards, in two phases; a few more pages than one (the test's page size is DynamoDB's 1 MB).
    const phase1 = manyLines(400, 2);
    const phase2 = manyLines(300, 1, { phase: 2, seizure_date: '2021-07-10' }).map((l) => ({ ...l, case_ref: `P2-${l.case_ref}` }));
    await store.applyUpload(V1, [...phase1, ...phase2]);
    const reading = local.client();
    const log = injectFaults(reading, () => undefined);
    const session = new HeadedLineReader({ client: reading, tableName, sleep: noSleep }).session();
    const [p1, p2] = await Promise.all([collect(session.linesOf(1, 'FR')), collect(session.linesOf(2, 'FR'))]);
    // manyLines gives the lines in (case_ref, line_no) order: the byPhase index's.
    assert.deepEqual(p1, phase1);
    assert.deepEqual(p2, phase2);
    assert.deepEqual((await collect(session.pagesOf(1, 'FR'))).flat(), p1);
    assert.equal(log.count('GetItemCommand'), 0);
    const shardKeys = log.calls
      .filter((c) => c.command === 'BatchGetItemCommand')
      .flatMap((c) => Object.values(c.input['RequestItems'] as Record<string, { Keys: { pk: string }[]; ConsistentRead: boolean }>))
      .flatMap((r) => {
        assert.equal(r.ConsistentRead, true);
        return r.Keys.map((k) => k.pk);
      });
    assert.equal(new Set(shardKeys).size, shardKeys.length, 'no shard is read twice in a session');
    assert.ok(shardKeys.length <= keys.HEAD_SHARDS);
  });

  test('UnprocessedKeys are read again', async () => {
    const tableName = await local.table();
    const store = new SeizureStore({ client: local.client(), tableName, sleep: noSleep });
    await store.applyUpload(V1, manyLines(120, 1));
    const reading = local.client();
    const log = injectFaults(reading, (c) => (c.command === 'BatchGetItemCommand' && c.n === 1 ? { keep: 10 } : undefined));
    const lines = await collect(new HeadedLineReader({ client: reading, tableName, sleep: noSleep }).linesOf(1, 'FR'));
    assert.equal(lines.length, 120);
    assert.ok(log.count('BatchGetItemCommand') >= 2);
  });
});
