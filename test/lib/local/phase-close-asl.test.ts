/**
 * The phase-close ASL's behaviour, run by aws-local-stepfunctions with stub functions behind the local "Lambda
 * service" (dispatch on FunctionName, as on AWS): the events each step gets, the alert choice, retries, the failure
 * path and what the state carries. The real handlers are exercised by phase-close.test.ts.
 */
import { describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { localFunctionArn, localPhaseCloseSubstitutions, runWorkflow, WorkflowFailedError, type WorkflowEvent } from '../../../lib/local/stepfunctions.ts';
import { PHASE_STEPS } from '../../../functions/core/contracts/phase-close-spec.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

type Stub = (event: any) => unknown;
const INPUT = { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' } as const;
const SLICES = [
  { member: 'FR', phase: 1 },
  { member: 'DE', phase: 1 },
  { member: 'FR', phase: 2 },
  { member: 'DE', phase: 2 },
];

function stubs(over: Partial<Record<string, Stub>> = {}): Record<string, Stub> {
  return {
    'phase-plan': () => ({ runLabel: 'final', prefix: 'summaries/stop-ii/phase-2/final/', workPrefix: 'work/stop-ii/phase-2/final/', slices: SLICES }),
    'phase-aggregate': (e) => ({ key: `${e.workPrefix}partials/${e.slice.member}-${e.slice.phase}.json`, lines: 3 }),
    'phase-merge': (e) => ({ aggregateKey: `${e.workPrefix}aggregate.json`, lines: e.partials.reduce((n: number, p: { lines: number }) => n + p.lines, 0) }),
    'phase-analyse': (e) => ({ analysisKey: `${e.workPrefix}analysis.json`, signals: { rising: 1, falling: 0, new: 2, alarms: 0, outliers: 0 } }),
    'phase-render': (e) => ({
      keys: { json: `${e.prefix}summary.json`, xlsx: `${e.prefix}summary.xlsx`, html: `${e.prefix}summary.html`, analystsJson: `${e.prefix}analysts/summary.json`, analystsXlsx: `${e.prefix}analysts/summary.xlsx`, analystsHtml: `${e.prefix}analysts/summary.html` },
      signalCount: 3,
      alert: true,
    }),
    'phase-store': () => ({ stored: true }),
    'phase-alerts': () => ({ sent: 2, skipped: 0 }),
    'phase-failure': () => ({ notified: true }),
    ...over,
  } as Record<string, Stub>;
}

/** Runs the file with the stubs; returns the output or the failure, every event each function got, and the event log. */
async function run(fns: Record<string, Stub>, input: object = INPUT, maxConcurrency?: number) {
  const calls: { fn: string; event: any }[] = [];
  const events: WorkflowEvent[] = [];
  const byArn = new Map(PHASE_STEPS.map((s) => [localFunctionArn(s.name), s.name]));
  const invoke = async (i: any) => {
    const fn = byArn.get(i.FunctionName);
    assert.ok(fn, `unknown FunctionName ${i.FunctionName}`);
    calls.push({ fn, event: i.Payload });
    return { StatusCode: 200, Payload: (await fns[fn]!(i.Payload)) as any };
  };
  let output: any;
  let failure: WorkflowFailedError | undefined;
  try {
    output = await runWorkflow('phase-close', input as any, {
      substitutions: localPhaseCloseSubstitutions(maxConcurrency),
      taskOverrides: Object.fromEntries(PHASE_STEPS.map((s) => [s.state, invoke])),
      retryIntervalOverrides: Object.fromEntries(PHASE_STEPS.map((s) => [s.state, 0])),
      onEvent: (e) => events.push(e),
    });
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
    failure = e;
  }
  return { output, failure, calls, events, of: (fn: string) => calls.filter((c) => c.fn === fn).map((c) => c.event) };
}

describe('phase-close.asl.json on aws-local-stepfunctions', () => {
  test('each step gets exactly the event of the contract', async () => {
    const r = await run(stubs());
    const input = INPUT;
    const work = 'work/stop-ii/phase-2/final/';
    const prefix = 'summaries/stop-ii/phase-2/final/';
    assert.deepEqual(r.of('phase-plan'), [input]);
    assert.deepEqual(
      r.of('phase-aggregate').sort((a, b) => JSON.stringify(a.slice).localeCompare(JSON.stringify(b.slice))),
      [...SLICES].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))).map((slice) => ({ input, slice, workPrefix: work })),
    );
    const partials = SLICES.map((s) => ({ key: `${work}partials/${s.member}-${s.phase}.json`, lines: 3 }));
    assert.deepEqual(r.of('phase-merge'), [{ input, partials, workPrefix: work }]);
    assert.deepEqual(r.of('phase-analyse'), [{ input, aggregateKey: `${work}aggregate.json`, workPrefix: work }]);
    assert.deepEqual(r.of('phase-render'), [{ input, aggregateKey: `${work}aggregate.json`, analysisKey: `${work}analysis.json`, prefix }]);
    const keys = (stubs()['phase-render']!({ prefix }) as { keys: object }).keys;
    assert.deepEqual(r.of('phase-store'), [{ input, prefix, keys, signalCount: 3 }]);
    assert.deepEqual(r.of('phase-alerts'), [{ input, prefix, keys, signalCount: 3 }]);
    assert.deepEqual(r.of('phase-failure'), []);
  });

  test('the output says where the reports are and what was found, without per-slice lists', async () => {
    const r = await run(stubs());
    assert.deepEqual(Object.keys(r.output).sort(), ['alert', 'alerts', 'input', 'keys', 'lines', 'prefix', 'runLabel', 'signalCount', 'signals']);
    assert.equal(r.output.lines, 12);
    assert.equal(r.output.prefix, 'summaries/stop-ii/phase-2/final/');
    assert.deepEqual(r.output.alerts, { sent: 2, skipped: 0 });
    assert.ok(!JSON.stringify(r.output).includes('partials/'));
  });

  test('extra fields of the input are dropped and a scheduled time as asOf becomes its day', async () => {
    const r = await run(stubs(), { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-11-08T06:00:00Z', note: 'x' });
    assert.deepEqual(r.of('phase-plan'), [{ operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-11-08' }]);
    assert.deepEqual(r.output.input, { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-11-08' });
  });

  test('no alert: no alert step, and the output says none were sent', async () => {
    const r = await run(stubs({ 'phase-render': (e) => ({ keys: { json: `${e.prefix}summary.json` }, signalCount: 0, alert: false }) }));
    assert.deepEqual(r.of('phase-alerts'), []);
    assert.deepEqual(r.output.alerts, { sent: 0, skipped: 0 });
    assert.equal(r.output.alert, false);
  });

  test('a failing step: the analysts are notified with the input and the error, then the execution fails with that error', async () => {
    const boom = Object.assign(new Error(JSON.stringify({ errorType: 'PhaseCloseInputError', errorMessage: 'bad', trace: [] })), { name: 'PhaseCloseInputError' });
    const r = await run(stubs({ 'phase-analyse': () => Promise.reject(boom) }));
    assert.deepEqual(r.of('phase-failure'), [{ input: INPUT, error: { Error: 'PhaseCloseInputError', Cause: boom.message } }]);
    assert.deepEqual(r.of('phase-render'), []);
    assert.ok(r.failure);
    assert.equal(r.failure.error, 'PhaseCloseInputError');
    assert.equal(r.failure.cause, boom.message);
  });

  test('a slice failing in the Map is caught by the Map and notified once', async () => {
    const r = await run(stubs({ 'phase-aggregate': (e) => (e.slice.member === 'DE' && e.slice.phase === 2 ? Promise.reject(new TypeError('slice broke')) : { key: 'k', lines: 1 }) }));
    assert.equal(r.of('phase-failure').length, 1);
    assert.equal(r.of('phase-failure')[0].error.Error, 'TypeError');
    assert.deepEqual(r.of('phase-merge'), []);
    assert.equal(r.failure?.error, 'TypeError');
  });

  test('even when the failure email fails, the execution fails with the original error', async () => {
    const r = await run(stubs({ 'phase-plan': () => Promise.reject(new RangeError('plan broke')), 'phase-failure': () => Promise.reject(new Error('SES down')) }));
    assert.equal(r.failure?.error, 'RangeError');
    assert.equal(r.failure?.cause, 'plan broke');
  });

  test('Lambda service errors are retried (up to 3 more attempts), other errors are not', async () => {
    let n = 0;
    const flaky = () => (++n <= 2 ? Promise.reject(Object.assign(new Error('rate'), { name: 'Lambda.TooManyRequestsException' })) : { stored: true });
    const ok = await run(stubs({ 'phase-store': flaky }));
    assert.equal(ok.of('phase-store').length, 3);
    assert.equal(ok.failure, undefined);

    let m = 0;
    const always = () => {
      m++;
      return Promise.reject(Object.assign(new Error('down'), { name: 'Lambda.ServiceException' }));
    };
    const ko = await run(stubs({ 'phase-store': always }));
    assert.equal(m, 4);
    assert.equal(ko.failure?.error, 'Lambda.ServiceException');

    let k = 0;
    const bug = () => {
      k++;
      return Promise.reject(new Error('bug'));
    };
    await run(stubs({ 'phase-merge': bug }));
    assert.equal(k, 1);
  });

  test("the Map runs at most AggregateMaxConcurrency slices at once", async () => {
    let now = 0;
    let peak = 0;
    const slow = async (e: any) => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 20));
      now--;
      return { key: `${e.slice.member}`, lines: 1 };
    };
    const many = Array.from({ length: 12 }, (_, i) => ({ member: `M${i}`, phase: 1 }));
    await run(stubs({ 'phase-plan': () => ({ runLabel: 'final', prefix: 'p/', workPrefix: 'w/', slices: many }), 'phase-aggregate': slow }), INPUT, 3);
    assert.equal(peak, 3);
  });

  test('the event log names each state as it is entered and left, for the CLI', async () => {
    const r = await run(stubs());
    const entered = r.events.filter((e) => e.type === 'StateEntered').map((e) => (e as { state: { name: string } }).state.name);
    for (const s of ['Normalise', 'Plan', 'Aggregate', 'AggregateSlice', 'Merge', 'Analyse', 'Render', 'StoreSummary', 'AnyAlert', 'SendAlerts', 'Done']) {
      assert.ok(entered.includes(s), s);
    }
    assert.equal(r.events.at(-1)?.type, 'ExecutionSucceeded');
  });
});
