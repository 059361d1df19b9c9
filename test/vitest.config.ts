/**
 * The test runner's settings. Kept under test/ (the top level is fixed); `npm test` names it with --config.
 * Forks, not threads: several suites start emulators and child processes, and a fork per file keeps their
 * globals (SDK clients, process listeners) apart, as node:test did. Two workers for these 2-core machines.
 * Timeouts: 30 s a test and 60 s a hook, room for a unit test on a loaded 2-core machine; a suite whose work is
 * long (CDK synth, the local cloud, the demo) sets its own with vi.setConfig, so a hang elsewhere still fails.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
