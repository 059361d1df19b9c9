/**
 * The shares on AWS in the synthesized stack (lib/shares.ts): the queue with its DLQ and alarm, the fan-out function
 * fed with partial batch failures, the VAPID secret, TTL on the table, the portal function's new rights confined by
 * dynamodb:LeadingKeys, the routes behind the JWT authorizer, and cdk-nag clean with every acknowledgement answering
 * a real finding.
 */
import assert from 'node:assert/strict';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, test, vi } from 'vitest';
import { SeizurePipelineStack, stackNameFor } from '../../lib/seizure-pipeline-stack.ts';
import { acknowledgements, unacknowledgedFindings } from '../helpers/nag.ts';
import { actionsOf, ECHO_ENTRY, flatten, logicalId, OPERATION, resourcesOf, statementsOfRole, testApp, type Statement } from './helpers.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

describe('Shares in the stack', () => {
  let stack: SeizurePipelineStack;
  let t: Template;
  let fanOut: Statement[];
  let portal: Statement[];

  beforeAll(() => {
    stack = new SeizurePipelineStack(testApp(), stackNameFor(OPERATION), { operation: OPERATION, ingestion: { entry: ECHO_ENTRY } });
    t = Template.fromStack(stack);
    fanOut = statementsOfRole(t, logicalId(stack.shares.function.role!));
    portal = statementsOfRole(t, logicalId(stack.portalApi.function.role!));
  });

  test('the queue: SSE, TLS only, a DLQ after 5 receives, visibility six times the function timeout', () => {
    const q = t.findResources('AWS::SQS::Queue')[logicalId(stack.shares.queue)]!.Properties;
    assert.equal(q.SqsManagedSseEnabled, true);
    assert.equal(q.VisibilityTimeout, 360);
    assert.deepEqual(q.RedrivePolicy, {
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.shares.deadLetterQueue), 'Arn'] },
      maxReceiveCount: 5,
    });
    const dlq = t.findResources('AWS::SQS::Queue')[logicalId(stack.shares.deadLetterQueue)]!.Properties;
    assert.equal(dlq.SqsManagedSseEnabled, true);
    for (const queue of [stack.shares.queue, stack.shares.deadLetterQueue]) {
      const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy')).filter((p) =>
        (p.Properties.Queues as { Ref: string }[]).some((r) => r.Ref === logicalId(queue)),
      );
      assert.ok(
        policies.some((p) =>
          (p.Properties.PolicyDocument.Statement as Statement[]).some(
            (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        ),
      );
    }
  });

  test('an alarm on the DLQ (and on errors) notifies the alarms topic', () => {
    const alarm = t.findResources('AWS::CloudWatch::Alarm')[logicalId(stack.shares.dlqDepthAlarm)]!.Properties;
    assert.equal(alarm.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.deepEqual(alarm.Dimensions, [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.shares.deadLetterQueue), 'QueueName'] } },
    ]);
    assert.equal(alarm.Threshold, 0);
    assert.deepEqual(alarm.AlarmActions, [{ Ref: logicalId(stack.alarmTopic) }]);
    assert.ok(t.findResources('AWS::CloudWatch::Alarm')[logicalId(stack.shares.errorsAlarm)]);
  });

  test('the fan-out is fed by the queue with partial batch failures, and has its environment', () => {
    const esm = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.shares.queue), 'Arn'] }),
    )!.Properties;
    assert.deepEqual(esm.FunctionName, { Ref: logicalId(stack.shares.function) });
    assert.deepEqual(esm.FunctionResponseTypes, ['ReportBatchItemFailures']);
    const env = t.findResources('AWS::Lambda::Function')[logicalId(stack.shares.function)]!.Properties.Environment.Variables;
    for (const k of [
      'TABLE_NAME',
      'BUCKET_NAME',
      'CONTACTS_KEY',
      'OPERATION_CONFIG',
      'VAPID_SECRET_ID',
      'PORTAL_URL',
      'SES_CONFIGURATION_SET',
    ])
      assert.ok(k in env, k);
    assert.equal(env.CONTACTS_KEY, `config/${OPERATION.id}/contacts.json`);
    // The links lead to the portal's CloudFront origin.
    assert.match(flatten(env.PORTAL_URL), /^https:\/\/<.*DomainName>$/);
  });

  test("the fan-out writes only SHARE# and PUSH# items, reads only the contacts object, sends mail from the operation's identity", () => {
    const writes = fanOut.filter((s) => actionsOf(s).some((a) => ['dynamodb:PutItem', 'dynamodb:DeleteItem'].includes(a)));
    assert.equal(writes.length, 1);
    assert.deepEqual(writes[0]!.Condition, { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SHARE#*', 'PUSH#*'] } });
    const bucket = `<${logicalId(stack.storage.bucket)}.Arn>`;
    const objects = (action: string) =>
      fanOut
        .filter((s) => actionsOf(s).includes(action))
        .flatMap(resourcesOf)
        .sort();
    assert.deepEqual(objects('s3:GetObject'), [`${bucket}/config/${OPERATION.id}/contacts.json`, `${bucket}/shares/*/uploads/*`]);
    assert.deepEqual(objects('s3:PutObject'), [`${bucket}/shares/*/photos/*`]);
    assert.deepEqual(objects('s3:DeleteObject'), [`${bucket}/shares/*/uploads/*`]);
    const ses = fanOut.find((s) => actionsOf(s).includes('ses:SendEmail'))!;
    assert.ok(resourcesOf(ses).some((r) => r.endsWith(`identity/${OPERATION.mailFrom}`)));
    assert.ok(fanOut.some((s) => actionsOf(s).includes('secretsmanager:PutSecretValue')));
  });

  test('the portal function: the queue and the VAPID secret in its environment; its new writes confined to SHARE# and PUSH#', () => {
    const env = t.findResources('AWS::Lambda::Function')[logicalId(stack.portalApi.function)]!.Properties.Environment.Variables;
    assert.deepEqual(env.SHARES_QUEUE_URL, { Ref: logicalId(stack.shares.queue) });
    assert.deepEqual(env.VAPID_SECRET_ID, { Ref: logicalId(stack.shares.vapidSecret) });
    const writes = portal.filter((s) =>
      actionsOf(s).some((a) => ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'].includes(a)),
    );
    for (const w of writes) assert.ok(w.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], JSON.stringify(w));
    assert.ok(
      writes.some(
        (w) =>
          JSON.stringify(w.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SHARE#*', 'PUSH#*'] } }),
      ),
    );
    assert.ok(portal.some((s) => actionsOf(s).includes('sqs:SendMessage')));
    const bucket = `<${logicalId(stack.storage.bucket)}.Arn>`;
    assert.ok(portal.some((s) => actionsOf(s).includes('s3:PutObject') && resourcesOf(s).includes(`${bucket}/shares/*/uploads/*`)));
    assert.ok(portal.some((s) => actionsOf(s).includes('s3:GetObject') && resourcesOf(s).includes(`${bucket}/shares/*/photos/*`)));
  });

  test('every API route, the shares under /api/{proxy+} included, is behind the JWT authorizer', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    assert.ok(routes.some((r) => r.RouteKey === 'ANY /api/{proxy+}'));
    assert.deepEqual(
      routes.filter((r) => r.AuthorizationType !== 'JWT').map((r) => r.RouteKey),
      [],
    );
  });

  test('photo uploads under shares/ are routed to the shares queue (the ingest queue keeps incoming/)', () => {
    const n = Object.values(t.findResources('Custom::S3BucketNotifications'))[0]!.Properties.NotificationConfiguration;
    const shares = n.QueueConfigurations.filter(
      (q: { QueueArn: unknown }) => JSON.stringify(q.QueueArn) === JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.shares.queue), 'Arn'] }),
    );
    assert.deepEqual(
      shares.map((q: { Events: string[]; Filter: unknown }) => [q.Events, q.Filter]),
      [[['s3:ObjectCreated:*'], { Key: { FilterRules: [{ Name: 'prefix', Value: 'shares/' }] } }]],
    );
  });

  test('the table has TTL on `ttl` (expiry is also checked on read)', () => {
    const table = t.findResources('AWS::DynamoDB::Table')[logicalId(stack.storage.table)]!.Properties;
    assert.deepEqual(table.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
  });

  test('cdk-nag AwsSolutions clean; every acknowledgement under Shares answers a real finding', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    assert.deepEqual(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      [],
    );
    const findings = unacknowledgedFindings(stack.shares);
    const acks = acknowledgements(stack.shares);
    for (const a of acks)
      assert.ok(
        findings.some((f) => f.id === a.id && f.path.startsWith(a.path)),
        `${a.id} on ${a.path}`,
      );
  });
});
