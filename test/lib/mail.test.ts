/**
 * The Mail construct (lib/mail.ts) and its place in the stack: the SES identity of mailFrom's domain with Easy DKIM,
 * the configuration set, its event destination to the alarms topic (which SES may publish to and encrypt for), the
 * mail-events function subscribed for bounces and complaints only, the DKIM records as outputs (and in Route 53 when
 * a hosted zone is given), the mail-sending functions naming the set; cdk-nag clean.
 */
import { beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { domainOf, Mail } from '../../lib/mail.ts';
import { PHASE_STEPS } from '../../functions/core/contracts/phase-close-spec.ts';
import { SeizurePipelineStack } from '../../lib/seizure-pipeline-stack.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { acknowledgements, unacknowledgedFindings } from '../helpers/nag.ts';
import { CDK_CONTEXT, ECHO_ENTRY, OPERATION, actionsOf, flatten, logicalId, resourcesOf, statementsOfRole } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** No bundling: the wiring is under test, not the handlers. */
const fastApp = () => new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });

function build(opts: { zone?: boolean } = {}) {
  const stack = new Stack(fastApp(), opts.zone ? 'MailWithZone' : 'MailTest');
  const storage = new SeizureStorage(stack, 'Storage');
  const key = new kms.Key(stack, 'TopicKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Alarms', { masterKey: key, enforceSSL: true });
  const zone = opts.zone ? new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'stop-ii.example.org' }) : undefined;
  const mail = new Mail(stack, 'Mail', {
    mailFrom: OPERATION.mailFrom,
    table: storage.table,
    topic,
    topicKey: key,
    ...(zone ? { hostedZone: zone } : {}),
    entry: ECHO_ENTRY,
  });
  return { stack, storage, key, topic, mail, t: Template.fromStack(stack) };
}

describe('Mail', () => {
  let b: ReturnType<typeof build>;
  let z: ReturnType<typeof build>;
  beforeAll(() => {
    b = build();
    z = build({ zone: true });
  });

  test("the identity is mailFrom's domain, signed with Easy DKIM 2048-bit, the configuration set its default", () => {
    assert.equal(domainOf('Stop-II@Stop-II.example.org'), 'stop-ii.example.org');
    assert.throws(() => domainOf('nobody'), /no domain/);
    const ids = Object.values(b.t.findResources('AWS::SES::EmailIdentity')).map((r) => r.Properties);
    assert.equal(ids.length, 1);
    assert.equal(ids[0].EmailIdentity, 'stop-ii.example.org');
    assert.deepEqual(ids[0].DkimSigningAttributes, { NextSigningKeyLength: 'RSA_2048_BIT' });
    assert.deepEqual(ids[0].DkimAttributes, { SigningEnabled: true });
    assert.deepEqual(ids[0].ConfigurationSetAttributes, { ConfigurationSetName: { Ref: logicalId(b.mail.configurationSet) } });
  });

  test('the configuration set: reputation metrics, suppression of bounces and complaints, TLS required, sending on', () => {
    const sets = Object.values(b.t.findResources('AWS::SES::ConfigurationSet')).map((r) => r.Properties);
    assert.equal(sets.length, 1);
    assert.deepEqual(sets[0].ReputationOptions, { ReputationMetricsEnabled: true });
    assert.deepEqual(sets[0].SuppressionOptions, { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] });
    assert.deepEqual(sets[0].DeliveryOptions, { TlsPolicy: 'REQUIRE' });
    assert.deepEqual(sets[0].SendingOptions, { SendingEnabled: true });
  });

  test('the event destination sends bounces, complaints, rejects and delivery delays to the alarms topic', () => {
    const dests = Object.values(b.t.findResources('AWS::SES::ConfigurationSetEventDestination')).map((r) => r.Properties);
    assert.equal(dests.length, 1);
    assert.deepEqual(dests[0].ConfigurationSetName, { Ref: logicalId(b.mail.configurationSet) });
    assert.equal(dests[0].EventDestination.Enabled, true);
    assert.deepEqual([...dests[0].EventDestination.MatchingEventTypes].sort(), ['bounce', 'complaint', 'deliveryDelay', 'reject']);
    assert.deepEqual(dests[0].EventDestination.SnsDestination, { TopicARN: { Ref: logicalId(b.topic) } });
  });

  test('SES may publish to the topic (this configuration set, this account) and use its KMS key', () => {
    const policies = Object.values(b.t.findResources('AWS::SNS::TopicPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const ses = policies.find((s: any) => s.Principal?.Service === 'ses.amazonaws.com');
    assert.ok(ses, 'a statement for ses.amazonaws.com');
    assert.equal(ses.Action, 'sns:Publish');
    assert.deepEqual(ses.Resource, { Ref: logicalId(b.topic) });
    assert.ok(flatten(ses.Condition.StringEquals['AWS:SourceArn']).endsWith(`:configuration-set/<${logicalId(b.mail.configurationSet)}>`));
    assert.deepEqual(ses.Condition.StringEquals['AWS:SourceAccount'], { Ref: 'AWS::AccountId' });
    const keyPolicy = b.t.findResources('AWS::KMS::Key')[logicalId(b.key)]!.Properties.KeyPolicy.Statement;
    assert.ok(
      keyPolicy.some(
        (s: any) =>
          s.Principal?.Service === 'ses.amazonaws.com' && s.Action.includes('kms:GenerateDataKey*') && s.Action.includes('kms:Decrypt'),
      ),
    );
  });

  test('the mail-events function gets Bounce and Complaint events only (filter on the message body) and writes the table', () => {
    const subs = Object.values(b.t.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
    const lambdaSub = subs.find((s) => s.Protocol === 'lambda');
    assert.ok(lambdaSub);
    assert.deepEqual(lambdaSub.Endpoint, { 'Fn::GetAtt': [logicalId(b.mail.eventsFunction), 'Arn'] });
    assert.equal(lambdaSub.FilterPolicyScope, 'MessageBody');
    assert.deepEqual(lambdaSub.FilterPolicy, { eventType: ['Bounce', 'Complaint'] });
    const fn = b.t.findResources('AWS::Lambda::Function')[logicalId(b.mail.eventsFunction)]!.Properties;
    assert.deepEqual(fn.Environment.Variables.TABLE_NAME, { Ref: logicalId(b.storage.table) });
    const role = fn.Role['Fn::GetAtt'][0] as string;
    const writes = statementsOfRole(b.t, role).filter((s) => actionsOf(s).includes('dynamodb:PutItem'));
    assert.ok(writes.some((s) => resourcesOf(s).includes(`<${logicalId(b.storage.table)}.Arn>`)));
  });

  test('a bounce is never lost quietly: undeliverable events and failed invocations go to an alarmed dead-letter queue', () => {
    const dlq = { 'Fn::GetAtt': [logicalId(b.mail.deadLetterQueue), 'Arn'] };
    const lambdaSub = Object.values(b.t.findResources('AWS::SNS::Subscription'))
      .map((r) => r.Properties)
      .find((s) => s.Protocol === 'lambda')!;
    assert.deepEqual(lambdaSub.RedrivePolicy, { deadLetterTargetArn: dlq });
    const config = Object.values(b.t.findResources('AWS::Lambda::EventInvokeConfig')).map((r) => r.Properties);
    assert.deepEqual(
      config.map((c) => [c.MaximumRetryAttempts, c.DestinationConfig.OnFailure.Destination]),
      [[2, dlq]],
    );
    const q = b.t.findResources('AWS::SQS::Queue')[logicalId(b.mail.deadLetterQueue)]!.Properties;
    assert.equal(q.SqsManagedSseEnabled, true);
    assert.equal(q.MessageRetentionPeriod, 14 * 24 * 3600);
    const alarm = b.t.findResources('AWS::CloudWatch::Alarm')[logicalId(b.mail.deadLetterAlarm)]!.Properties;
    assert.equal(alarm.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.deepEqual(alarm.AlarmActions, [{ Ref: logicalId(b.topic) }]);
  });

  test('without a hosted zone no DNS record is created; with one the three DKIM CNAMEs are', () => {
    assert.equal(Object.keys(b.t.findResources('AWS::Route53::RecordSet')).length, 0);
    const records = Object.values(z.t.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
    assert.equal(records.length, 3);
    for (const r of records) {
      assert.equal(r.Type, 'CNAME');
      assert.deepEqual(r.HostedZoneId, { Ref: logicalId(z.stack.node.findChild('Zone') as route53.PublicHostedZone) });
    }
    assert.deepEqual(
      z.t.findResources('AWS::SES::EmailIdentity')[logicalId(z.mail.identity)]!.Properties.EmailIdentity,
      'stop-ii.example.org',
    );
  });

  test('cdk-nag: nothing open, every acknowledgement answers a finding', () => {
    for (const s of [b.stack, z.stack]) {
      const report = new AwsSolutionsChecks().validateScope(s);
      assert.deepEqual(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
        [],
        s.stackName,
      );
      const findings = unacknowledgedFindings(s);
      for (const a of acknowledgements(s))
        assert.ok(
          findings.some((f) => f.id === a.id && f.path.startsWith(a.path)),
          `${a.id} on ${a.path}`,
        );
    }
  });
});

describe('Mail in the stack', () => {
  let stack: SeizurePipelineStack;
  let t: Template;
  beforeAll(() => {
    stack = new SeizurePipelineStack(fastApp(), 'SeizurePipeline-mail', {
      operation: { ...OPERATION, smokeTests: true },
      phaseClose: { now: new Date('2021-01-01T00:00:00Z') },
    });
    t = Template.fromStack(stack);
  });

  test('outputs: the identity, the configuration set, the three DKIM records ("name CNAME value"), SmokeTests', () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.equal(outputs.MailIdentity!.Value, 'stop-ii.example.org');
    assert.deepEqual(outputs.MailConfigurationSet!.Value, { Ref: logicalId(stack.mail!.configurationSet) });
    assert.equal(outputs.SmokeTests!.Value, 'true');
    const identity = logicalId(stack.mail!.identity);
    for (const i of [1, 2, 3]) {
      assert.equal(
        flatten(outputs[`DkimRecord${i}`]!.Value),
        `<${identity}.DkimDNSTokenName${i}> CNAME <${identity}.DkimDNSTokenValue${i}>`,
      );
    }
  });

  test('the alert and failure functions send through the configuration set: SES_CONFIGURATION_SET and ses:SendEmail on it', () => {
    const setRef = { Ref: logicalId(stack.mail!.configurationSet) };
    for (const name of ['phase-alerts', 'phase-failure']) {
      const fn = stack.phaseClose.functions[name]!;
      const props = t.findResources('AWS::Lambda::Function')[logicalId(fn)]!.Properties;
      assert.deepEqual(props.Environment.Variables.SES_CONFIGURATION_SET, setRef, name);
      const send = statementsOfRole(t, props.Role['Fn::GetAtt'][0]).find((s) => actionsOf(s).includes('ses:SendEmail'))!;
      assert.ok(
        resourcesOf(send).some((r) => r.endsWith(`:configuration-set/<${logicalId(stack.mail!.configurationSet)}>`)),
        resourcesOf(send).join(' '),
      );
      assert.ok(resourcesOf(send).some((r) => r.endsWith(':identity/stop-ii.example.org')));
    }
    assert.equal(PHASE_STEPS.filter((s) => stack.phaseClose.functions[s.name]).length, PHASE_STEPS.length);
  });

  test('cdk-nag: the whole stack with mail has nothing open', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    assert.deepEqual(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      [],
    );
  });

  test('`mail: false` leaves SES out', () => {
    const s = new SeizurePipelineStack(fastApp(), 'NoMail', { operation: OPERATION, mail: false });
    assert.equal(s.mail, undefined);
    assert.equal(Object.keys(Template.fromStack(s).findResources('AWS::SES::EmailIdentity')).length, 0);
  });
});
