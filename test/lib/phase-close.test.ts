import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOperationConfig } from '../../functions/core/operation/config.ts';
import { localPhaseCloseSubstitutions, loadWorkflow, taskStatesOf } from '../../lib/local/stepfunctions.ts';
import { PhaseClose, phaseSchedules, SCHEDULED_TIME, WEEKLY_EXPRESSION } from '../../lib/phase-close.ts';
import {
  contactsKeyFor,
  MAX_CONCURRENCY_PLACEHOLDER,
  PHASE_STEPS,
  phaseCloseAslText,
  placeholdersOf,
} from '../../functions/core/contracts/phase-close-spec.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { acknowledgements, unacknowledgedFindings } from '../helpers/nag.ts';
import { CDK_CONTEXT, ECHO_ENTRY, OPERATION, actionsOf, flatten, logicalId, resourcesOf, statementsOfRole } from './helpers.ts';

const PORTAL = 'https://portal.example.org';

/** Before STOP II's first phase: every schedule is still to come. */
const BEFORE = new Date('2021-01-01T00:00:00Z');
const ECHO_ENTRIES = Object.fromEntries(PHASE_STEPS.map((s) => [s.name, ECHO_ENTRY]));
const RETRIED = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
];

/** An app that does not bundle (the construct's wiring is under test, not the handlers): synth takes a second. */
const fastApp = () => new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });

function build(id: string, opts: { encryption?: 'CUSTOMER_KEY' } = {}) {
  const stack = new Stack(fastApp(), id);
  const storage = new SeizureStorage(stack, 'Storage', opts.encryption ? { encryption: opts.encryption } : {});
  const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  const phaseClose = new PhaseClose(stack, 'PhaseClose', {
    bucket: storage.bucket,
    table: storage.table,
    operation: OPERATION,
    alarmTopic: topic,
    now: BEFORE,
    entries: ECHO_ENTRIES,
    portalUrl: PORTAL,
  });
  return { stack, storage, topic, phaseClose, t: Template.fromStack(stack) };
}

type Schedule = { Properties: Record<string, any> };

describe('PhaseClose', () => {
  let b: ReturnType<typeof build>;
  let withKey: ReturnType<typeof build>;
  let schedules: Schedule[];
  let smProps: Record<string, any>;

  beforeAll(() => {
    b = build('PhaseCloseTest');
    withKey = build('PhaseCloseWithKey', { encryption: 'CUSTOMER_KEY' });
    schedules = Object.values(b.t.findResources('AWS::Scheduler::Schedule')) as Schedule[];
    smProps = b.t.findResources('AWS::StepFunctions::StateMachine')[logicalId(b.phaseClose.stateMachine)]!.Properties;
  });

  test('the state machine logs every event with execution data to its own log group, and is traced with X-Ray', () => {
    assert.deepEqual(smProps.LoggingConfiguration, {
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(b.phaseClose.logGroup), 'Arn'] } } }],
      IncludeExecutionData: true,
      Level: 'ALL',
    });
    assert.deepEqual(smProps.TracingConfiguration, { Enabled: true });
    assert.equal(smProps.StateMachineType, 'STANDARD');
  });

  test('the definition is the ASL file itself (an S3 asset), not a definition rebuilt in code', () => {
    assert.ok(smProps.DefinitionS3Location, 'DefinitionS3Location');
    assert.equal(smProps.DefinitionString, undefined);
  });

  test('alarms on failed, timed-out and throttled executions notify the alarms topic (and again when OK)', () => {
    const alarms = Object.values(b.t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byMetric = new Map(alarms.map((a) => [a.MetricName as string, a]));
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled']) {
      const a = byMetric.get(metric);
      assert.ok(a, `an alarm on ${metric}`);
      assert.equal(a.Namespace, 'AWS/States');
      assert.deepEqual(a.Dimensions, [{ Name: 'StateMachineArn', Value: { Ref: logicalId(b.phaseClose.stateMachine) } }]);
      assert.equal(a.Threshold, 0);
      assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(a.TreatMissingData, 'notBreaching');
      assert.deepEqual(a.AlarmActions, [{ Ref: logicalId(b.topic) }]);
      assert.deepEqual(a.OKActions, [{ Ref: logicalId(b.topic) }]);
    }
  });

  test('one one-time schedule per phase, the day after its end at 06:00 UTC, mode final with asOf that day', () => {
    const finals = schedules.filter((s) => s.Properties.ScheduleExpression.startsWith('at('));
    assert.deepEqual(
      finals.map((s) => [s.Properties.ScheduleExpression, s.Properties.ScheduleExpressionTimezone, JSON.parse(s.Properties.Target.Input)]),
      [
        ['at(2021-10-01T06:00:00)', 'Etc/UTC', { operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-10-01' }],
        ['at(2022-02-01T06:00:00)', 'Etc/UTC', { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' }],
        ['at(2022-05-05T06:00:00)', 'Etc/UTC', { operation: 'stop-ii', phase: 3, mode: 'final', asOf: '2022-05-05' }],
      ],
    );
    for (const s of finals) assert.equal(s.Properties.FlexibleTimeWindow.Mode, 'OFF');
  });

  test('one weekly schedule per phase, Monday 06:00 UTC, from its first day to its last, mode interim with asOf the scheduled time', () => {
    const weekly = schedules.filter((s) => s.Properties.ScheduleExpression.startsWith('cron('));
    assert.deepEqual(
      weekly.map((s) => [
        s.Properties.ScheduleExpression,
        s.Properties.ScheduleExpressionTimezone,
        s.Properties.StartDate,
        s.Properties.EndDate,
        JSON.parse(s.Properties.Target.Input),
      ]),
      [
        [
          'cron(0 6 ? * MON *)',
          'Etc/UTC',
          '2021-04-30T00:00:00.000Z',
          '2021-10-01T00:00:00.000Z',
          { operation: 'stop-ii', phase: 1, mode: 'interim', asOf: '<aws.scheduler.scheduled-time>' },
        ],
        [
          'cron(0 6 ? * MON *)',
          'Etc/UTC',
          '2021-10-01T00:00:00.000Z',
          '2022-02-01T00:00:00.000Z',
          { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '<aws.scheduler.scheduled-time>' },
        ],
        [
          'cron(0 6 ? * MON *)',
          'Etc/UTC',
          '2022-02-01T00:00:00.000Z',
          '2022-05-05T00:00:00.000Z',
          { operation: 'stop-ii', phase: 3, mode: 'interim', asOf: '<aws.scheduler.scheduled-time>' },
        ],
      ],
    );
  });

  test('every schedule starts this state machine with the scheduler role, which only Scheduler of this account may assume', () => {
    const roleId = logicalId(b.phaseClose.schedulerRole);
    for (const s of schedules) {
      assert.deepEqual(s.Properties.Target.Arn, { Ref: logicalId(b.phaseClose.stateMachine) });
      assert.deepEqual(s.Properties.Target.RoleArn, { 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    const role = b.t.findResources('AWS::IAM::Role')[roleId]!.Properties;
    assert.deepEqual(role.AssumeRolePolicyDocument.Statement, [
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const statements = statementsOfRole(b.t, roleId);
    assert.deepEqual(statements.flatMap(actionsOf), ['states:StartExecution']);
    assert.deepEqual(statements.flatMap(resourcesOf), [`<${logicalId(b.phaseClose.stateMachine)}>`]);
  });

  test('the schedules still to come: none for a phase that is over, no start date for a phase under way', () => {
    const midPhase2 = phaseSchedules(OPERATION, new Date('2021-12-15T12:00:00Z'));
    assert.deepEqual(
      midPhase2.map((s) => [s.id, s.expression, s.start?.toISOString(), s.end?.toISOString()]),
      [
        ['InterimPhase2', WEEKLY_EXPRESSION, undefined, '2022-02-01T00:00:00.000Z'],
        ['FinalPhase2', 'at(2022-02-01T06:00:00)', undefined, undefined],
        ['InterimPhase3', WEEKLY_EXPRESSION, '2022-02-01T00:00:00.000Z', '2022-05-05T00:00:00.000Z'],
        ['FinalPhase3', 'at(2022-05-05T06:00:00)', undefined, undefined],
      ],
    );
    // After the last weekly run of phase 2 but before its final run: only the final one is left for phase 2.
    assert.deepEqual(
      phaseSchedules(OPERATION, new Date('2022-01-31T07:00:00Z')).map((s) => s.id),
      ['FinalPhase2', 'InterimPhase3', 'FinalPhase3'],
    );
    assert.deepEqual(phaseSchedules(OPERATION, new Date('2022-05-05T06:00:00Z')), []);
    // A phase with no Monday in it has no weekly schedule.
    const short = parseOperationConfig({ ...OPERATION, phases: [{ phase: 1, start: '2023-01-03', end: '2023-01-06' }] });
    assert.deepEqual(
      phaseSchedules(short, BEFORE).map((s) => s.id),
      ['FinalPhase1'],
    );
    assert.equal(SCHEDULED_TIME, '<aws.scheduler.scheduled-time>');
  });

  test('every ${...} of the ASL file is substituted by the CDK construct, each function placeholder by the ARN of its step', () => {
    const inFile = placeholdersOf(phaseCloseAslText()).sort();
    assert.ok(inFile.length > 0);
    assert.deepEqual(Object.keys(smProps.DefinitionSubstitutions).sort(), inFile);
    for (const step of PHASE_STEPS) {
      assert.deepEqual(
        smProps.DefinitionSubstitutions[step.placeholder],
        { 'Fn::GetAtt': [logicalId(b.phaseClose.functions[step.name]!), 'Arn'] },
        step.name,
      );
    }
    assert.equal(smProps.DefinitionSubstitutions[MAX_CONCURRENCY_PLACEHOLDER], '10');
  });

  test('every ${...} of the ASL file is substituted by the local runner, and what remains is a valid definition', async () => {
    const inFile = placeholdersOf(phaseCloseAslText()).sort();
    assert.deepEqual(Object.keys(localPhaseCloseSubstitutions()).sort(), inFile);
    const def = await loadWorkflow('phase-close', localPhaseCloseSubstitutions());
    assert.ok(!JSON.stringify(def).includes('${'));
    // aws-local-stepfunctions validates the definition (ARNs and JSONPaths included) when it is constructed.
    const { StateMachine } = await import('aws-local-stepfunctions');
    assert.doesNotThrow(() => new StateMachine(def, { validationOptions: { checkArn: true, checkPaths: true } }));
  });

  test('the ASL file is JSON in JSONPath only: no QueryLanguage JSONata, no {% %} expression', () => {
    const text = phaseCloseAslText();
    const def = JSON.parse(text);
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => walk(x, `${path}[${i}]`));
        return;
      }
      if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'QueryLanguage') assert.equal(x, 'JSONPath', `${path}.QueryLanguage`);
          assert.ok(!['Arguments', 'Output', 'Assign'].includes(k), `${path}.${k} is JSONata-only or variables`);
          walk(x, `${path}.${k}`);
        }
      } else if (typeof v === 'string') assert.ok(!/\{%.*%\}/s.test(v), `${path} holds a JSONata expression`);
    };
    walk(def, '$');
  });

  test('every Task invokes its step with lambda:invoke, retries Lambda service errors and timeouts with backoff, and times out after its function', async () => {
    const def = await loadWorkflow('phase-close', localPhaseCloseSubstitutions());
    const flat: Record<string, any> = { ...def.States, ...(def.States.Aggregate as any).ItemProcessor.States };
    assert.deepEqual(taskStatesOf(def).sort(), PHASE_STEPS.map((s) => s.state).sort());
    const raw = JSON.parse(phaseCloseAslText());
    const rawFlat: Record<string, any> = { ...raw.States, ...raw.States.Aggregate.ItemProcessor.States };
    for (const step of PHASE_STEPS) {
      const s = flat[step.state];
      assert.equal(s.Resource, 'arn:aws:states:::lambda:invoke', step.state);
      assert.equal(rawFlat[step.state].Parameters.FunctionName, `\${${step.placeholder}}`, step.state);
      assert.deepEqual(
        s.Retry,
        [{ ErrorEquals: RETRIED, IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' }],
        step.state,
      );
      assert.ok(
        s.TimeoutSeconds > step.timeoutSeconds,
        `${step.state}: TimeoutSeconds ${s.TimeoutSeconds} must exceed the function's ${step.timeoutSeconds} s`,
      );
      assert.ok(s.ResultSelector, `${step.state} keeps only the fields it needs of the Lambda response`);
    }
  });

  test('every state that can fail is caught (States.ALL, ResultPath $.error) by NotifyFailure, which ends in the Fail state', () => {
    const raw = JSON.parse(phaseCloseAslText());
    for (const [name, s] of Object.entries<any>(raw.States)) {
      if (!['Task', 'Map'].includes(s.Type)) continue;
      if (name === 'NotifyFailure') {
        assert.equal(s.Next, 'Failed');
        assert.deepEqual(s.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: 'Failed' }]);
      } else assert.deepEqual(s.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' }], name);
    }
    assert.deepEqual(raw.States.Failed, { ...raw.States.Failed, Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test("the functions get BUCKET_NAME, TABLE_NAME, OPERATION_CONFIG, CONTACTS_KEY and MAIL_FROM, within Lambda's 4 KB", () => {
    for (const step of PHASE_STEPS) {
      const fn = b.t.findResources('AWS::Lambda::Function')[logicalId(b.phaseClose.functions[step.name]!)]!.Properties;
      const vars = fn.Environment.Variables as Record<string, unknown>;
      assert.deepEqual(vars.BUCKET_NAME, { Ref: logicalId(b.storage.bucket) }, step.name);
      assert.deepEqual(vars.TABLE_NAME, { Ref: logicalId(b.storage.table) }, step.name);
      assert.deepEqual(parseOperationConfig(JSON.parse(vars.OPERATION_CONFIG as string)).phases, OPERATION.phases);
      assert.equal(vars.CONTACTS_KEY, 'config/stop-ii/contacts.json');
      assert.equal(vars.MAIL_FROM, OPERATION.mailFrom);
      assert.equal(fn.Timeout, step.timeoutSeconds);
      const size = Object.entries(vars).reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? v.length : 64), 0);
      assert.ok(size < 4096, `${step.name}: ${size} bytes of environment`);
    }
  });

  // Issue 17: the emails link to the portal only; the alerts function alone gets its address.
  test('phase-alerts alone gets PORTAL_URL, the portal the emails link to', () => {
    for (const step of PHASE_STEPS) {
      const fn = b.t.findResources('AWS::Lambda::Function')[logicalId(b.phaseClose.functions[step.name]!)]!.Properties;
      assert.equal(fn.Environment.Variables.PORTAL_URL, step.name === 'phase-alerts' ? PORTAL : undefined, step.name);
    }
    // A portal given first (the operation's own, e.g. a custom domain) wins over one linked later (CloudFront's).
    assert.equal(b.phaseClose.linkPortal('https://d111.cloudfront.net'), PORTAL);
  });

  test('without a portal to link to, synth fails naming what to set (no email goes out with a presigned link instead)', () => {
    const app = fastApp();
    const stack = new Stack(app, 'NoPortal');
    const storage = new SeizureStorage(stack, 'Storage');
    new PhaseClose(stack, 'PhaseClose', {
      bucket: storage.bucket,
      table: storage.table,
      operation: OPERATION,
      now: BEFORE,
      entries: ECHO_ENTRIES,
    });
    assert.throws(() => app.synth(), /no portal to link to: set portalUrl/);
    const ok = new Stack(fastApp(), 'PortalInConfig');
    const s2 = new SeizureStorage(ok, 'Storage');
    const pc = new PhaseClose(ok, 'PhaseClose', {
      bucket: s2.bucket,
      table: s2.table,
      operation: { ...OPERATION, portalUrl: 'https://seizures.example.org' },
      now: BEFORE,
      entries: ECHO_ENTRIES,
    });
    const fn = Template.fromStack(ok).findResources('AWS::Lambda::Function')[logicalId(pc.functions['phase-alerts']!)]!.Properties;
    assert.equal(fn.Environment.Variables.PORTAL_URL, 'https://seizures.example.org');
    assert.throws(() => pc.linkPortal('http://example.org'), /must be https/);
  });

  test('the state machine may invoke exactly its eight functions', () => {
    const statements = statementsOfRole(b.t, logicalId(b.phaseClose.stateMachine.role));
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    assert.deepEqual(
      invoke.flatMap(resourcesOf).sort(),
      PHASE_STEPS.map((s) => `<${logicalId(b.phaseClose.functions[s.name]!)}.Arn>`).sort(),
    );
  });

  test("only the alert and failure functions may send email, from the operation's sender identity", () => {
    for (const step of PHASE_STEPS) {
      const statements = statementsOfRole(b.t, logicalId(b.phaseClose.functions[step.name]!.role!));
      const ses = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      if (step.name === 'phase-alerts' || step.name === 'phase-failure') {
        assert.deepEqual(ses.flatMap(actionsOf), ['ses:SendEmail'], step.name);
        assert.deepEqual(
          ses.flatMap(resourcesOf).sort(),
          ['stop-ii.example.org', 'stop-ii@stop-ii.example.org'].map(
            (i) => `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${i}`,
          ),
        );
      } else assert.deepEqual(ses, [], step.name);
    }
  });

  test('the functions that write the table write only their own kinds of item: summaries, alert markers (LeadingKeys deny)', () => {
    const own: Record<string, string[]> = { 'phase-store': ['SUMMARY#*'], 'phase-alerts': ['ALERT#*'] };
    for (const step of PHASE_STEPS) {
      const statements = statementsOfRole(b.t, logicalId(b.phaseClose.functions[step.name]!.role!));
      const writes = statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('dynamodb:PutItem'));
      const deny = statements.find((s) => s.Sid === 'WritesOnlyItsOwnItems');
      if (writes.length === 0) {
        assert.equal(deny, undefined, step.name);
        continue;
      }
      assert.ok(own[step.name], `${step.name} may write the table but is not confined`);
      assert.equal(deny?.Effect, 'Deny', step.name);
      assert.deepEqual([...actionsOf(deny!)].sort(), [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      assert.deepEqual(deny!.Condition, { 'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': own[step.name] } }, step.name);
    }
  });

  test('the contacts file (every Member with its NCP address and language, the analysts) is put at deploy time, with PutObject on that key only', () => {
    const [res] = Object.values(b.t.findResources('Custom::PhaseCloseContacts'));
    const call = JSON.parse(flatten(res!.Properties.Create));
    assert.equal(call.action, 'PutObject');
    assert.equal(call.parameters.Key, contactsKeyFor(OPERATION));
    const body = JSON.parse(call.parameters.Body);
    assert.equal(body.members.length, OPERATION.members.length);
    assert.deepEqual(body.members[0], { code: 'AF', ncpEmail: 'ncp.af@customs.example.org', language: 'en' });
    assert.deepEqual(body.analysts, OPERATION.analysts);
    assert.deepEqual(JSON.parse(flatten(res!.Properties.Update)), call);
    const policies = Object.values(b.t.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string }[]).some(
        (s) => s.Action === 's3:PutObject' && flatten((s as any).Resource).endsWith('/config/stop-ii/contacts.json'),
      ),
    );
    assert.equal(policies.length, 1);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding (also with a customer managed key)', () => {
    for (const { stack } of [b, withKey]) {
      const v = new AwsSolutionsChecks().validateScope(stack).violations;
      assert.deepEqual(
        v.map((x) => `${x.ruleName} ${x.violatingResources.map((r) => r.constructPath).join(',')}`),
        [],
        stack.stackName,
      );
    }
  });

  for (const which of ['defaults', 'customer key'] as const) {
    test(`every nag acknowledgement of the phase close answers a real finding, with a reason (${which})`, () => {
      const { stack } = which === 'defaults' ? b : withKey;
      const findings = unacknowledgedFindings(stack);
      const acks = acknowledgements(stack).filter((a) => !a.path.includes('/Storage'));
      assert.ok(acks.length > 0);
      for (const a of acks) {
        assert.ok(a.reason.length > 40, `${a.id} on ${a.path} needs a reason`);
        assert.ok(
          findings.some((f) => f.id === a.id && f.path.startsWith(a.path)),
          `acknowledgement ${a.id} on ${a.path} answers no finding`,
        );
      }
    });
  }
});
