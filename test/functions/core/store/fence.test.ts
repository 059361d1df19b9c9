/**
 * Fencing the lease (fence.ts): line writes make one SDK attempt per call, each after the lease check, and are
 * abandoned after a request timeout; and the reader that counts lines (headed.ts) sees only those their case's head
 * names, so a late write of a lapsed holder (the partition scenario) is never counted.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { lineage } from '../../../../functions/core/portal/lineage.ts';
import { documentClient, resolvePolicy, UnprocessedItemsError, writeAll } from '../../../../functions/core/store/batch.ts';
import { lineWriteTimeoutMs } from '../../../../functions/core/store/fence.ts';
import { HeadedLineReader } from '../../../../functions/core/store/headed.ts';
import * as keys from '../../../../functions/core/store/keys.ts';
import { SeizureStore } from '../../../../functions/core/store/store.ts';
import { CONFIG } from '../phase/fixtures.ts';
import { collect, line, noSleep, upload, useDynalite } from './local-dynamo.ts';

const local = useDynalite();

const V1 = upload('v1', '2021-05-12T10:00:00.000Z#0001');
const V2 = upload('v2', '2021-05-13T09:00:00.000Z#0002');

/**
 * v1 holds case K with lines 1 and 2; the partition: v1's lease lapses mid-write; v2 (newer) takes the Member's lease
 * and stores K with line 1 only, deleting line 2; then v1's BatchWriteItem that was on the wire lands, re-creating
 * line 2 as v1 wrote it and overwriting line 1. J (v1's, never replaced) is the one line of phase 1 a head names.
 */
async function partition() {
  const tableName = await local.table();
  const client = local.client();
  const store = new SeizureStore({ client, tableName, sleep: noSleep });
  await store.applyUpload(V1, [
    line({ case_ref: 'K', line_no: 1 }),
    line({ case_ref: 'K', line_no: 2 }),
    line({ case_ref: 'J', line_no: 1 }),
  ]);
  await store.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 7 })]);
  const doc = documentClient(client);
  for (const n of [1, 2]) {
    const r = line({ case_ref: 'K', line_no: n });
    await doc.send(
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
  return { tableName, client, store };
}

describe('the partition scenario: a lapsed holder writes late', () => {
  test('a line re-created after the next upload deleted it is in the index, and is not counted', async () => {
    const { tableName, client, store } = await partition();
    const all = await collect(store.linesOf(1, 'FR'));
    assert.deepEqual(
      all.map((l) => [l.case_ref, l.line_no]),
      [
        ['J', 1],
        ['K', 1],
        ['K', 2],
      ],
      'the index holds the orphan',
    );
    const reader = new HeadedLineReader({ client, tableName, sleep: noSleep });
    // J (v1's, never replaced) counts; K's line 2 is named by no head; K's line 1 carries v1's token, not its owner's.
    // The same through a session (the phase close's slices), which keeps the shards it read.
    for (const source of [reader, reader.session()]) {
      const counted = await collect(source.linesOf(1, 'FR'));
      assert.deepEqual(
        counted.map((l) => [l.case_ref, l.line_no]),
        [['J', 1]],
      );
    }
    // v2 stores K again (a rerun, as SQS would redeliver it): its lines count again.
    await store.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 7 })]);
    const after = await collect(reader.linesOf(1, 'FR'));
    assert.deepEqual(
      after.map((l) => [l.case_ref, l.line_no]),
      [
        ['J', 1],
        ['K', 1],
      ],
    );
    assert.equal(after.find((l) => l.case_ref === 'K')!.quantity, 7);
  });

  test("portal lineage lists and counts the lines the phase close counts, not the index's orphans", async () => {
    const { tableName, client } = await partition();
    const answer = await lineage(
      { dynamo: client, tableName, config: CONFIG },
      { phase: '1', dimension: 'product', key: 'paracetamol', member: 'FR' },
    );
    assert.equal(answer.total, 1);
    assert.deepEqual(
      answer.lines.map((l) => [l.caseRef, l.lineNo, l.objectKey, l.versionId]),
      [['J', 1, V1.objectKey, V1.versionId]],
    );
  });

  test('lines an upload stores in the usual way are all counted', async () => {
    const tableName = await local.table();
    const client = local.client();
    const store = new SeizureStore({ client, tableName, sleep: noSleep });
    const lines = Array.from({ length: 60 }, (_, i) => line({ case_ref: `C${i % 23}`, line_no: Math.floor(i / 23) + 1 }));
    await store.applyUpload(V1, lines);
    const reader = new HeadedLineReader({ client, tableName, sleep: noSleep });
    assert.equal((await collect(reader.linesOf(1, 'FR'))).length, 60);
    assert.equal((await collect(reader.linesOf(2, 'FR'))).length, 0);
  });
});

describe('line writes: one attempt per call, each after the lease check, with a request timeout', () => {
  let server: Server;
  let requests = 0;
  let mode: 'error' | 'hang' = 'error';
  let endpoint = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      if (mode === 'hang') return; // never answers
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InternalServerError' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = () =>
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 3 });
  const put = [{ PutRequest: { Item: { pk: 'p', sk: 's' } } }];

  test('every request that reaches the table was preceded by a lease check (the SDK does not retry on its own)', async () => {
    mode = 'error';
    requests = 0;
    let checks = 0;
    const o = {
      ...resolvePolicy({ maxAttempts: 3, sleep: noSleep }),
      doc: documentClient(client()),
      tableName: 't',
      concurrency: 1,
      guard: () => void checks++,
    };
    await assert.rejects(writeAll({ ...o, singleAttempt: true }, put), UnprocessedItemsError);
    assert.equal(requests, 3);
    assert.equal(checks, 3);
    // The same client without the fence: the SDK's own retries go out unchecked.
    requests = 0;
    checks = 0;
    await assert.rejects(writeAll(o, put));
    assert.ok(requests > checks, `${requests} requests for ${checks} checks`);
  });

  test('a write that does not answer is abandoned after the timeout and retried after a fresh check', async () => {
    mode = 'hang';
    requests = 0;
    let checks = 0;
    const o = {
      ...resolvePolicy({ maxAttempts: 2, sleep: noSleep }),
      doc: documentClient(client()),
      tableName: 't',
      concurrency: 1,
      guard: () => void checks++,
    };
    await assert.rejects(writeAll({ ...o, singleAttempt: true, requestTimeoutMs: 100 }, put), UnprocessedItemsError);
    assert.equal(checks, 2);
    assert.equal(requests, 2);
  });

  test('the default timeout is well under the quarter of the lease a check leaves', () => {
    assert.equal(lineWriteTimeoutMs(60_000), 5_000);
    assert.ok(lineWriteTimeoutMs(60_000) < 60_000 / 4);
  });
});
