import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, loadOperationConfig, parseOperationConfig, phaseOf } from '../../../../functions/core/operation/config.ts';

test('the shipped cdk.json holds STOP II with its three phases and 160 Members', () => {
  const c = loadOperationConfig();
  assert.equal(c.id, 'stop-ii');
  assert.deepEqual(
    c.phases.map((p) => [p.phase, p.start, p.end]),
    [
      [1, '2021-04-30', '2021-09-30'],
      [2, '2021-10-01', '2022-01-31'],
      [3, '2022-02-01', '2022-05-04'],
    ],
  );
  assert.equal(c.members.length, 160);
});

test('phaseOf includes both ends of a phase and nothing between operations', () => {
  const c = loadOperationConfig();
  assert.equal(phaseOf(c, '2021-04-30')?.phase, 1);
  assert.equal(phaseOf(c, '2021-09-30')?.phase, 1);
  assert.equal(phaseOf(c, '2021-10-01')?.phase, 2);
  assert.equal(phaseOf(c, '2022-05-04')?.phase, 3);
  assert.equal(phaseOf(c, '2022-05-05'), undefined);
  assert.equal(phaseOf(c, '2021-04-29'), undefined);
});

test('overlapping phases are refused with a message naming them', () => {
  assert.throws(
    () =>
      parseOperationConfig({
        id: 'x',
        members: [],
        phases: [
          { phase: 1, start: '2021-01-01', end: '2021-02-01' },
          { phase: 2, start: '2021-02-01', end: '2021-03-01' },
        ],
      }),
    (e: unknown) => e instanceof ConfigError && /phases 1 and 2 overlap/.test(e.message),
  );
});
