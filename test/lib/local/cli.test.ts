/**
 * `seizures dev`, `upload` and `status` as people run them (child processes), and the clear errors: port taken, data
 * directory not writable, a local cloud registered but not answering, one already running.
 */
import './quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import type { SubmissionRecord } from '../../../functions/core/store/submission.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { connect, type CloudTarget } from '../../../bin/cli/cloud.ts';
import { explain } from '../../../bin/cli/errors.ts';
import { devCommand } from '../../../bin/cli/dev.ts';
import { progress } from '../../../bin/cli/progress.ts';
import { describeReport, waitForFeedback } from '../../../bin/cli/upload.ts';
import {
  CloudAlreadyRunningError,
  DataDirError,
  DataDirInUseError,
  LocalCloudNotRunningError,
  PortInUseError,
  readDescriptor,
  startLocalCloud,
} from '../../../lib/local/index.ts';
import { OPERATION } from '../helpers.ts';
import { CLI, cleanEnv, csv, eventually, FREE_PORTS, NODE, seizures, tempDir, testCloud, type TestCloud } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe('seizures dev, upload and status', { concurrent: true }, () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  let t: TestCloud;
  let files: string;

  beforeAll(async () => {
    files = await tempDir('cli-files-');
    dirs.push(files);
    t = await testCloud();
  });
  afterAll(async () => {
    await t?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test('`dev` prints the banner (endpoints, data dir, mail viewer, an AWS CLI example with credentials), runs until SIGTERM, then stops everything', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const child = spawn(
      NODE,
      [
        '--import',
        'tsx',
        CLI,
        'dev',
        '--data-dir',
        dataDir,
        '--s3-port',
        '0',
        '--dynamodb-port',
        '0',
        '--ses-port',
        '0',
        '--portal-port',
        '0',
        '--cognito-port',
        '0',
      ],
      {
        cwd: PROJECT_ROOT,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = once(child, 'exit');
    try {
      const d = await eventually(
        async () => (out.includes('Feedback appears') ? readDescriptor(dataDir) : undefined),
        120_000,
        'the banner',
      );
      assert.equal(d.pid, child.pid);
      assert.ok(out.includes(d.endpoints.s3) && out.includes(d.endpoints.dynamodb) && out.includes(d.endpoints.ses), out);
      assert.ok(out.includes(d.mailViewer), out);
      assert.ok(out.includes(dataDir), out);
      assert.ok(out.includes(`aws --endpoint-url ${d.endpoints.s3} s3 cp file.xlsx s3://submissions/incoming/FR/`), out);
      assert.ok(out.includes('AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER'), out);
      assert.ok(d.endpoints.s3.startsWith('http://127.0.0.1:'));
      assert.match(d.portal?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(out.includes(`  Portal      ${d.portal!.url}\n`), out);
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
      assert.match(out, /stopped; data kept in/);
      assert.equal(readDescriptor(dataDir), undefined);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('a SIGTERM that lands while `dev` is still starting stops the cloud cleanly once it is up (exit 0, descriptor removed)', {
    timeout: 60_000,
  }, async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const signals = new EventEmitter();
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write; // the banner is not this test's output
    try {
      const running = devCommand(
        ['--data-dir', dataDir, '--s3-port', '0', '--dynamodb-port', '0', '--ses-port', '0', '--portal-port', '0', '--cognito-port', '0'],
        signals as never,
      );
      signals.emit('SIGTERM'); // before the emulators are listening
      assert.equal(await running, 0);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(readDescriptor(dataDir), undefined);
  });

  test('`upload --format json` against the running cloud waits for the outcome and prints the finished submission record; `status --format json` lists it as stored', async () => {
    const file = join(files, 'cli week.csv');
    await writeFile(file, csv('FR', 3, { invalid: 1 }));
    const up = await seizures(['upload', file, '--member', 'FR', '--format', 'json', '--data-dir', t.dataDir]);
    assert.equal(up.code, 1, up.stderr); // accepted with errors
    const record = JSON.parse(up.stdout) as SubmissionRecord;
    assert.equal(record.objectKey, 'incoming/FR/cli week.csv');
    assert.equal(record.status, 'accepted_with_errors');
    assert.deepEqual(record.rows, { total: 4, valid: 3, invalid: 1, blank: 0 });
    assert.doesNotMatch(up.stderr, /starting one in this process/);

    const st = await seizures(['status', '--member', 'FR', '--format', 'json', '--data-dir', t.dataDir]);
    assert.equal(st.code, 0, st.stderr);
    const list = JSON.parse(st.stdout) as SubmissionRecord[];
    assert.ok(Array.isArray(list));
    assert.deepEqual(
      list.find((s) => s.objectKey === record.objectKey && s.versionId === record.versionId),
      record,
    );
    assert.deepEqual(await t.store.listSubmissions({ member: 'FR' }), list);
  });

  test("without read access to the table (a Member's role on AWS), `upload` takes the outcome from the feedback report", async () => {
    const target: CloudTarget = { kind: 'local', where: 'a bucket only', s3: t.s3, bucket: t.cloud.bucket, close: async () => {} };
    const key = 'incoming/BD/member only.csv';
    const since = Date.now();
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: key, Body: csv('BD', 2, { invalid: 1 }) }));
    const report = await waitForFeedback(
      target,
      { key, member: 'BD', etag: '', since, timeoutMs: 20_000 },
      progress(process.stderr, { quiet: true }),
    );
    assert.ok(report);
    assert.deepEqual([report.stats.rows, report.stats.validRows, report.stats.invalidRows], [3, 2, 1]);
    const text = describeReport(target, key, report, false);
    assert.match(text, /incoming\/BD\/member only\.csv: accepted with errors/);
    assert.match(text, /row 4, column F: /);
    assert.match(text, /s3:\/\/submissions\/feedback\/BD\/member only\.csv\.report\.xlsx/);
  });

  test('`upload` with no cloud running on the data directory starts one in-process for the command and stops it after', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const file = join(files, 'alone.csv');
    await writeFile(file, csv('AR', 2));
    const up = await seizures(['upload', file, '--member', 'AR', '--data-dir', dataDir]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /no local cloud is running on .*: starting one in this process/);
    assert.match(up.stdout, /incoming\/AR\/alone\.csv: accepted/);
    assert.match(up.stdout, /rows: 2 \(2 valid, 0 invalid, 0 blank\)/);
    assert.match(up.stdout, /s3:\/\/submissions\/feedback\/AR\/alone\.csv\.report\.xlsx/);
    assert.equal(readDescriptor(dataDir), undefined);
    assert.ok(existsSync(join(dataDir, 'dynamodb')));
  });

  test('a port taken by another process is a clear error naming the port and the flag, and nothing is left running', async () => {
    const taken = await listening();
    servers.push(taken.server);
    const dataDir = await tempDir();
    dirs.push(dataDir);
    for (const which of ['s3', 'ses'] as const) {
      const err = await startLocalCloud({ dataDir, ports: { ...FREE_PORTS, [which]: taken.port } }).then(
        () => assert.fail('started on a taken port'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PortInUseError, String(err));
      assert.match(err.message, new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 .* already in use.*--${which}-port`));
      assert.equal(explain(err)?.code, 69);
      assert.equal(readDescriptor(dataDir), undefined);
    }
    // The DynamoDB it had started is closed again: a cloud starts on the same data directory at once.
    const ok = await testCloud({ dataDir });
    await ok.close();
  });

  test('a data directory that cannot be written is a clear error', async () => {
    const file = join(files, 'a-file');
    await writeFile(file, '');
    const err = await startLocalCloud({ dataDir: join(file, 'data'), ports: FREE_PORTS }).catch((e: unknown) => e);
    assert.ok(err instanceof DataDirError, String(err));
    assert.match(err.message, /not writable/);
    assert.equal(explain(err)?.code, 73);
  });

  test('a second cloud on a data directory in use is refused, naming the running one', async () => {
    const err = await startLocalCloud({ dataDir: t.dataDir, ports: FREE_PORTS }).catch((e: unknown) => e);
    assert.ok(err instanceof CloudAlreadyRunningError, String(err));
    assert.match(err.message, new RegExp(`already running on .*pid ${process.pid}`));
  });

  test('a data directory whose DynamoDB files another process holds (its cloud.json lost) is a clear error, not a crash', async () => {
    const holder = await testCloud();
    try {
      await rm(join(holder.dataDir, 'cloud.json'));
      const err = await startLocalCloud({ dataDir: holder.dataDir, ports: FREE_PORTS }).catch((e: unknown) => e);
      assert.ok(err instanceof DataDirInUseError, String(err));
      assert.match(err.message, /held by another process/);
      assert.equal(explain(err)?.code, 69);
    } finally {
      await holder.close();
    }
  });

  test('a local cloud registered on the data directory but not answering is a clear error, not a second cloud', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const gone = await listening();
    await new Promise((r) => gone.server.close(r)); // a port nobody answers on
    const url = `http://127.0.0.1:${gone.port}`;
    await writeFile(
      join(dataDir, 'cloud.json'),
      JSON.stringify({
        pid: process.pid,
        startedAt: new Date().toISOString(),
        dataDir,
        bucket: 'submissions',
        tableName: 'seizures',
        endpoints: { s3: url, dynamodb: url, ses: url },
        mailViewer: url,
      }),
    );
    const err = await connect({ values: { 'data-dir': dataDir }, operation: OPERATION, ingest: false, log: () => {} }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof LocalCloudNotRunningError, String(err));
    assert.match(err.message, /does not answer/);
    assert.equal(explain(err)?.code, 69);
  });
});
