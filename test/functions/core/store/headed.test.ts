/**
 * The bulk fenced reader (headed.ts): every headed line in index order, head shards read with
 * BatchGetItem and once per session, UnprocessedKeys retried. Orphans never counted: fence.test.ts (the partition).
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { HeadedLineReader } from '../../../../functions/core/store/headed.ts';
import * as keys from '../../../../functions/core/store/keys.ts';
import { SeizureStore } from '../../../../functions/core/store/store.ts';
import { collect, injectFaults, manyLines, noSleep, upload, useDynalite } from './local-dynamo.ts';

const local = useDynalite();

const V1 = upload('v1', '2021-05-12T10:00:00.000Z#0001');

describe('the bulk fenced reader', () => {
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
