/**
 * The local cloud and the CDK stack cannot drift: the local table, queue semantics and notification filter are
 * compared with the synthesized template of the real stack.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { dynamoClient } from '../../../functions/core/platform/aws.ts';
import { startDynamo, type LocalDynamo } from '../../../lib/local/dynamodb.ts';
import { routedToIngest } from '../../../lib/local/notifications.ts';
import { INGEST_QUEUE_DEFAULTS, LOCAL_TABLE } from '../../../lib/local/settings.ts';
import { Ingestion } from '../../../lib/ingestion.ts';
import { SeizureStorage } from '../../../lib/storage.ts';
import { ECHO_ENTRY, OPERATION, testStack } from '../helpers.ts';
import { tempDir } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

type Cfn = Record<string, any>;

describe('the local cloud is built from the same definitions as the stack', () => {
  let template: Template;
  let dir: string;
  let dynamo: LocalDynamo;
  let local: TableDescription;

  beforeAll(async () => {
    // The constructs the stack builds the table, the queue and the notification with (SeizurePipelineStack uses them
    // with these defaults); the whole stack would also bundle every phase-close function.
    const { stack } = testStack('Local');
    const storage = new SeizureStorage(stack, 'Storage');
    new Ingestion(stack, 'Ingestion', { bucket: storage.bucket, table: storage.table, operation: OPERATION, entry: ECHO_ENTRY });
    template = Template.fromStack(stack);
    dir = await tempDir('template-');
    dynamo = await startDynamo({ path: join(dir, 'dynamodb'), port: 0, tableName: LOCAL_TABLE });
    const client = dynamoClient({ dynamodb: dynamo.endpoint });
    local = (await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE }))).Table!;
    client.destroy();
  });

  afterAll(async () => {
    await dynamo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const only = (type: string): Cfn => {
    const found = Object.values(template.findResources(type));
    assert.equal(found.length, 1, type);
    return found[0]!.Properties;
  };
  const sortBy = <T>(xs: T[], k: (x: T) => string) => [...xs].sort((a, b) => (k(a) < k(b) ? -1 : 1));

  test("the local table's keys, attribute types and indexes equal the template's", () => {
    const t = only('AWS::DynamoDB::Table');
    assert.deepEqual(local.KeySchema, t.KeySchema);
    assert.deepEqual(
      sortBy(local.AttributeDefinitions!, (a) => a.AttributeName!),
      sortBy(t.AttributeDefinitions, (a: Cfn) => a.AttributeName),
    );
    const shape = (g: Cfn) => ({
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: { ProjectionType: g.Projection.ProjectionType },
    });
    assert.deepEqual(
      sortBy((local.GlobalSecondaryIndexes ?? []).map(shape), (g) => g.IndexName),
      sortBy((t.GlobalSecondaryIndexes as Cfn[]).map(shape), (g) => g.IndexName),
    );
    assert.equal(local.LocalSecondaryIndexes, undefined);
    assert.equal(t.LocalSecondaryIndexes, undefined);
  });

  test("the local queue hands the handler batches as the stack's event source mapping does, with the same DLQ threshold", () => {
    const esm = only('AWS::Lambda::EventSourceMapping');
    assert.equal(esm.BatchSize, INGEST_QUEUE_DEFAULTS.batchSize);
    assert.equal(esm.ScalingConfig.MaximumConcurrency, INGEST_QUEUE_DEFAULTS.maxConcurrency);
    assert.deepEqual(esm.FunctionResponseTypes, ['ReportBatchItemFailures']);
    const withRedrive = Object.values(template.findResources('AWS::SQS::Queue')).filter((q: Cfn) => q.Properties.RedrivePolicy);
    assert.equal(withRedrive.length, 1);
    assert.equal(withRedrive[0]!.Properties.RedrivePolicy.maxReceiveCount, INGEST_QUEUE_DEFAULTS.maxReceiveCount);
  });

  test("the local notification routes exactly the keys the bucket's notification configuration routes", () => {
    const n = only('Custom::S3BucketNotifications');
    const filters = (n.NotificationConfiguration.QueueConfigurations as Cfn[]).map((q) => {
      assert.deepEqual(q.Events, ['s3:ObjectCreated:*']);
      const rules = Object.fromEntries((q.Filter.Key.FilterRules as Cfn[]).map((r) => [r.Name, r.Value]));
      return { prefix: rules.prefix ?? '', suffix: rules.suffix ?? '' };
    });
    const routedOnAws = (key: string) => filters.some((f) => key.startsWith(f.prefix) && key.endsWith(f.suffix));
    const keys = [
      'incoming/FR/a.xlsx',
      'incoming/FR/a.XLSX',
      'incoming/FR/a.csv',
      'incoming/FR/a.CSV',
      'incoming/FR/a.Xlsx',
      'incoming/FR/a.xls',
      'incoming/FR/a.pdf',
      'incoming/FR/sub/b.csv',
      'feedback/FR/a.csv',
      'summaries/a.csv',
      'incoming.csv',
      'a/incoming/FR/a.csv',
      ...filters.map((f) => `${f.prefix}XX/file${f.suffix}`),
    ];
    for (const k of keys) assert.equal(routedToIngest(k), routedOnAws(k), k);
  });
});
