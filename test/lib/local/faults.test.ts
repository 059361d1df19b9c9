/**
 * Failures on the local cloud behave as on AWS: SQS redelivers, the third failure sends the message to the DLQ, the
 * handler's partial batch response is honoured. Faults are injected around the real handler (a crash before it
 * runs) or inside the real app code (an S3 dependency that refuses HeadObject).
 */
import './quiet.ts';
import { afterAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { uploadsFromSqsBody } from '../../../functions/ingest/event.ts';
import type { CloudTarget } from '../../../bin/cli/cloud.ts';
import { progress } from '../../../bin/cli/progress.ts';
import { describe as describeOutcome, waitForSubmission } from '../../../bin/cli/upload.ts';
import type { LocalCloudOptions, SqsLambda } from '../../../lib/local/index.ts';
import { countLines, csv, etagOf, getText, submissionsOf, tempDir, testCloud, type TestCloud } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** Makes HeadObject of the keys in `failing` throw, as an S3 outage or a missing permission would. */
function refuseHead(s3: S3Client, failing: Set<string>): S3Client {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key;
      if (context.commandName === 'HeadObjectCommand' && key && failing.has(key)) {
        throw Object.assign(new Error(`injected: S3 refuses HeadObject of ${key}`), { name: 'InjectedS3Failure' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectHeadFailure' },
  );
  return s3;
}

const keysOf = (event: Parameters<SqsLambda>[0]) => event.Records.flatMap((r) => uploadsFromSqsBody(r.body).map((u) => u.key));

/** A cloud whose handler crashes before the real one runs for `crashTwice` (first two receives), and whose S3 refuses HeadObject for `refused`. */
function faulty(crashTwice: Set<string>, refused: Set<string>, calls: Map<string, number>): LocalCloudOptions['ingestHandler'] {
  return (real, { deps }) => {
    const broken = createIngestHandler({ ...deps, s3: refuseHead(deps.s3, refused) });
    return async (event, context) => {
      const keys = keysOf(event);
      for (const k of keys) calls.set(k, (calls.get(k) ?? 0) + 1);
      if (keys.some((k) => crashTwice.has(k) && calls.get(k)! <= 2)) throw new Error('injected: the function crashed');
      return keys.some((k) => refused.has(k)) ? broken(event, context) : real(event, context);
    };
  };
}

describe('local cloud under failures', () => {
  const clouds: TestCloud[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const c of clouds) await c.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('a handler that throws on its first two attempts succeeds on the third: one submission, rows stored once', async () => {
    const calls = new Map<string, number>();
    const key = 'incoming/FR/flaky.csv';
    const t = await testCloud({ ingestHandler: faulty(new Set([key]), new Set(), calls) });
    clouds.push(t);
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: key, Body: csv('FR', 5) }));
    await t.cloud.waitForIdle();
    assert.equal(calls.get(key), 3);
    const subs = await submissionsOf(t.store, key);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.status, 'accepted');
    assert.equal(subs[0]!.stored.written, 5);
    assert.equal(await countLines(t.store, 1, 'FR'), 5);
    assert.deepEqual(t.cloud.queue.deadLetters(), []);
  });

  test('a handler that always throws ends in the DLQ after 3 receives, with a failed submission record and the object untouched', async () => {
    const calls = new Map<string, number>();
    const key = 'incoming/DZ/poison.csv';
    const body = csv('DZ', 4);
    const t = await testCloud({ ingestHandler: faulty(new Set(), new Set([key]), calls) });
    clouds.push(t);
    const started = Date.now();
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: key, Body: body }));
    const etag = await etagOf(t.s3, t.cloud.bucket, key);
    await t.cloud.waitForIdle();
    assert.equal(calls.get(key), 3);
    const dead = t.cloud.queue.deadLetters();
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.receiveCount, 3);
    assert.deepEqual(uploadsFromSqsBody(dead[0]!.body).map((u) => u.key), [key]);
    const subs = await submissionsOf(t.store, key);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.status, 'failed');
    assert.equal(subs[0]!.failure?.type, 'InjectedS3Failure');
    assert.equal(await etagOf(t.s3, t.cloud.bucket, key), etag);
    assert.equal(await getText(t.s3, t.cloud.bucket, key), body);
    assert.equal(await countLines(t.store, 1, 'DZ'), 0);

    // `seizures upload` stops waiting once the message is a dead letter, and says so.
    const target: CloudTarget = {
      kind: 'local',
      where: 'the test cloud',
      s3: t.s3,
      store: t.store,
      bucket: t.cloud.bucket,
      tableName: t.cloud.tableName,
      local: {
        endpoints: t.cloud.endpoints,
        mailViewer: t.cloud.mailViewer,
        dataDir: t.cloud.dataDir,
        lasting: false,
        pendingUploads: 0,
        deadLetters: () => t.cloud.queue.deadLetters(),
      },
      close: async () => {},
    };
    const outcome = await waitForSubmission(target, { key, member: 'DZ', etag, since: started, timeoutMs: 10_000 }, progress(process.stderr, { quiet: true }));
    assert.equal(outcome?.deadLettered, true);
    assert.equal(outcome.record.status, 'failed');
    assert.match(await describeOutcome(target, outcome.record, true), /failed 3 times and is in the dead-letter queue; the object is untouched/);
  });

  test("partial batch failures are honoured: in one batch, the good file is not processed again when the bad one is retried", async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const good = 'incoming/AO/good.csv';
    const bad = 'incoming/AO/bad.csv';
    // Queue both while nothing ingests, so that the next cloud receives them in one batch.
    const paused = await testCloud({ dataDir, ingest: false });
    await paused.s3.send(new PutObjectCommand({ Bucket: paused.cloud.bucket, Key: good, Body: csv('AO', 3, { prefix: 'G' }) }));
    await paused.s3.send(new PutObjectCommand({ Bucket: paused.cloud.bucket, Key: bad, Body: csv('AO', 3, { prefix: 'B' }) }));
    await paused.close({ keep: true });

    const batches: string[][] = [];
    const t = await testCloud({
      dataDir,
      queue: { batchSize: 10, maxConcurrency: 1, visibilityTimeoutMs: 50 },
      ingestHandler: (_real, { deps }) => {
        // The app's own handler (partial batch response) over an S3 that refuses only the bad file.
        const h = createIngestHandler({ ...deps, s3: refuseHead(deps.s3, new Set([bad])) });
        return async (event, context) => {
          batches.push(keysOf(event));
          return h(event, context);
        };
      },
    });
    clouds.push(t);
    await t.cloud.waitForIdle();
    assert.deepEqual(batches, [[good, bad], [bad], [bad]]);
    assert.equal((await submissionsOf(t.store, good))[0]!.status, 'accepted');
    assert.equal((await submissionsOf(t.store, bad))[0]!.status, 'failed');
    assert.equal(t.cloud.queue.deadLetters().length, 1);
    assert.equal(await countLines(t.store, 1, 'AO'), 3);
  });
});
