/**
 * End to end on the local cloud: files uploaded with the SDK and with Debian's AWS CLI go through the notification,
 * the queue and the real ingest handler into DynamoDB and the feedback objects.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesClient } from '../../../functions/core/platform/aws.ts';
import { uploadsFromSqsBody } from '../../../functions/ingest/event.ts';
import { OPERATION } from '../helpers.ts';
import { countLines, csv, etagOf, getBytes, getText, submissionsOf, tempDir, testCloud, xlsx, type TestCloud } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const AWS_CLI = '/usr/bin/aws';

describe('local cloud, end to end', () => {
  let t: TestCloud;
  let files: string;
  /** Ingest invocations per key. */
  const invocations = new Map<string, number>();

  beforeAll(async () => {
    files = await tempDir('e2e-files-');
    t = await testCloud({
      ingestHandler: (real) => async (event, context) => {
        for (const r of event.Records)
          for (const u of uploadsFromSqsBody(r.body)) invocations.set(u.key, (invocations.get(u.key) ?? 0) + 1);
        return real(event, context);
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    if (files) await rm(files, { recursive: true, force: true });
  });

  const put = (key: string, body: string | Buffer) => t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: key, Body: body }));

  test('a CSV uploaded with the SDK is validated, its valid rows stored, its feedback written and its submission recorded', async () => {
    const key = 'incoming/AL/week 12.csv';
    await put(key, csv('AL', 4, { invalid: 2 }));
    await t.cloud.waitForIdle();
    const [s, ...more] = await submissionsOf(t.store, key);
    assert.equal(more.length, 0);
    assert.equal(s!.status, 'accepted_with_errors');
    assert.deepEqual(s!.rows, { total: 6, valid: 4, invalid: 2, blank: 0 });
    assert.equal(s!.stored.written, 4);
    assert.equal(s!.etag, await etagOf(t.s3, t.cloud.bucket, key));
    assert.match(s!.versionId, /^seq:[0-9A-F]{16}$/);
    assert.equal(await countLines(t.store, 1, 'AL'), 4);
    const report = JSON.parse(await getText(t.s3, t.cloud.bucket, s!.feedback.json!));
    assert.equal(report.stats.invalidRows, 2);
    assert.equal(report.errors.length, 2);
    const workbook = await getBytes(t.s3, t.cloud.bucket, s!.feedback.xlsx!);
    assert.equal(workbook.subarray(0, 2).toString('latin1'), 'PK');
  });

  test('a workbook streamed from disk is stored byte for byte (no aws-chunked framing) and ingested', async () => {
    const bytes = await xlsx('AM', 7);
    const file = join(files, 'streamed.xlsx');
    await writeFile(file, bytes);
    const key = 'incoming/AM/streamed.xlsx';
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: key, Body: createReadStream(file), ContentLength: bytes.length }));
    assert.ok((await getBytes(t.s3, t.cloud.bucket, key)).equals(bytes));
    await t.cloud.waitForIdle();
    const [s] = await submissionsOf(t.store, key);
    assert.equal(s!.status, 'accepted', JSON.stringify(s!.failure ?? s!.errorsByType));
    assert.deepEqual(s!.rows, { total: 7, valid: 7, invalid: 0, blank: 0 });
    assert.equal(await countLines(t.store, 1, 'AM'), 7);
  });

  test("a file uploaded with Debian's AWS CLI (a client nobody here wrote), its name with a space, is ingested under its real key", async (ctx) => {
    if (!existsSync(AWS_CLI)) {
      ctx.skip(`${AWS_CLI} is missing: apt-get install awscli (.ci/run installs it)`);
      return;
    }
    const file = join(files, 'week 13.csv');
    await writeFile(file, csv('AT', 3));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: files,
      AWS_ACCESS_KEY_ID: t.cloud.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.cloud.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: t.cloud.region,
      AWS_CONFIG_FILE: join(files, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(files, 'no-aws-credentials'),
      AWS_PAGER: '',
    };
    await promisify(execFile)(AWS_CLI, ['--endpoint-url', t.cloud.endpoints.s3, 's3', 'cp', file, `s3://${t.cloud.bucket}/incoming/AT/`], {
      env,
      timeout: 60_000,
    });
    await t.cloud.waitForIdle();
    const key = 'incoming/AT/week 13.csv';
    const [s] = await submissionsOf(t.store, key);
    assert.equal(s?.objectKey, key);
    assert.equal(s!.status, 'accepted');
    assert.equal(s!.rows.valid, 3);
    assert.equal(await countLines(t.store, 1, 'AT'), 3);
  });

  test('mail sent with the SES v2 client of functions/core/platform/aws.ts shows in the mail viewer', async () => {
    const ses = sesClient(t.cloud.endpoints);
    try {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'pipeline@example.org',
          Destination: { ToAddresses: ['analyst@example.org'] },
          Content: { Simple: { Subject: { Data: 'Phase 1 closed' }, Body: { Text: { Data: 'Summary attached.' } } } },
        }),
      );
    } finally {
      ses.destroy();
    }
    const store = (await (await fetch(`${t.cloud.endpoints.ses}/store`)).json()) as {
      emails: Array<{ subject: string; destination: { to: string[] } }>;
    };
    assert.ok(
      store.emails.some((e) => e.subject === 'Phase 1 closed' && e.destination.to.includes('analyst@example.org')),
      JSON.stringify(store.emails),
    );
    assert.equal((await fetch(t.cloud.mailViewer)).status, 200);
  });

  test('50 files uploaded at once by 10 Members are each processed exactly once, with exact counts', async () => {
    const members = OPERATION.members
      .map((m) => m.code)
      .filter((c) => !['AL', 'AM', 'AT'].includes(c))
      .slice(0, 10);
    const uploads = members.flatMap((m) =>
      [1, 2, 3, 4, 5].map((n) => ({
        member: m,
        key: `incoming/${m}/batch ${n}.csv`,
        body: csv(m, 3 + n, { prefix: `B${n}`, invalid: n % 2 }),
      })),
    );
    await Promise.all(uploads.map((u) => put(u.key, u.body)));
    await t.cloud.waitForIdle(150_000);
    for (const u of uploads) {
      const n = Number(/batch (\d)/.exec(u.key)![1]);
      const subs = await submissionsOf(t.store, u.key);
      assert.equal(subs.length, 1, u.key);
      assert.equal(invocations.get(u.key), 1, u.key);
      assert.equal(subs[0]!.status, n % 2 ? 'accepted_with_errors' : 'accepted', u.key);
      assert.deepEqual(subs[0]!.rows, { total: 3 + n + (n % 2), valid: 3 + n, invalid: n % 2, blank: 0 }, u.key);
      assert.equal(subs[0]!.stored.written, 3 + n, u.key);
    }
    for (const m of members) assert.equal(await countLines(t.store, 1, m), 4 + 5 + 6 + 7 + 8, m);
    assert.deepEqual(t.cloud.queue.deadLetters(), []);
  });
});
