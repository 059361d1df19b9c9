import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { ESM_REQUIRE_BANNER, PipelineFunction } from '../../lib/pipeline-function.ts';
import { ECHO_ENTRY, actionsOf, logicalId, resourcesOf, statementsOfRole, testApp } from './helpers.ts';

describe('PipelineFunction', () => {
  let t: Template;
  let echo: PipelineFunction;
  let sdk: PipelineFunction;
  let table: dynamodb.Table;
  let bucket: s3.Bucket;
  let assemblyDir: string;

  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Functions');
    table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    bucket = new s3.Bucket(stack, 'Bucket');
    echo = new PipelineFunction(stack, 'Echo', { name: 'echo', entry: ECHO_ENTRY })
      .bindTable(table, 'TABLE_NAME', 'read')
      .bindBucket(bucket, 'BUCKET_NAME', 'read', 'summaries/');
    sdk = new PipelineFunction(stack, 'Sdk', {
      name: 'sdk',
      entry: resolve(PROJECT_ROOT, 'test/lib/fixtures/sdk/handler.ts'),
      logRetention: logs.RetentionDays.ONE_YEAR,
      logLevel: 'DEBUG',
      environment: { EXTRA: 'yes', POWERTOOLS_SERVICE_NAME: 'overridden' },
    })
      .bindTable(table)
      .bindBucket(bucket, 'DATA_BUCKET', 'readWrite', 'feedback/');
    assemblyDir = app.synth().directory;
    t = Template.fromStack(stack);
  });

  const fn = (f: PipelineFunction) => t.findResources('AWS::Lambda::Function')[logicalId(f)]!.Properties;

  test('runs Node.js 22 on arm64 with active X-Ray tracing', () => {
    for (const f of [echo, sdk]) {
      const p = fn(f);
      assert.equal(p.Runtime, 'nodejs22.x');
      assert.deepEqual(p.Architectures, ['arm64']);
      assert.deepEqual(p.TracingConfig, { Mode: 'Active' });
      assert.equal(p.Handler, 'index.handler');
    }
  });

  test('logs to its own log group, kept one month by default', () => {
    const groupId = fn(echo).LoggingConfig.LogGroup.Ref as string;
    t.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    assert.equal(t.findResources('AWS::Logs::LogGroup')[groupId]!.Properties.RetentionInDays, 30);
    const sdkGroup = fn(sdk).LoggingConfig.LogGroup.Ref as string;
    assert.equal(t.findResources('AWS::Logs::LogGroup')[sdkGroup]!.Properties.RetentionInDays, 365);
  });

  test('sets the Powertools variables and source maps, user values winning', () => {
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(fn(echo).Environment.Variables).filter(([k]) => k.startsWith('POWERTOOLS') || k === 'NODE_OPTIONS'),
      ),
      {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'echo',
        POWERTOOLS_METRICS_NAMESPACE: 'SeizurePipeline',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    );
    assert.deepEqual(fn(sdk).Environment.Variables, {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'overridden',
      POWERTOOLS_METRICS_NAMESPACE: 'SeizurePipeline',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      EXTRA: 'yes',
      TABLE_NAME: { Ref: logicalId(table) },
      DATA_BUCKET: { Ref: logicalId(bucket) },
    });
  });

  test('has its own role with no AWS managed policy, allowed to write only its own log group', () => {
    const roleId = logicalId(echo.role as unknown as { node: { defaultChild?: unknown } });
    const role = t.findResources('AWS::IAM::Role')[roleId]!.Properties;
    assert.equal(role.ManagedPolicyArns, undefined);
    const logStatements = statementsOfRole(t, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    assert.deepEqual(logStatements.flatMap(actionsOf).sort(), ['logs:CreateLogStream', 'logs:PutLogEvents']);
    assert.deepEqual(logStatements.flatMap(resourcesOf), [`<${fn(echo).LoggingConfig.LogGroup.Ref}.Arn>`]);
  });

  test('bindTable sets the variable and grants read-only or read-write data access', () => {
    assert.deepEqual(fn(echo).Environment.Variables.TABLE_NAME, { Ref: logicalId(table) });
    const actions = (f: PipelineFunction) =>
      statementsOfRole(t, logicalId(f.role as unknown as { node: { defaultChild?: unknown } }))
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('dynamodb:'));
    assert.ok(actions(echo).includes('dynamodb:Query'));
    assert.ok(!actions(echo).includes('dynamodb:PutItem'));
    assert.ok(actions(sdk).includes('dynamodb:PutItem'));
  });

  test('bindBucket sets the variable and grants explicit object actions under the prefix only', () => {
    assert.deepEqual(fn(echo).Environment.Variables.BUCKET_NAME, { Ref: logicalId(bucket) });
    const s3Statements = (f: PipelineFunction) =>
      statementsOfRole(t, logicalId(f.role as unknown as { node: { defaultChild?: unknown } })).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('s3:')),
      );
    const b = `<${logicalId(bucket)}.Arn>`;
    const echoS3 = s3Statements(echo);
    assert.deepEqual(echoS3.flatMap(actionsOf).sort(), ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    assert.deepEqual(echoS3.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(resourcesOf), [`${b}/summaries/*`]);
    assert.deepEqual(echoS3.find((s) => actionsOf(s).includes('s3:ListBucket'))!.Condition, {
      StringLike: { 's3:prefix': ['summaries/*'] },
    });
    const sdkS3 = s3Statements(sdk);
    assert.deepEqual(sdkS3.filter((s) => actionsOf(s).includes('s3:PutObject')).flatMap(resourcesOf), [`${b}/feedback/*`]);
  });

  test('bundles to an ESM file with the createRequire banner, a source map, and the AWS SDK inside', () => {
    const asset = (f: PipelineFunction) => join(assemblyDir, `asset.${(fn(f).Code.S3Key as string).replace(/\.zip$/, '')}`);
    const code = readFileSync(join(asset(sdk), 'index.mjs'), 'utf8');
    assert.ok(code.startsWith(ESM_REQUIRE_BANNER), code.slice(0, 120));
    assert.ok(existsSync(join(asset(sdk), 'index.mjs.map')));
    assert.doesNotMatch(code, /from\s*"@aws-sdk\//, 'the SDK must be bundled, not imported at run time');
    assert.match(code, /PutBucketLifecycleConfiguration/, 'the S3 client is in the bundle');
    const lines = code.split('\n').length;
    assert.ok(code.length / lines > 1000, `minified (${lines} lines for ${code.length} characters)`);
  });
});
