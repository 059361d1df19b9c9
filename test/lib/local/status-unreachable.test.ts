/**
 * `seizures status` shows the analysts who is unreachable (SES bounces and complaints recorded by the mail-events
 * function): a section after the submissions, `ncpUnreachable` added to the JSON records of that Member (the shape
 * otherwise as before), and `--unreachable` alone.
 */
import './quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UnreachableContacts } from '../../../functions/core/mail/unreachable.ts';
import { OPERATION } from '../helpers.ts';
import { csv, seizures, testCloud, type TestCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const FR = OPERATION.members.find((m) => m.code === 'FR')!;

describe('seizures status: unreachable contacts', { concurrent: true }, () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await testCloud();
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: 'incoming/FR/week 1.csv', Body: csv('FR', 2) }));
    await t.s3.send(new PutObjectCommand({ Bucket: t.cloud.bucket, Key: 'incoming/DE/week 1.csv', Body: csv('DE', 1) }));
    await t.cloud.waitForIdle(60_000);
    const u = new UnreachableContacts({ client: t.dynamo, tableName: t.cloud.tableName });
    await u.mark({
      email: FR.ncpEmail!.toUpperCase(),
      reason: 'bounce',
      detail: 'Permanent/NoEmail',
      diagnostic: 'smtp; 550 5.1.1 user unknown',
      at: '2022-02-07T06:00:05.000Z',
    });
    await u.mark({ email: OPERATION.analysts[0]!, reason: 'complaint', detail: 'abuse', at: '2022-02-08T09:00:00.000Z' });
  });
  afterAll(async () => t?.close());

  test('text: the submissions, then who is unreachable, with the Member, reason and diagnostic', async () => {
    const r = await seizures(['status', '--data-dir', t.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 submission\(s\) on/);
    assert.match(r.stdout, /2 contact\(s\) unreachable/);
    assert.match(
      r.stdout,
      new RegExp(
        `FR\\s+${FR.ncpEmail!.toUpperCase().replaceAll('.', '\\.')}\\s+bounce\\s+Permanent/NoEmail\\s+2022-02-07 06:00\\s+smtp; 550 5\\.1\\.1 user unknown`,
      ),
    );
    assert.match(r.stdout, /analyst\s+analysts@stop-ii\.example\.org\s+complaint\s+abuse/);
  });

  test("JSON: the records as stored, the unreachable NCP's Member with ncpUnreachable added", async () => {
    const r = await seizures(['status', '--data-dir', t.dataDir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { member: string; status: string; ncpUnreachable?: unknown }[];
    assert.ok(Array.isArray(list));
    assert.deepEqual(list.map((s) => s.member).sort(), ['DE', 'FR']);
    assert.deepEqual(list.find((s) => s.member === 'FR')!.ncpUnreachable, {
      email: FR.ncpEmail!.toUpperCase(),
      reason: 'bounce',
      detail: 'Permanent/NoEmail',
      at: '2022-02-07T06:00:05.000Z',
    });
    assert.equal('ncpUnreachable' in list.find((s) => s.member === 'DE')!, false);
    assert.equal(list.find((s) => s.member === 'DE')!.status, 'accepted');
  });

  test('--unreachable: only the contacts; --member filters them', async () => {
    const r = await seizures(['status', '--data-dir', t.dataDir, '--unreachable', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { email: string; role: string; member?: string }[];
    assert.deepEqual(list.map((c) => [c.role, c.member ?? null]).sort(), [
      ['analyst', null],
      ['ncp', 'FR'],
    ]);
    const fr = await seizures(['status', '--data-dir', t.dataDir, '--unreachable', '--member', 'DE']);
    assert.match(fr.stdout, /no contact is unreachable/);
  });
});
