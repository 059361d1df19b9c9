/**
 * The app as `npx cdk synth` runs it: the CDK CLI reads cdk.json, runs its "app" command (`npx tsx bin/app.ts`), which
 * bundles the real ingest handler with esbuild (offline, no Docker) and runs cdk-nag, failing the synth on any
 * unacknowledged finding. Then the bundle is loaded in Node 22 with the environment the template gives the function.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';

// This suite runs CDK synth through the CDK CLI (eleven function bundles and the web app): its own timeouts,
// above the runner's defaults, with room for a loaded 2-core machine.
vi.setConfig({ testTimeout: 420_000, hookTimeout: 420_000 });

const run = promisify(execFile);
const BIN = resolve(PROJECT_ROOT, 'node_modules/.bin');
// Node 22 and esbuild from node_modules first, as `npm test` and `npx` would have them.
const env = { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}`, CDK_DISABLE_CLI_TELEMETRY: 'true' };

describe('bin/app.ts through the CDK CLI', () => {
  let out: string;
  let synth: { stdout: string; stderr: string };
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'seizure-synth-'));
    synth = await run(join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
      cwd: PROJECT_ROOT,
      env,
      timeout: 400_000,
    });
    template = JSON.parse(readFileSync(join(out, 'SeizurePipeline-stop-ii.template.json'), 'utf8'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('`cdk synth` writes the SeizurePipeline-stop-ii template, with cdk-nag registered and nothing reported', () => {
    assert.ok(existsSync(join(out, 'manifest.json')));
    assert.ok(Object.keys(template.Resources).length > 20);
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
    assert.deepEqual(report.pluginReports, [], synth.stderr);
  });

  test('the real ingest handler bundle loads in Node 22 with the environment the template gives it', async () => {
    const [fn] = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs22.x',
    );
    const asset = join(out, `asset.${(fn!.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    const vars = Object.fromEntries(
      Object.entries(fn!.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : `resolved-${k.toLowerCase()}`,
      ]),
    );
    const { stdout } = await run(
      join(BIN, 'node'),
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(typeof m.handler);`],
      { env: { PATH: env.PATH, AWS_REGION: 'eu-west-1', ...vars }, timeout: 60_000 },
    );
    assert.equal(stdout.trim(), 'function');
  });
});
