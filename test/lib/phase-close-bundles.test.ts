/**
 * The eight phase-close functions as Lambda will load them: bundled by esbuild (offline, no Docker) as the stack
 * bundles them, then each bundle imported in Node 22 with exactly the environment the template gives its function
 * (tokens replaced by plausible values). The handlers check their environment at init, so a variable the construct
 * forgot to set fails here, not at the first scheduled run.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { PhaseClose } from '../../lib/phase-close.ts';
import { PHASE_STEPS } from '../../functions/core/contracts/phase-close-spec.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { CDK_CONTEXT, OPERATION } from './helpers.ts';

// This suite bundles every phase function with esbuild: its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const run = promisify(execFile);
const NODE = resolve(PROJECT_ROOT, 'node_modules/.bin/node');

describe('phase-close bundles', () => {
  let out: string;
  let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  let phaseClose: PhaseClose;
  let stack: Stack;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'phase-close-bundles-'));
    const app = new App({ context: CDK_CONTEXT, outdir: out });
    stack = new Stack(app, 'PhaseCloseBundles');
    const storage = new SeizureStorage(stack, 'Storage');
    phaseClose = new PhaseClose(stack, 'PhaseClose', {
      bucket: storage.bucket,
      table: storage.table,
      operation: OPERATION,
      schedules: false,
      portalUrl: 'https://portal.example.org',
    });
    resources = app.synth().getStackByName(stack.stackName).template.Resources;
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  for (const step of PHASE_STEPS) {
    test(`${step.name}: the bundle loads in Node 22 with the environment the template gives it`, async () => {
      const fn = resources[stack.getLogicalId(phaseClose.functions[step.name]!.node.defaultChild as CfnElement)]!.Properties;
      const vars = Object.fromEntries(
        Object.entries(fn.Environment.Variables as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : `resolved-${k.toLowerCase()}`,
        ]),
      );
      const asset = join(out, `asset.${(fn.Code.S3Key as string).replace(/\.zip$/, '')}`);
      const { stdout } = await run(
        NODE,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        // AWS_EXECUTION_ENV as Lambda sets it: the Tracer is on, so its instrumentation of the SDK clients runs at init too.
        {
          env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', ...vars },
          timeout: 60_000,
        },
      );
      assert.equal(stdout.trim(), 'function');
      assert.equal(fn.Handler, 'index.handler');
      assert.equal(fn.Runtime, 'nodejs22.x');
    });
  }
});
