import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  UnprocessedItemsError,
  UnprocessedKeysError,
  batchGet,
  batchWrite,
  documentClient,
  resolvePolicy,
  type WriteRequest,
} from '../../../../functions/core/store/batch.ts';
import { injectFaults, noSleep, scanAll, useDynalite } from './local-dynamo.ts';

const local = useDynalite();

const puts = (n: number): WriteRequest[] =>
  Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { pk: `P#${i}`, sk: 'S', n: i } } }));
const throttled = (): Error => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

test('all items are written when every other call leaves some unprocessed', async () => {
  const tableName = await local.table();
  const client = local.client();
  const log = injectFaults(client, (c) => (c.command === 'BatchWriteItemCommand' && c.n % 2 === 1 ? { keep: 10 } : undefined));
  const written = await batchWrite({ client, tableName, sleep: noSleep }, puts(100));
  assert.equal(written, 100);
  assert.equal((await scanAll(client, tableName)).length, 100);
  assert.ok(log.count('BatchWriteItemCommand') > 4, 'the unprocessed remainders were sent again');
});

test('throttled calls are retried after full-jitter delays under an exponentially growing cap', async () => {
  const tableName = await local.table();
  const client = local.client();
  injectFaults(client, (c) => (c.command === 'BatchWriteItemCommand' && c.n <= 4 ? { throw: throttled() } : undefined));
  const delays: number[] = [];
  const draws = [0.5, 0.9, 0.1, 0.75];
  let d = 0;
  await batchWrite(
    {
      client,
      tableName,
      baseDelayMs: 100,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => draws[d++]!,
    },
    puts(5),
  );
  // caps 100, 200, 400, 800 ms; each delay is the random draw times its cap
  assert.deepEqual(delays, [50, 180, 40, 600]);
  assert.equal((await scanAll(client, tableName)).length, 5);
});

test('with real randomness every delay stays below its doubling cap', async () => {
  const tableName = await local.table();
  const client = local.client();
  injectFaults(client, (c) => (c.command === 'BatchWriteItemCommand' && c.n <= 6 ? { throw: throttled() } : undefined));
  const delays: number[] = [];
  await batchWrite({ client, tableName, baseDelayMs: 1000, sleep: async (ms) => void delays.push(ms) }, puts(1));
  assert.equal(delays.length, 6);
  delays.forEach((ms, i) => assert.ok(ms >= 0 && ms < 1000 * 2 ** i, `delay ${i} = ${ms}`));
  assert.ok(new Set(delays.map((ms, i) => ms / 2 ** i)).size > 1, 'the delays are jittered, not fixed');
});

test('a 5xx error is retried', async () => {
  const tableName = await local.table();
  const client = local.client();
  injectFaults(client, (c) =>
    c.command === 'BatchWriteItemCommand' && c.n === 1
      ? { throw: new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } }) }
      : undefined,
  );
  assert.equal(await batchWrite({ client, tableName, sleep: noSleep }, puts(3)), 3);
  assert.equal((await scanAll(client, tableName)).length, 3);
});

test('items still unprocessed after the budget raise UnprocessedItemsError with their count', async () => {
  const tableName = await local.table();
  const client = local.client();
  const log = injectFaults(client, (c) => (c.command === 'BatchWriteItemCommand' ? { keep: 0 } : undefined));
  await assert.rejects(
    batchWrite({ client, tableName, maxAttempts: 3, sleep: noSleep }, puts(7)),
    (e: unknown) => e instanceof UnprocessedItemsError && e.name === 'UnprocessedItemsError' && e.count === 7,
  );
  assert.equal(log.count('BatchWriteItemCommand'), 3);
});

test('throttling beyond the budget also raises UnprocessedItemsError, with the throttle as cause', async () => {
  const tableName = await local.table();
  const client = local.client();
  injectFaults(client, (c) => (c.command === 'BatchWriteItemCommand' ? { throw: throttled() } : undefined));
  await assert.rejects(
    batchWrite({ client, tableName, maxAttempts: 2, sleep: noSleep }, puts(4)),
    (e: unknown) =>
      e instanceof UnprocessedItemsError && e.count === 4 && (e.cause as Error).name === 'ProvisionedThroughputExceededException',
  );
});

test('a non-retryable error is thrown at once, without retries', async () => {
  const tableName = await local.table();
  const client = local.client();
  const log = injectFaults(client, () => undefined);
  const bad: WriteRequest[] = [{ PutRequest: { Item: { pk: 'only a partition key' } } }];
  await assert.rejects(batchWrite({ client, tableName, sleep: noSleep }, bad), { name: 'ValidationException' });
  assert.equal(log.count('BatchWriteItemCommand'), 1);
});

test('no more than `concurrency` calls are in flight, and batches hold at most 25 requests', async () => {
  const tableName = await local.table();
  const client = local.client();
  const log = injectFaults(client, () => undefined);
  await batchWrite({ client, tableName, concurrency: 3 }, puts(500));
  assert.equal(log.count('BatchWriteItemCommand'), 20);
  assert.equal(log.maxInFlight, 3);
  assert.equal((await scanAll(client, tableName)).length, 500);
});

describe('batchGet', () => {
  const fixture = async (rule: Parameters<typeof injectFaults>[1], maxAttempts = 8) => {
    const tableName = await local.table();
    const client = local.client();
    await batchWrite({ client, tableName, sleep: noSleep }, puts(5));
    const log = injectFaults(client, rule);
    const delays: number[] = [];
    let checks = 0;
    const o = {
      ...resolvePolicy({ maxAttempts, sleep: async (ms) => void delays.push(ms), random: () => 0.5 }),
      doc: documentClient(client),
      tableName,
      concurrency: 1,
      guard: () => void checks++,
    };
    const keys = Array.from({ length: 5 }, (_, i) => ({ pk: `P#${i}`, sk: 'S' }));
    return { log, delays, checks: () => checks, read: () => batchGet(o, keys, true) };
  };

  test('reads unprocessed keys again: at once after a call that returned items, after a backoff after one that returned none', async () => {
    const f = await fixture((c) =>
      c.command !== 'BatchGetItemCommand' ? undefined : c.n === 1 ? { keep: 2 } : c.n === 2 ? { keep: 0 } : undefined,
    );
    const items = await f.read();
    assert.deepEqual(items.map((i) => i['n']).sort(), [0, 1, 2, 3, 4]);
    assert.equal(f.log.count('BatchGetItemCommand'), 3);
    assert.deepEqual(f.delays, [50]); // only after the empty second call (retry 1: cap 100 ms, draw 0.5)
    assert.equal(f.checks(), 3, 'the guard runs before every call');
  });

  test('keys still unread after the budget raise UnprocessedKeysError with their count', async () => {
    const f = await fixture((c) => (c.command === 'BatchGetItemCommand' ? { keep: 0 } : undefined), 3);
    await assert.rejects(f.read(), (e: unknown) => e instanceof UnprocessedKeysError && e.count === 5);
    assert.equal(f.log.count('BatchGetItemCommand'), 3);
  });
});
