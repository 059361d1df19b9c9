/**
 * seizures close-phase without a cloud: the execution input from the flags, the AWS path against a stub Step
 * Functions client (start, follow the history, end), and the progress lines. The local path runs end to end in
 * test/lib/local/phase-close.test.ts.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  closePhaseInput,
  describeFailure,
  followAwsExecution,
  fromHistoryEvent,
  phaseOfFlag,
  printer,
  type StepEvent,
} from '../../bin/cli/close-phase.ts';
import { UsageError } from '../../bin/cli/common.ts';
import type { Progress } from '../../bin/cli/progress.ts';
import { loadOperationConfig } from '../../functions/core/operation/config.ts';

const config = loadOperationConfig();
const phase2 = config.phases.find((p) => p.phase === 2)!;

function recorder(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, step: (t) => lines.push(`step ${t}`), note: (t) => lines.push(`note ${t}`), done: () => {} };
}

describe('close-phase input', () => {
  test('a final run is as of the day after the phase ends, as its schedule runs it', () => {
    assert.deepEqual(closePhaseInput(config, { phase: phase2, interim: false }), {
      operation: 'stop-ii',
      phase: 2,
      mode: 'final',
      asOf: '2022-02-01',
    });
  });

  test('an interim run is as of today unless --as-of says otherwise', () => {
    assert.deepEqual(closePhaseInput(config, { phase: phase2, interim: true, today: '2021-12-20' }).asOf, '2021-12-20');
    assert.deepEqual(closePhaseInput(config, { phase: phase2, interim: true, asOf: '2021-11-08' }), {
      operation: 'stop-ii',
      phase: 2,
      mode: 'interim',
      asOf: '2021-11-08',
    });
  });

  test('wrong usage: unknown phase, a date that is not a day, an interim run before the phase starts', () => {
    assert.throws(() => phaseOfFlag(config, undefined), UsageError);
    assert.throws(() => phaseOfFlag(config, '9'), /--phase must be one of 1, 2, 3/);
    assert.throws(() => phaseOfFlag(config, '2x'), UsageError);
    assert.throws(() => closePhaseInput(config, { phase: phase2, interim: false, asOf: '2022-02-30' }), /YYYY-MM-DD/);
    assert.throws(() => closePhaseInput(config, { phase: phase2, interim: true, asOf: '2021-09-30' }), /on or after its start, 2021-10-01/);
  });
});

describe('close-phase --aws', () => {
  const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:PhaseClose';
  const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:PhaseClose:manual';
  const OUTPUT = {
    input: { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' },
    runLabel: 'final',
    prefix: 'summaries/stop-ii/phase-2/final/',
    lines: 26,
    signals: {},
    signalCount: 3,
    alert: true,
    keys: { json: 'summaries/stop-ii/phase-2/final/summary.json' },
    alerts: { sent: 4, skipped: 0 },
  };
  const entered = (id: number, type: string, name: string): HistoryEvent => ({
    id,
    type: type as HistoryEvent['type'],
    timestamp: new Date(),
    stateEnteredEventDetails: { name },
  });
  const exited = (id: number, type: string, name: string): HistoryEvent => ({
    id,
    type: type as HistoryEvent['type'],
    timestamp: new Date(),
    stateExitedEventDetails: { name },
  });
  const HISTORY: HistoryEvent[] = [
    { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
    entered(2, 'PassStateEntered', 'Normalise'),
    exited(3, 'PassStateExited', 'Normalise'),
    entered(4, 'TaskStateEntered', 'Plan'),
    exited(5, 'TaskStateExited', 'Plan'),
    entered(6, 'MapStateEntered', 'Aggregate'),
    { id: 7, type: 'MapStateStarted', timestamp: new Date(), mapStateStartedEventDetails: { length: 2 } },
    entered(8, 'TaskStateEntered', 'AggregateSlice'),
    exited(9, 'TaskStateExited', 'AggregateSlice'),
    { id: 10, type: 'MapIterationSucceeded', timestamp: new Date(), mapIterationSucceededEventDetails: { name: 'Aggregate', index: 0 } },
    entered(11, 'TaskStateEntered', 'AggregateSlice'),
    exited(12, 'TaskStateExited', 'AggregateSlice'),
    { id: 13, type: 'MapIterationSucceeded', timestamp: new Date(), mapIterationSucceededEventDetails: { name: 'Aggregate', index: 1 } },
    exited(14, 'MapStateExited', 'Aggregate'),
    entered(15, 'TaskStateEntered', 'Merge'),
    exited(16, 'TaskStateExited', 'Merge'),
  ];

  /** A Step Functions stub: the execution runs for `polls` looks, its history grows, then it ends with `end`. */
  function stubSfn(end: { status: string; output?: string; error?: string; cause?: string }, polls = 2) {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    let looks = 0;
    return {
      sent,
      async send(cmd: { constructor: { name: string }; input: Record<string, unknown> }) {
        sent.push({ name: cmd.constructor.name, input: cmd.input });
        switch (cmd.constructor.name) {
          case 'StartExecutionCommand':
            return { executionArn: EXEC };
          case 'DescribeExecutionCommand':
            looks++;
            return looks >= polls ? end : { status: 'RUNNING' };
          case 'GetExecutionHistoryCommand': {
            // Newest first, in pages of 3, growing with each look.
            const visible = HISTORY.slice(0, Math.ceil((HISTORY.length * looks) / polls)).reverse();
            const from = Number(cmd.input.nextToken ?? 0);
            const page = visible.slice(from, from + 3);
            return { events: page, ...(from + 3 < visible.length ? { nextToken: String(from + 3) } : {}) };
          }
          default:
            throw new Error(`unexpected ${cmd.constructor.name}`);
        }
      },
    };
  }

  test('starts the execution with the input, follows the history once per event, returns the output when it succeeds', async () => {
    const sfn = stubSfn({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
    const p = recorder();
    const input = { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' } as const;
    const outcome = await followAwsExecution(sfn, ARN, input, p, { pollMs: 1, name: 'manual' });
    assert.deepEqual(outcome, { ok: true, output: OUTPUT });
    const start = sfn.sent.find((s) => s.name === 'StartExecutionCommand')!;
    assert.deepEqual(start.input, { stateMachineArn: ARN, name: 'manual', input: JSON.stringify(input) });
    assert.ok(sfn.sent.filter((s) => s.name === 'GetExecutionHistoryCommand').every((s) => s.input.reverseOrder === true));
    const notes = p.lines.filter((l) => l.startsWith('note'));
    assert.deepEqual(
      notes.slice(1).map((l) => l.replace(/ \(\d+\.\d s\)$/, '')),
      ['note Plan: done', 'note Aggregate: 2/2 slice(s) aggregated', 'note Merge: done'],
    );
  });

  test('a failed execution: its error and cause, and where it is', async () => {
    const cause = JSON.stringify({ errorType: 'PhaseCloseInputError', errorMessage: 'merge: 1 slice(s) have no partial', trace: [] });
    const outcome = await followAwsExecution(
      stubSfn({ status: 'FAILED', error: 'PhaseCloseInputError', cause }, 1),
      ARN,
      { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' },
      recorder(),
      { pollMs: 1 },
    );
    assert.deepEqual(outcome, { ok: false, error: 'PhaseCloseInputError', cause, where: EXEC });
    assert.equal(describeFailure('PhaseCloseInputError', cause), 'PhaseCloseInputError: merge: 1 slice(s) have no partial');
    assert.equal(describeFailure('States.Timeout', 'not json'), 'States.Timeout: not json');
  });

  test('the states inside the Map are counted, not printed', () => {
    const ctx = { mapDepth: 0 };
    const events = HISTORY.map((h) => fromHistoryEvent(h, ctx)).filter((e) => e.kind !== 'ignored');
    assert.deepEqual(
      events.map((e) => `${e.kind} ${'state' in e ? e.state : ''}`),
      [
        'entered Normalise',
        'exited Normalise',
        'entered Plan',
        'exited Plan',
        'entered Aggregate',
        'map-started Aggregate',
        'iteration-done Aggregate',
        'iteration-done Aggregate',
        'exited Aggregate',
        'entered Merge',
        'exited Merge',
      ],
    );
  });
});

test('progress: a big Map prints about twenty updates, not one per slice', () => {
  const p = recorder();
  const show = printer(p);
  show({ kind: 'entered', state: 'Aggregate', type: 'Map', total: 480 });
  for (let i = 0; i < 480; i++) show({ kind: 'iteration-done', state: 'Aggregate' } as StepEvent);
  show({ kind: 'exited', state: 'Aggregate', type: 'Map' });
  const steps = p.lines.filter((l) => l.startsWith('step'));
  assert.ok(steps.length <= 22, `${steps.length} updates`);
  assert.match(p.lines.at(-1)!, /^note Aggregate: 480\/480 slice\(s\) aggregated/);
});
