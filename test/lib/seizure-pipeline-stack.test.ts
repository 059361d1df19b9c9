import { beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SeizurePipelineStack, stackNameFor } from '../../lib/seizure-pipeline-stack.ts';
import { acknowledgements, unacknowledgedFindings } from '../helpers/nag.ts';
import { ECHO_ENTRY, OPERATION, logicalId, testApp } from './helpers.ts';

// This suite synthesizes the whole stack: its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

describe('SeizurePipelineStack', () => {
  let stack: SeizurePipelineStack;
  let withKey: SeizurePipelineStack;
  let t: Template;

  beforeAll(() => {
    const app = testApp();
    stack = new SeizurePipelineStack(app, stackNameFor(OPERATION), { operation: OPERATION, ingestion: { entry: ECHO_ENTRY } });
    withKey = new SeizurePipelineStack(app, 'WithCustomerKey', {
      operation: OPERATION,
      ingestion: { entry: ECHO_ENTRY },
      storage: { encryption: 'CUSTOMER_KEY' },
      // A configured uploader trust: the role, its output and its nag acknowledgements are checked on this stack.
      memberAccess: { assumedBy: new iam.AccountRootPrincipal() },
    });
    t = Template.fromStack(stack);
  });

  test('is named after the operation', () => {
    assert.equal(stack.stackName, 'SeizurePipeline-stop-ii');
  });

  test("has the outputs the CLI's --aws mode reads, by these exact names", () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    // Other parts of the stack may add outputs; these six are the contract.
    for (const name of ['AnalystRoleArn', 'BucketName', 'DlqUrl', 'QueueUrl', 'TableName']) assert.ok(name in outputs, name);
    assert.deepEqual(outputs.BucketName!.Value, { Ref: logicalId(stack.storage.bucket) });
    assert.deepEqual(outputs.TableName!.Value, { Ref: logicalId(stack.storage.table) });
    assert.deepEqual(outputs.QueueUrl!.Value, { Ref: logicalId(stack.ingestion.queue) });
    assert.deepEqual(outputs.DlqUrl!.Value, { Ref: logicalId(stack.ingestion.deadLetterQueue) });
    assert.deepEqual(outputs.AnalystRoleArn!.Value, { 'Fn::GetAtt': [logicalId(stack.access.analystRole), 'Arn'] });
  });

  test('the alarms topic is encrypted with a rotated key that CloudWatch may use, and is TLS-only', () => {
    const topic = t.findResources('AWS::SNS::Topic')[logicalId(stack.alarmTopic)]!.Properties;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = t.findResources('AWS::KMS::Key')[keyId]!.Properties;
    assert.equal(key.EnableKeyRotation, true);
    assert.ok(
      key.KeyPolicy.Statement.some(
        (s: { Principal: { Service?: string }; Action: string[] }) =>
          s.Principal.Service === 'cloudwatch.amazonaws.com' &&
          s.Action.includes('kms:Decrypt') &&
          s.Action.includes('kms:GenerateDataKey*'),
      ),
    );
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(stack.alarmTopic) }],
      PolicyDocument: {
        // arrayWith: SES's statement for the mail events (lib/mail.ts, test/lib/mail.test.ts) is there too.
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Resource: { Ref: logicalId(stack.alarmTopic) },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Sid: 'AllowPublishThroughSSLOnly',
          },
          {
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: { Ref: logicalId(stack.alarmTopic) },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            Sid: 'CloudWatchAlarmsOfThisAccount',
          },
        ]),
      },
    });
  });

  test("the operation's analysts are subscribed to the alarms by email", () => {
    // Email subscriptions; the mail-events function (lib/mail.ts) is subscribed too, by Lambda.
    const subs = Object.values(t.findResources('AWS::SNS::Subscription'))
      .map((s) => s.Properties)
      .filter((s) => s.Protocol === 'email');
    assert.deepEqual(
      subs.map((s) => [s.Protocol, s.Endpoint, s.TopicArn]),
      OPERATION.analysts.map((a) => ['email', a, { Ref: logicalId(stack.alarmTopic) }]),
    );
  });

  test('every alarm notifies the alarms topic', () => {
    const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm'));
    assert.ok(alarms.length >= 4, 'the four ingestion alarms at least');
    for (const [id, a] of alarms) assert.deepEqual(a.Properties.AlarmActions, [{ Ref: logicalId(stack.alarmTopic) }], id);
  });

  test('no MemberUploader role (nor its output) unless a principal is configured to assume it: no account-root default', () => {
    assert.equal(stack.access.memberUploaderRole, undefined);
    const roles = Object.keys(t.findResources('AWS::IAM::Role'));
    assert.ok(!roles.some((id) => id.includes('MemberUploader')), roles.join(' '));
    assert.ok(!('MemberUploaderRoleArn' in (t.toJSON().Outputs as object)));
  });

  test("configured, the role and its output exist; the member tag is the caller's own and one of the operation's Members", () => {
    const kt = Template.fromStack(withKey);
    const role = withKey.access.memberUploaderRole!;
    const outputs = kt.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(outputs.MemberUploaderRoleArn!.Value, { 'Fn::GetAtt': [logicalId(role), 'Arn'] });
    const trust = kt.findResources('AWS::IAM::Role')[logicalId(role)]!.Properties.AssumeRolePolicyDocument;
    assert.equal(trust.Statement[0].Condition.StringEquals['aws:RequestTag/member'], '${aws:PrincipalTag/member}');
    assert.deepEqual(
      trust.Statement[0].Condition.StringLike['aws:RequestTag/member'],
      OPERATION.members.map((m) => m.code),
    );
  });

  test('cdk-nag AwsSolutions: no unacknowledged error and no unacknowledged warning (also with a customer managed key)', () => {
    for (const s of [stack, withKey]) {
      const report = new AwsSolutionsChecks().validateScope(s);
      const open = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      assert.deepEqual(open, [], s.stackName);
      assert.equal(report.success, true);
    }
  });

  for (const which of ['default', 'customer key'] as const) {
    test(`every nag acknowledgement answers a real finding, on the construct that has it, with a reason (${which})`, () => {
      checkAcknowledgements(which === 'default' ? stack : withKey);
    });
  }

  function checkAcknowledgements(stack: SeizurePipelineStack) {
    const acks = acknowledgements(stack);
    const findings = unacknowledgedFindings(stack);
    for (const f of findings) {
      assert.ok(
        acks.some((a) => a.id === f.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))),
        `finding ${f.id} on ${f.path} is not acknowledged on it or an ancestor`,
      );
    }
    for (const a of acks) {
      assert.ok(
        findings.some((f) => f.id === a.id && f.path.startsWith(a.path)),
        `acknowledgement ${a.id} on ${a.path} answers no finding`,
      );
      assert.ok(a.reason.length >= 60, `the reason for ${a.id} on ${a.path} is too short to be a reason: "${a.reason}"`);
    }
  }
});
