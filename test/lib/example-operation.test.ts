/**
 * bin/ops/example-future-operation.json, the config to copy for a new operation: it passes `config check`, and with
 * its dates ahead (now pinned before phase 1) its synth creates every schedule: a weekly interim run and a final run
 * per phase. With now pinned inside phase 2, phase 1's schedules are gone and phase 2's weekly one has no start date.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { checkDeployableConfig } from '../../functions/core/contracts/operation-env.ts';
import { phaseSchedules, WEEKLY_EXPRESSION } from '../../lib/phase-close.ts';
import { SeizurePipelineStack, stackNameFor } from '../../lib/seizure-pipeline-stack.ts';
import { CDK_CONTEXT } from './helpers.ts';

const FILE = resolve(PROJECT_ROOT, 'bin/ops/example-future-operation.json');
const NOW = new Date('2026-12-01T12:00:00Z');

describe('the example future operation', () => {
  const check = checkDeployableConfig(JSON.parse(readFileSync(FILE, 'utf8')));
  let t: Template;
  beforeAll(() => {
    const app = new App({ context: { ...CDK_CONTEXT, operation: FILE, 'aws:cdk:bundling-stacks': [] } });
    const stack = new SeizurePipelineStack(app, stackNameFor(check.config!), { operation: check.config!, phaseClose: { now: NOW } });
    t = Template.fromStack(stack);
  });

  test('is a valid config with its dates in the future', () => {
    assert.deepEqual(check.errors, []);
    assert.ok(check.config!.phases.every((p) => p.start > NOW.toISOString().slice(0, 10)));
  });

  test('its synth creates a weekly interim schedule (start to end of each phase) and a one-time final run per phase', () => {
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    assert.equal(schedules.length, 6);
    const weekly = schedules.filter((s) => s.ScheduleExpression === WEEKLY_EXPRESSION);
    assert.deepEqual(
      weekly.map((s) => [s.StartDate, s.EndDate]),
      [
        ['2027-03-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z'],
        ['2027-06-01T00:00:00.000Z', '2027-09-01T00:00:00.000Z'],
        ['2027-09-01T00:00:00.000Z', '2027-12-01T00:00:00.000Z'],
      ],
    );
    const finals = schedules.filter((s) => String(s.ScheduleExpression).startsWith('at('));
    assert.deepEqual(
      finals.map((s) => s.ScheduleExpression),
      ['at(2027-06-01T06:00:00)', 'at(2027-09-01T06:00:00)', 'at(2027-12-01T06:00:00)'],
    );
    for (const s of schedules) assert.equal(s.ScheduleExpressionTimezone, 'Etc/UTC');
    const inputs = finals.map((s) => JSON.parse(s.Target.Input));
    assert.deepEqual(
      inputs,
      [1, 2, 3].map((phase, i) => ({
        operation: 'stop-iii-example',
        phase,
        mode: 'final',
        asOf: ['2027-06-01', '2027-09-01', '2027-12-01'][i],
      })),
    );
  });

  test('once phase 2 is under way, phase 1 has no schedule left and phase 2 runs weekly from now on', () => {
    const plan = phaseSchedules(check.config!, new Date('2027-07-15T00:00:00Z'));
    assert.deepEqual(
      plan.map((s) => s.id),
      ['InterimPhase2', 'FinalPhase2', 'InterimPhase3', 'FinalPhase3'],
    );
    assert.equal(plan[0]!.start, undefined);
  });
});
