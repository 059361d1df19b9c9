/**
 * `seizures config check` as people run it (exit codes, text and JSON), and `cdk synth`'s use of the same check: the
 * app (bin/app.ts, run as the CDK CLI runs it, with the context in CDK_CONTEXT_JSON) stops on an invalid config
 * before building anything.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCli, ROOT } from '../helpers/cli.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const BAD = {
  id: 'op-x',
  phases: [
    { phase: 1, start: '2027-03-01', end: '2027-05-31' },
    { phase: 2, start: '2027-06-03', end: '2027-08-31' },
    { phase: 3, start: '2027-09-01', end: '2027-09-31' },
  ],
  mailFrom: 'alerts@x.example.org',
  members: [{ code: 'FR', language: 'it', ncpEmail: 'ncp.fr@customs' }],
};

describe('seizures config check', { concurrent: true }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-check-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify(BAD));
    await writeFile(join(dir, 'not-json.json'), '{"id": ');
    await writeFile(join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { operation: BAD } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('without FILE it checks the cdk.json context config: valid, exit 0', async () => {
    const r = await runCli(['config', 'check']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cdk\.json: valid: Operation STOP II \(stop-ii\), 3 phase\(s\), 160 Member\(s\)/);
  });

  test('the example future operation is valid (JSON)', async () => {
    const r = await runCli(['config', 'check', 'bin/ops/example-future-operation.json', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.valid, true);
    assert.deepEqual(j.operation, {
      id: 'stop-iii-example',
      name: 'Operation STOP III (example)',
      phases: 3,
      members: 14,
      smokeTests: true,
    });
  });

  test('an invalid config: exit 1, every problem listed with its field (text and JSON; cdk.json form too)', async () => {
    for (const file of ['bad.json', 'cdk.json']) {
      const text = await runCli(['config', 'check', join(dir, file)]);
      assert.equal(text.code, 1, text.stderr);
      assert.match(text.stdout, /4 problem\(s\):/);
      for (const f of ['phases[1].start', 'phases[2].end', 'members[0].language', 'members[0].ncpEmail'])
        assert.ok(text.stdout.includes(`  ${f}: `), text.stdout);
      const json = await runCli(['config', 'check', join(dir, file), '--format', 'json']);
      assert.equal(json.code, 1);
      const j = JSON.parse(json.stdout);
      assert.equal(j.valid, false);
      assert.deepEqual(
        j.errors.map((e: { field: string }) => e.field),
        ['phases[2].end', 'phases[1].start', 'members[0].language', 'members[0].ncpEmail'],
      );
    }
  });

  test('a file that is not JSON is invalid (exit 1); a missing file, an unknown subcommand or flag are usage errors (64)', async () => {
    const nj = await runCli(['config', 'check', join(dir, 'not-json.json'), '--format', 'json']);
    assert.equal(nj.code, 1);
    assert.equal(JSON.parse(nj.stdout).errors[0].field, '(file)');
    for (const args of [
      ['config', 'check', join(dir, 'missing.json')],
      ['config'],
      ['config', 'lint'],
      ['config', 'check', '--strict'],
      ['config', 'check', '--format', 'yaml'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /usage: seizures config check/);
    }
  });

  test('`cdk synth` runs the same check: the app stops on an invalid config, naming every field', async () => {
    const out = join(dir, 'cdk.out');
    try {
      await promisify(execFile)(resolve(ROOT, 'node_modules/.bin/tsx'), [resolve(ROOT, 'bin/app.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ operation: join(dir, 'bad.json') }),
          CDK_OUTDIR: out,
          CDK_DISABLE_CLI_TELEMETRY: 'true',
        },
        timeout: 100_000,
      });
      assert.fail('the app should have failed');
    } catch (e) {
      const err = e as { code?: number; stderr?: string };
      assert.notEqual(err.code, 0);
      assert.match(err.stderr ?? '', /InvalidOperationConfigError/);
      for (const f of ['phases[1].start', 'phases[2].end', 'members[0].language', 'members[0].ncpEmail'])
        assert.ok(err.stderr!.includes(`  ${f}: `), err.stderr);
    }
  });
});
