import { test } from 'vitest';
import assert from 'node:assert/strict';
import { planRun, PhaseCloseInputError, validateInput } from '../../../../functions/core/phase/input.ts';
import { CONFIG } from './fixtures.ts';

test('the plan has one slice per Member, of the phase closed (it reads the earlier ones too), and the run prefixes', () => {
  const p = planRun({ operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-07-12' }, CONFIG);
  assert.equal(p.runLabel, 'interim-2021-07-12');
  assert.equal(p.prefix, 'summaries/stop-ii/phase-2/interim-2021-07-12/');
  assert.equal(p.workPrefix, 'work/stop-ii/phase-2/interim-2021-07-12/');
  assert.deepEqual(p.slices, [
    { member: 'FR', phase: 2 },
    { member: 'DE', phase: 2 },
    { member: 'ES', phase: 2 },
    { member: 'NL', phase: 2 },
  ]);
  assert.equal(planRun({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-06-28' }, CONFIG).slices.length, 4);
});

test('an unknown operation or phase, a bad mode or date is a PhaseCloseInputError naming each problem', () => {
  assert.throws(
    () => validateInput({ operation: 'stop-iii', phase: 7, mode: 'weekly', asOf: '2021-02-30' }, CONFIG),
    (e: Error) => {
      assert.ok(e instanceof PhaseCloseInputError);
      for (const s of ['unknown operation "stop-iii"', 'unknown phase 7', 'mode must be', 'asOf must be a date'])
        assert.ok(e.message.includes(s), s);
      return true;
    },
  );
  assert.throws(() => validateInput(null, CONFIG), PhaseCloseInputError);
});

test('an interim run before its phase has started is refused', () => {
  assert.throws(
    () => validateInput({ operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-06-01' }, CONFIG),
    /on or after the phase's start/,
  );
});
