/**
 * `seizures smoke` on the local cloud, as people run it (child processes): against a running cloud started with
 * smokeTests (ingestion in that cloud, the phase close in the command's process), and with a cloud of its own; every
 * step passes, and afterwards nothing of the run is left (no object, no table item) and the operation's own summaries
 * are untouched. A cloud started without smokeTests makes the first step fail, saying how to enable it, and nothing
 * is uploaded. The --aws path runs these same steps (bin/cli/smoke-steps.ts) with another target.
 */
import './quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { callsAreCurrent, recordCalls } from '../preflight/record.ts';
import { PhaseTable } from '../../../functions/core/phase/items.ts';
import { smokeOperationId, TEST_MEMBER } from '../../../functions/core/operation/smoke.ts';
import { runSmoke, SMOKE_STEPS, smokeCsv, type SmokeTarget } from '../../../bin/cli/smoke-steps.ts';
import { scanAll } from '../../functions/core/store/local-dynamo.ts';
import { OPERATION } from '../helpers.ts';
import { seizures, tempDir, testCloud, type TestCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const SMOKE_ID = smokeOperationId(OPERATION);

// The ingest, phase-close and smoke CLI's AWS calls, kept for `seizures preflight` (lib/preflight/calls/smoke.json).
const recording = recordCalls();

async function leftovers(t: TestCloud): Promise<{ objects: string[]; items: string[] }> {
  const objects = ((await t.s3.send(new ListObjectsV2Command({ Bucket: t.cloud.bucket }))).Contents ?? [])
    .map((o) => o.Key!)
    .filter((k) => k.includes(`/${TEST_MEMBER}/`) || k.includes(SMOKE_ID));
  const items = (await scanAll(t.dynamo, t.cloud.tableName))
    .map((i) => `${i['pk']?.S} ${i['sk']?.S}`)
    .filter(
      (k) =>
        k.includes(`#${TEST_MEMBER}#`) ||
        k.includes(`#${TEST_MEMBER} `) ||
        k.includes(SMOKE_ID) ||
        k.includes(`incoming/${TEST_MEMBER}/`) ||
        k.includes(`SUBMISSIONS#${TEST_MEMBER}`),
    );
  return { objects, items };
}

describe('seizures smoke on the local cloud', { concurrent: true }, () => {
  let on: TestCloud;
  let off: TestCloud;
  const dirs: string[] = [];
  beforeAll(async () => {
    // One after the other: a cloud sets the process environment its ingest handler reads when loaded.
    on = await testCloud({ operation: { ...OPERATION, smokeTests: true } });
    off = await testCloud({ operation: OPERATION });
  });
  afterAll(async () => {
    const names = on ? { [on.cloud.bucket]: 'BucketName', [on.cloud.tableName]: 'TableName' } : undefined;
    await Promise.all([on?.close(), off?.close()]);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    if (names) callsAreCurrent('smoke', recording, names, fileURLToPath(import.meta.url));
  });

  test('the generated file: XT lines seized on the Wednesday of the last complete week, one case each', () => {
    const f = smokeCsv('r1', '2026-12-07', 3); // a Monday
    assert.equal(f.day, '2026-12-02');
    assert.deepEqual(f.caseRefs, ['SMOKE-r1-1', 'SMOKE-r1-2', 'SMOKE-r1-3']);
    assert.equal(smokeCsv('r1', '2026-12-13', 1).day, '2026-12-02'); // a Sunday: the week before is the last complete one
    assert.equal(f.text.trim().split('\n').length, 4);
  });

  test('against a running cloud started with smokeTests: every step passes in order, then nothing of the run is left', async () => {
    const r = await seizures(['smoke', '--data-dir', on.dataDir, '--format', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.ok, true);
    assert.equal(j.operation, SMOKE_ID);
    assert.deepEqual(
      j.steps.map((s: { name: string }) => s.name),
      [...SMOKE_STEPS],
    );
    for (const s of j.steps) {
      assert.equal(s.ok, true, `${s.name}: ${s.detail}`);
      assert.ok(Number.isInteger(s.ms) && s.ms >= 0);
    }
    assert.match(
      j.steps.find((s: { name: string }) => s.name === 'mail').detail,
      /in the SES emulator's store: "Operation STOP II \(smoke test\)/,
    );
    // The email really reached this cloud's SES.
    const store = (await (await fetch(`${on.cloud.endpoints.ses}/store`)).json()) as { emails: { destination: { to: string[] } }[] };
    assert.ok(store.emails.some((e) => e.destination.to.includes('success@simulator.amazonses.com')));
    assert.deepEqual(await leftovers(on), { objects: [], items: [] });
    // The operation's own summaries never saw the smoke run.
    const table = new PhaseTable({ client: on.dynamo, tableName: on.cloud.tableName });
    assert.deepEqual(await table.listSummaries(OPERATION.id), []);
    assert.deepEqual(await table.listSummaries(SMOKE_ID), []);
  });

  test('with a cloud of its own (nobody runs on the data directory): text output, a line per step with its duration, exit 0', async () => {
    const dir = await tempDir('smoke-own-');
    dirs.push(dir);
    const r = await seizures(['smoke', '--data-dir', dir, '--s3-port', '0', '--dynamodb-port', '0', '--ses-port', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(
      lines.slice(0, SMOKE_STEPS.length).map((l) => l.split(/\s+/).slice(0, 2)),
      SMOKE_STEPS.map((s) => ['ok', s]),
    );
    for (const l of lines.slice(0, SMOKE_STEPS.length)) assert.match(l, /\s\d+\.\d s\s/);
    assert.match(lines.at(-1)!, /every step passed in \d+\.\d s on a local cloud in this process/);
  });

  test('against a cloud started without smokeTests: the first step fails saying how to enable it, nothing is uploaded, exit 1', async () => {
    const r = await seizures(['smoke', '--data-dir', off.dataDir, '--format', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.ok, false);
    assert.equal(j.steps[0].name, 'enabled');
    assert.equal(j.steps[0].ok, false);
    assert.match(j.steps[0].detail, /started without smokeTests: stop it and start it again with "smokeTests": true/);
    assert.deepEqual(
      j.steps.slice(1, -1).map((s: { skipped?: boolean }) => s.skipped),
      [true, true, true, true, true, true],
    );
    assert.equal(j.steps.at(-1).name, 'cleanup');
    assert.deepEqual(await leftovers(off), { objects: [], items: [] });
  });

  test('wrong usage exits 64', async () => {
    for (const args of [
      ['smoke', '--stack', 'X'],
      ['smoke', 'extra'],
      ['smoke', '--format', 'yaml'],
    ]) {
      const r = await seizures(args);
      assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

// Not concurrent with the commands above: this run's work happens in this process, which also hosts the clouds
// they connect to (a busy process may not answer their health check in time), and two smoke runs at once on one
// deployment would share the day's run label.
describe('runSmoke in this process', () => {
  let mine: TestCloud;
  beforeAll(async () => {
    mine = await testCloud({ operation: { ...OPERATION, smokeTests: true } });
  });
  afterAll(async () => mine?.close());

  test('a step that fails (here the phase close) fails the run, the later checks are skipped, and the cleanup still removes the upload and its lines', async () => {
    const target: SmokeTarget = {
      kind: 'local',
      where: 'the test cloud',
      s3: mine.s3,
      dynamo: mine.dynamo,
      bucket: mine.cloud.bucket,
      tableName: mine.cloud.tableName,
      smokeEnabled: async () => ({ ok: true }),
      closePhase: async () => {
        throw new Error('States.TaskFailed: the state machine is gone');
      },
    };
    const r = await runSmoke(target, { config: { ...OPERATION, smokeTests: true }, rows: 3 });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.steps.map((s) => [s.name, s.ok, s.skipped ?? false]),
      [
        ['enabled', true, false],
        ['upload', true, false],
        ['feedback', true, false],
        ['stored', true, false],
        ['close-phase', false, false],
        ['summary', false, true],
        ['mail', false, true],
        ['cleanup', true, false],
      ],
    );
    assert.match(r.steps[4]!.detail, /the state machine is gone/);
    assert.match(r.steps[7]!.detail, /deleted [1-9]\d* object\(s\) and [1-9]\d* table item\(s\)/);
    assert.deepEqual(await leftovers(mine), { objects: [], items: [] });
  });
});
