import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parseOperationConfig } from '../../functions/core/operation/config.ts';
import { Ingestion } from '../../lib/ingestion.ts';
import { LAMBDA_ENV_LIMIT } from '../../functions/core/contracts/operation-env.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { ECHO_ENTRY, OPERATION, actionsOf, logicalId, resourcesOf, statementsOfRole, testApp } from './helpers.ts';

describe('Ingestion', () => {
  let ingestion: Ingestion;
  let storage: SeizureStorage;
  let topic: sns.Topic;
  let t: Template;
  let tuned: Template;

  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Defaults');
    storage = new SeizureStorage(stack, 'Storage');
    topic = new sns.Topic(stack, 'Alarms');
    ingestion = new Ingestion(stack, 'Ingestion', {
      bucket: storage.bucket,
      table: storage.table,
      operation: OPERATION,
      alarmTopic: topic,
      entry: ECHO_ENTRY,
    });
    const tunedStack = new Stack(app, 'Tuned');
    const s2 = new SeizureStorage(tunedStack, 'Storage');
    new Ingestion(tunedStack, 'Ingestion', {
      bucket: s2.bucket,
      table: s2.table,
      operation: OPERATION,
      entry: ECHO_ENTRY,
      timeout: Duration.minutes(2),
      memorySize: 4096,
      batchSize: 2,
      maxConcurrency: 20,
    });
    t = Template.fromStack(stack);
    tuned = Template.fromStack(tunedStack);
  });

  test('the queue sends a message to the DLQ after 3 receives', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(ingestion.deadLetterQueue), 'Arn'] }, maxReceiveCount: 3 },
    });
  });

  test("the queue's visibility timeout is at least six times the function timeout, also when the timeout is tuned", () => {
    for (const template of [t, tuned]) {
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }));
      const [queue] = Object.values(template.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } }));
      assert.ok(
        queue!.Properties.VisibilityTimeout >= 6 * fn!.Properties.Timeout,
        `${queue!.Properties.VisibilityTimeout} < 6 x ${fn!.Properties.Timeout}`,
      );
    }
    tuned.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 720 });
  });

  test('a timeout shorter than twice the run reserve (60 s) is refused at synth, naming the minimum', () => {
    const stack = new Stack(testApp(), 'Short');
    const s = new SeizureStorage(stack, 'Storage');
    const props = { bucket: s.bucket, table: s.table, operation: OPERATION, entry: ECHO_ENTRY, timeout: Duration.seconds(90) };
    assert.throws(() => new Ingestion(stack, 'Ingestion', props), /timeout 90 s is too short.*at least 120 s/);
  });

  test('both queues are encrypted (SSE-SQS) and deny requests not made over TLS', () => {
    const queues = t.findResources('AWS::SQS::Queue');
    assert.equal(Object.keys(queues).length, 2);
    for (const [id, q] of Object.entries(queues)) {
      assert.equal(q.Properties.SqsManagedSseEnabled, true, id);
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  test('the DLQ keeps messages for 14 days', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.absent(), MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('the SQS event source reports batch item failures, one file per batch and bounded concurrency by default', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(ingestion.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    tuned.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 2, ScalingConfig: { MaximumConcurrency: 20 } });
  });

  test('S3 sends ObjectCreated events under incoming/ ending in .xlsx, .XLSX, .csv or .CSV to the queue, and nothing else', () => {
    const [notifications] = Object.values(t.findResources('Custom::S3BucketNotifications'));
    const configs = notifications!.Properties.NotificationConfiguration.QueueConfigurations as {
      Events: string[];
      Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
      QueueArn: unknown;
    }[];
    const filters = configs.map((c) => {
      assert.deepEqual(c.Events, ['s3:ObjectCreated:*']);
      assert.deepEqual(c.QueueArn, { 'Fn::GetAtt': [logicalId(ingestion.queue), 'Arn'] });
      return Object.fromEntries(c.Filter.Key.FilterRules.map((r) => [r.Name, r.Value]));
    });
    assert.deepEqual(
      filters.sort((a, b) => a.suffix!.localeCompare(b.suffix!)),
      ['.CSV', '.XLSX', '.csv', '.xlsx']
        .map((suffix) => ({ prefix: 'incoming/', suffix }))
        .sort((a, b) => a.suffix.localeCompare(b.suffix)),
    );
    assert.equal(notifications!.Properties.NotificationConfiguration.LambdaFunctionConfigurations, undefined);
    assert.equal(notifications!.Properties.NotificationConfiguration.TopicConfigurations, undefined);
  });

  test('the queue accepts messages from S3 for this bucket only', () => {
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(ingestion.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(storage.bucket), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  test('the function runs Node.js 22 on arm64 with active tracing, 3008 MB and 5 minutes by default', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 3008,
      Timeout: 300,
    });
    tuned.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', MemorySize: 4096, Timeout: 120 });
  });

  test('the function gets the table, the bucket, the feedback prefix and the operation config in its environment', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalId(storage.table) },
          BUCKET_NAME: { Ref: logicalId(storage.bucket) },
          FEEDBACK_PREFIX: 'feedback/',
          OPERATION_CONFIG: Match.stringLikeRegexp('^\\{"id":"stop-ii"'),
        }),
      },
    });
  });

  test('OPERATION_CONFIG parses back (parseOperationConfig) to the same operation, minus display names and NCP addresses', () => {
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }));
    const parsed = parseOperationConfig(JSON.parse(fn!.Properties.Environment.Variables.OPERATION_CONFIG), 'OPERATION_CONFIG');
    assert.equal(parsed.id, OPERATION.id);
    assert.deepEqual(parsed.phases, OPERATION.phases);
    assert.deepEqual(parsed.thresholds, OPERATION.thresholds);
    assert.deepEqual(parsed.analysts, OPERATION.analysts);
    assert.deepEqual(
      parsed.members.map((m) => [m.code, m.language ?? 'en']),
      OPERATION.members.map((m) => [m.code, m.language ?? 'en']),
    );
  });

  test("the function's environment fits Lambda's 4 KB limit even with the longest resource names", () => {
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }));
    const vars = fn!.Properties.Environment.Variables as Record<string, unknown>;
    // A Ref to a bucket is at most 63 characters, a table name at most 255.
    const size = Object.entries(vars).reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? v.length : 255), 0);
    assert.ok(size < LAMBDA_ENV_LIMIT, `environment is ${size} bytes`);
  });

  test('a failed asynchronous invocation goes to the DLQ', () => {
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(ingestion.deadLetterQueue), 'Arn'] } } },
    });
  });

  test('the function reads incoming/, reads and writes feedback/ and never deletes objects', () => {
    const statements = statementsOfRole(t, logicalId(ingestion.function.role as unknown as { node: { defaultChild?: unknown } }));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const granted = (action: string) =>
      s3
        .filter((s) => actionsOf(s).includes(action))
        .flatMap(resourcesOf)
        .sort();
    const bucket = `<${logicalId(storage.bucket)}.Arn>`;
    assert.deepEqual(granted('s3:GetObject'), [`${bucket}/feedback/*`, `${bucket}/incoming/*`]);
    assert.deepEqual(granted('s3:PutObject'), [`${bucket}/feedback/*`]);
    assert.deepEqual(granted('s3:DeleteObject'), []);
    assert.ok(
      s3.every((s) => actionsOf(s).every((a) => !a.includes('*'))),
      'no wildcard S3 actions',
    );
  });

  test('the function writes the table (data only)', () => {
    const statements = statementsOfRole(t, logicalId(ingestion.function.role as unknown as { node: { defaultChild?: unknown } }));
    const ddb = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const actions = ddb.flatMap(actionsOf);
    assert.ok(actions.includes('dynamodb:BatchWriteItem') && actions.includes('dynamodb:Query'));
    assert.ok(!actions.some((a) => /CreateTable|DeleteTable|UpdateTable/.test(a)));
  });

  const alarmOn = (metricName: string, namespace: string) =>
    Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName, Namespace: namespace } }));

  test('an alarm fires as soon as the DLQ holds a message, and notifies the topic', () => {
    const [a, ...more] = alarmOn('ApproximateNumberOfMessagesVisible', 'AWS/SQS');
    assert.equal(more.length, 0);
    assert.deepEqual(a!.Properties.Dimensions, [
      { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(ingestion.deadLetterQueue), 'QueueName'] } },
    ]);
    assert.equal(a!.Properties.ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(a!.Properties.Threshold, 0);
    assert.deepEqual(a!.Properties.AlarmActions, [{ Ref: logicalId(topic) }]);
  });

  test('alarms fire on any function error and any throttle', () => {
    for (const metric of ['Errors', 'Throttles']) {
      const [a, ...more] = alarmOn(metric, 'AWS/Lambda');
      assert.equal(more.length, 0, metric);
      assert.deepEqual(a!.Properties.Dimensions, [{ Name: 'FunctionName', Value: { Ref: logicalId(ingestion.function) } }]);
      assert.equal(a!.Properties.ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(a!.Properties.Threshold, 0);
      assert.deepEqual(a!.Properties.AlarmActions, [{ Ref: logicalId(topic) }]);
    }
  });

  test('an alarm fires when the oldest queued upload is older than an hour', () => {
    const [a] = alarmOn('ApproximateAgeOfOldestMessage', 'AWS/SQS');
    assert.deepEqual(a!.Properties.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(ingestion.queue), 'QueueName'] } }]);
    assert.equal(a!.Properties.Threshold, 3600);
  });

  test('without an alarm topic the alarms exist and notify nobody', () => {
    const alarms = Object.values(tuned.findResources('AWS::CloudWatch::Alarm'));
    // DLQ depth, errors, throttles, queue age, uploads failed for good
    assert.equal(alarms.length, 5);
    for (const a of alarms) assert.equal(a.Properties.AlarmActions, undefined);
  });

  test('an upload that fails for good raises the UploadsFailed alarm (the Member was told; nothing reaches the DLQ)', () => {
    const alarms = Object.values(tuned.findResources('AWS::CloudWatch::Alarm'));
    const failed = alarms.find((a) => a.Properties.MetricName === 'uploadsFailed');
    assert.ok(failed, 'an alarm on uploadsFailed');
    assert.equal(failed.Properties.Namespace, 'SeizurePipeline');
    assert.deepEqual(failed.Properties.Dimensions, [{ Name: 'service', Value: 'ingest' }]);
    assert.equal(failed.Properties.Threshold, 0);
  });

  test('the function knows the queue maxReceiveCount, to tell the Member on the last receive', () => {
    const fns = Object.values(tuned.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.OPERATION_CONFIG,
    );
    assert.ok(fns.length >= 1);
    for (const f of fns) assert.match(String(f.Properties.Environment.Variables.MAX_RECEIVE_COUNT), /^\d+$/);
  });

  test('the validation budget is half the timeout and half the memory, leaving the rest for storing and the feedback', () => {
    const vars = (tpl: Template) =>
      Object.values(tpl.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.OPERATION_CONFIG)!
        .Properties.Environment.Variables;
    assert.equal(vars(t).INGEST_MAX_SECONDS, '150');
    assert.equal(vars(t).INGEST_MAX_HEAP_MB, '1504');
    assert.equal(vars(tuned).INGEST_MAX_SECONDS, '60');
    assert.equal(vars(tuned).INGEST_MAX_HEAP_MB, '2048');
  });

  test('ingest may write only its own kinds of item: a deny on writes whose partition key (LeadingKeys) is none of them', () => {
    const deny = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .find((s) => s.Sid === 'WritesOnlyItsOwnItems');
    assert.ok(deny);
    assert.equal(deny.Effect, 'Deny');
    assert.deepEqual([...deny.Action].sort(), [
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    assert.deepEqual(deny.Condition, {
      'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': ['CASE#*', 'HEADS#*', 'LOCK#*', 'OBJECT#*', 'NILRETURN#*'] },
    });
  });
});
