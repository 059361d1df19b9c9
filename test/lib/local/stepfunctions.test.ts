import { afterAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runWorkflow } from '../../../lib/local/stepfunctions.ts';
import { tempDir } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

describe('local Step Functions seam', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('runs an ASL file with its Task states overridden by local functions and returns the output', async () => {
    dir = await tempDir('asl-');
    const file = join(dir, 'close.asl.json');
    await writeFile(
      file,
      JSON.stringify({
        StartAt: 'Summarise',
        States: {
          Summarise: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:summarise',
            ResultPath: '$.summary',
            Next: 'Wait',
          },
          Wait: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      }),
    );
    const out = await runWorkflow(
      file,
      { phase: 1 },
      {
        taskOverrides: { Summarise: async (input) => ({ phase: (input as { phase: number }).phase, lines: 42 }) },
        waitOverrides: { Wait: 0 },
      },
    );
    assert.deepEqual(out, { phase: 1, summary: { phase: 1, lines: 42 } });
  });
});
