/**
 * Nothing is lost across a crash. The process hosting the local cloud is killed with SIGKILL in the middle of an
 * ingest, then a cloud starts again on the same data directory: the file is finished, nothing counted twice. And an
 * upload whose notification never reached the queue is found and processed at start (reconciliation).
 */
import './quiet.ts';
import { afterAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../../functions/core/platform/aws.ts';
import { PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { readDescriptor } from '../../../lib/local/index.ts';
import { countLines, csv, eventually, submissionsOf, tempDir, testCloud, type TestCloud } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const NODE = resolve(PROJECT_ROOT, 'node_modules/.bin/node');
const HOST = resolve(PROJECT_ROOT, 'test/lib/local/fixtures/host-cloud.ts');

describe('local cloud across a crash', () => {
  const children: ChildProcess[] = [];
  const clouds: TestCloud[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const c of clouds) await c.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('killed with SIGKILL mid-ingest and started again on the same data directory, the file is finished and nothing is counted twice', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const rows = 2_000;
    const key = 'incoming/AZ/big week.csv';

    const child = spawn(NODE, ['--import', 'tsx', HOST], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATA_DIR: dataDir, SLOW_BATCH_WRITE_MS: '150' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const exited = once(child, 'exit');
    const host = await eventually(
      async () => {
        const d = readDescriptor(dataDir);
        return d?.pid === child.pid ? d : undefined;
      },
      120_000,
      'the child to host the cloud',
    );

    const s3 = s3Client(host.endpoints);
    const dyn = dynamoClient(host.endpoints);
    const store = new SeizureStore({ client: dyn, tableName: host.tableName });
    try {
      await s3.send(new PutObjectCommand({ Bucket: host.bucket, Key: key, Body: csv('AZ', rows, { perCase: 200 }) }));
      // Mid-ingest for real: the submission is recorded as processing and some, not all, lines are in the table.
      const seen = await eventually(
        async () => {
          const n = await countLines(store, 1, 'AZ');
          return n > 0 ? n : undefined;
        },
        30_000,
        'the first lines to be written',
      );
      const during = await submissionsOf(store, key);
      child.kill('SIGKILL');
      await exited;
      assert.ok(seen < rows, `${seen} of ${rows} lines written before the kill`);
      assert.equal(during[0]?.status, 'processing');
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    } finally {
      s3.destroy();
      dyn.destroy();
    }
    assert.equal(child.signalCode, 'SIGKILL');
    assert.deepEqual(await readdir(join(dataDir, 'queue', 'ingest')).then((f) => f.filter((n) => n.endsWith('.json')).length), 1);

    const receives: string[] = [];
    const t = await testCloud({
      dataDir,
      ingestHandler: (real) => async (event, context) => {
        receives.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
        return real(event, context);
      },
    });
    clouds.push(t);
    await t.cloud.waitForIdle(120_000);
    assert.deepEqual(t.cloud.reconciled, []); // the queued message was delivered again, not a new one
    assert.deepEqual(receives, ['2']);
    const subs = await submissionsOf(t.store, key);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.status, 'accepted');
    assert.deepEqual(subs[0]!.rows, { total: rows, valid: rows, invalid: 0, blank: 0 });
    assert.equal(subs[0]!.stored.written, rows);
    assert.equal(await countLines(t.store, 1, 'AZ'), rows);
  });

  test('an upload stored but never queued (notification lost in a crash) is processed when the cloud starts again', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const key = 'incoming/BH/lost.csv';
    const paused = await testCloud({ dataDir, ingest: false });
    await paused.s3.send(new PutObjectCommand({ Bucket: paused.cloud.bucket, Key: key, Body: csv('BH', 6) }));
    await paused.close({ keep: true });
    const queueDir = join(dataDir, 'queue', 'ingest');
    for (const f of await readdir(queueDir)) await rm(join(queueDir, f)); // the notification never made it

    const t = await testCloud({ dataDir });
    clouds.push(t);
    assert.deepEqual(t.cloud.reconciled, [key]);
    await t.cloud.waitForIdle();
    const subs = await submissionsOf(t.store, key);
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.status, 'accepted');
    assert.equal(await countLines(t.store, 1, 'BH'), 6);
    await t.close({ keep: true });
    clouds.pop();

    // Finished uploads are not processed again at the next start.
    const again = await testCloud({ dataDir });
    clouds.push(again);
    assert.deepEqual(again.cloud.reconciled, []);
    await again.cloud.waitForIdle();
    assert.equal((await submissionsOf(again.store, key)).length, 1);
  });
});
