import { afterAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { LocalQueue, type Settled, type SqsLambda } from '../../../lib/local/queue.ts';
import { tempDir } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function queueWith(handler: SqsLambda, opts: { batchSize?: number; maxConcurrency?: number; dir?: string } = {}) {
  const { dir: given, ...rest } = opts;
  const dir = given ?? (await tempDir('queue-'));
  dirs.push(dir);
  const q = new LocalQueue({ dir: join(dir, 'q'), dlqDir: join(dir, 'dlq'), handler, visibilityTimeoutMs: 10, ...rest });
  const settled: Settled[] = [];
  q.on('settled', (s) => settled.push(s));
  return { q, dir, settled };
}

describe('local SQS queue', () => {
  test('a message whose handler throws twice is received a third time and then deleted', async () => {
    const counts: string[] = [];
    const { q, dir } = await queueWith(async (ev) => {
      counts.push(ev.Records[0]!.attributes.ApproximateReceiveCount);
      if (counts.length < 3) throw new Error('not yet');
      return { batchItemFailures: [] };
    });
    q.start();
    q.send('m1');
    await q.waitForIdle(5_000);
    await q.stop();
    assert.deepEqual(counts, ['1', '2', '3']);
    assert.deepEqual(q.deadLetters(), []);
    assert.deepEqual(await readdir(join(dir, 'q')), []);
  });

  test('a message that fails on every receive goes to the DLQ after the third, with its receive count', async () => {
    let calls = 0;
    const { q, settled } = await queueWith(async (ev) => {
      calls++;
      return { batchItemFailures: [{ itemIdentifier: ev.Records[0]!.messageId }] };
    });
    q.start();
    const sent = q.send('poison');
    await q.waitForIdle(5_000);
    await q.stop();
    assert.equal(calls, 3);
    const [dead] = q.deadLetters();
    assert.equal(dead?.messageId, sent.messageId);
    assert.equal(dead?.receiveCount, 3);
    assert.deepEqual(
      settled.map((s) => s.outcome),
      ['retry', 'retry', 'dead-lettered'],
    );
  });

  test('partial batch failures: only the reported messages come back', async () => {
    const seen: string[][] = [];
    const { q } = await queueWith(
      async (ev: SQSEvent) => {
        seen.push(ev.Records.map((r) => r.body));
        const failing = ev.Records.filter((r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { batchSize: 3, maxConcurrency: 1 },
    );
    for (const b of ['a', 'b', 'c']) q.send(b);
    q.start();
    await q.waitForIdle(5_000);
    await q.stop();
    assert.deepEqual(seen, [['a', 'b', 'c'], ['b']]);
  });

  test('an unknown item identifier fails the whole batch, as Lambda does', async () => {
    const seen: string[][] = [];
    const { q } = await queueWith(
      async (ev) => {
        seen.push(ev.Records.map((r) => r.body));
        return { batchItemFailures: seen.length === 1 ? [{ itemIdentifier: 'not-in-batch' }] : [] };
      },
      { batchSize: 2, maxConcurrency: 1 },
    );
    q.send('a');
    q.send('b');
    q.start();
    await q.waitForIdle(5_000);
    await q.stop();
    // Both messages come back: the whole batch failed. Their retries may land in one batch or two, as each
    // message's visibility timer ends on its own (a loaded machine can split them).
    assert.deepEqual(seen[0], ['a', 'b']);
    assert.deepEqual(seen.slice(1).flat().sort(), ['a', 'b']);
  });

  test('no more invocations at once than maxConcurrency', async () => {
    let running = 0;
    let most = 0;
    const { q } = await queueWith(
      async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return { batchItemFailures: [] };
      },
      { maxConcurrency: 3 },
    );
    for (let i = 0; i < 12; i++) q.send(`m${i}`);
    q.start();
    await q.waitForIdle(5_000);
    await q.stop();
    assert.equal(most, 3);
    assert.equal(q.invocations, 12);
  });

  test('messages and their receive counts survive the process: a new queue on the directory delivers them again', async () => {
    const first = await queueWith(async () => new Promise<never>(() => {})); // hangs: the "crash" comes mid-invocation
    first.q.send('survivor');
    first.q.start();
    await new Promise((r) => setTimeout(r, 50));
    await first.q.stop(0);
    const counts: string[] = [];
    const second = await queueWith(
      async (ev) => {
        counts.push(ev.Records[0]!.attributes.ApproximateReceiveCount);
        return { batchItemFailures: [] };
      },
      { dir: first.dir },
    );
    assert.deepEqual(
      second.q.messages().map((m) => m.body),
      ['survivor'],
    );
    second.q.start();
    await second.q.waitForIdle(5_000);
    await second.q.stop();
    assert.deepEqual(counts, ['2']);
  });
});
