/**
 * The inputs of the README's cost table for the phase close: one final run of phase 3 (every phase read) over N stored
 * lines of STOP II's 160 Members on the local cloud, timing every Task invocation (the handler's own time, as Lambda
 * bills it) and counting the state transitions Step Functions would bill. Prints, per function: invocations, seconds,
 * memory and GB-seconds; then transitions. Uses the cached seed of `npm run bench -- phase-close` (measure-cloud.ts).
 *
 *   BENCH_PHASE_LINES=4034 tsx test/bench/phase-cost.ts
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { startLocalCloud } from '../../lib/local/index.ts';
import { PHASE_STEPS } from '../../functions/core/contracts/phase-close-spec.ts';
import { BENCH_DIR } from './fixtures.ts';

const N = Number(process.env.BENCH_PHASE_LINES ?? 4034);
execFileSync(
  resolve(PROJECT_ROOT, 'node_modules/.bin/tsx'),
  [resolve(PROJECT_ROOT, 'test/bench/measure-cloud.ts'), 'phase-seed', String(N)],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const cloud = await startLocalCloud({ dataDir: join(BENCH_DIR, `phase-close-${N}`), ports: { s3: 0, dynamodb: 0, ses: 0 } });
const byStep = new Map(PHASE_STEPS.map((s) => [s.name, { calls: 0, ms: 0, memory: s.memorySize }]));
let transitions = 0;
const t0 = performance.now();
const out = await cloud.closePhase(
  { operation: 'stop-ii', phase: 3, mode: 'final', asOf: '2022-05-05' },
  {
    wrap: Object.fromEntries(
      PHASE_STEPS.map((s) => [
        s.name,
        (real) => async (event, context) => {
          const t = performance.now();
          try {
            return await real(event, context);
          } finally {
            const b = byStep.get(s.name)!;
            b.calls++;
            b.ms += performance.now() - t;
          }
        },
      ]),
    ),
    onEvent: (e) => {
      if (e.type === 'StateEntered') transitions++;
    },
  },
);
const wall = (performance.now() - t0) / 1000;
await cloud.stop();
console.log(`# phase close, final phase 3, ${out.lines} lines read, ${N} stored (${new Date().toISOString()})`);
let total = 0;
for (const [name, b] of byStep) {
  const gbs = (b.ms / 1000) * (b.memory / 1024);
  total += gbs;
  console.log(
    `${name.padEnd(16)} ${String(b.calls).padStart(4)} call(s) ${(b.ms / 1000).toFixed(2).padStart(8)} s  ${String(b.memory).padStart(5)} MB  ${gbs.toFixed(2).padStart(8)} GB-s`,
  );
}
console.log(
  `total ${total.toFixed(1)} GB-s; ${transitions} states entered (billed transitions); wall ${wall.toFixed(1)} s; ${out.alerts.sent} email(s) sent`,
);
