import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TABLE } from '../../functions/core/store/table.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { testApp } from './helpers.ts';

const id = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);

describe('SeizureStorage', () => {
  let stack: Stack;
  let storage: SeizureStorage;
  let t: Template;
  let custom: Template;
  let customStorage: SeizureStorage;
  let customStack: Stack;

  beforeAll(() => {
    const app = testApp();
    stack = new Stack(app, 'Defaults');
    storage = new SeizureStorage(stack, 'Storage');
    customStack = new Stack(app, 'Custom');
    customStorage = new SeizureStorage(customStack, 'Storage', {
      encryption: 'CUSTOMER_KEY',
      noncurrentVersionExpirationDays: 30,
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });
    t = Template.fromStack(stack);
    custom = Template.fromStack(customStack);
  });

  test('the submissions bucket policy denies every request not made over TLS', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(stack, storage.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('the submissions bucket is versioned (a re-upload keeps the previous file)', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('both buckets block every kind of public access and disable ACLs', () => {
    const buckets = t.findResources('AWS::S3::Bucket');
    assert.equal(Object.keys(buckets).length, 2);
    for (const [logicalId, b] of Object.entries(buckets)) {
      assert.deepEqual(
        b.Properties.PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        logicalId,
      );
      assert.deepEqual(b.Properties.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] }, logicalId);
    }
  });

  test('server access logs of the submissions bucket go to the separate log bucket', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stack, storage.accessLogBucket) }, LogFilePrefix: 'submissions/' },
    });
  });

  test('the log bucket is encrypted with SSE-S3 (the only kind log delivery supports) and denies non-TLS requests', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.absent(),
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(stack, storage.accessLogBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('the log bucket lets the S3 logging service write only the submissions bucket logs', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(stack, storage.accessLogBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(stack, storage.bucket), 'Arn'] } } }),
          }),
        ]),
      },
    });
  });

  test('noncurrent versions expire after 365 days by default, and after the configured number of days', () => {
    const rule = (days: number) =>
      Match.objectLike({
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: days }, Status: 'Enabled' })]),
        },
      });
    t.hasResourceProperties('AWS::S3::Bucket', rule(365));
    custom.hasResourceProperties('AWS::S3::Bucket', rule(30));
  });

  test('the submissions bucket has no CORS configuration', () => {
    for (const b of Object.values(t.findResources('AWS::S3::Bucket'))) assert.equal(b.Properties.CorsConfiguration, undefined);
  });

  test("the table's keys and global secondary indexes are exactly TABLE from functions/core/store/table.ts", () => {
    const [table] = Object.values(t.findResources('AWS::DynamoDB::Table'));
    const p = table!.Properties;
    const keySchema = (pk: { name: string }, sk: { name: string }) => [
      { AttributeName: pk.name, KeyType: 'HASH' },
      { AttributeName: sk.name, KeyType: 'RANGE' },
    ];
    assert.deepEqual(p.KeySchema, keySchema(TABLE.partitionKey, TABLE.sortKey));
    assert.deepEqual(
      p.GlobalSecondaryIndexes,
      TABLE.globalSecondaryIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: keySchema(g.partitionKey, g.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const attrs = [TABLE.partitionKey, TABLE.sortKey, ...TABLE.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
    assert.deepEqual(
      [...p.AttributeDefinitions].sort((a: { AttributeName: string }, b: { AttributeName: string }) =>
        a.AttributeName.localeCompare(b.AttributeName),
      ),
      attrs.map((a) => ({ AttributeName: a.name, AttributeType: a.type })).sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    );
  });

  test('the table is on-demand, with point-in-time recovery, encryption and deletion protection', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  test('by default the buckets and the table are retained when removed from the stack', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table']) {
      for (const [logicalId, r] of Object.entries(t.findResources(type))) {
        assert.equal(r.DeletionPolicy, 'Retain', logicalId);
        assert.equal(r.UpdateReplacePolicy, 'Retain', logicalId);
      }
    }
  });

  test('removal policy and deletion protection are props', () => {
    custom.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  test('CUSTOMER_KEY encrypts the bucket and the table with one rotated customer managed key', () => {
    const keyId = id(customStack, customStorage.key!);
    custom.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    custom.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          },
        ],
      },
    });
    custom.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
  });

  const denyOnIncoming = (tpl: Template, sid: string) => {
    const policies = Object.values(tpl.findResources('AWS::S3::BucketPolicy'));
    for (const p of policies) {
      const st = (p.Properties.PolicyDocument.Statement as Array<Record<string, any>>).find((x) => x.Sid === sid);
      if (st) return st;
    }
    return undefined;
  };

  test('uploads under incoming/ that ingest could not read are denied: SSE-C, other KMS keys, other storage classes', () => {
    for (const [tpl, sids] of [
      [t, ['DenyUploadsWithCustomerKeys', 'DenyUploadsWithKmsKeys', 'DenyUploadsInOtherStorageClasses']],
      [
        custom,
        [
          'DenyUploadsWithCustomerKeys',
          'DenyUploadsWithOtherEncryption',
          'DenyUploadsWithForeignKmsKeys',
          'DenyUploadsInOtherStorageClasses',
        ],
      ],
    ] as const) {
      for (const sid of sids) {
        const st = denyOnIncoming(tpl, sid);
        assert.ok(st, `${sid} is in the bucket policy`);
        assert.equal(st.Effect, 'Deny');
        assert.equal(st.Action, 's3:PutObject');
        assert.deepEqual(st.Principal, { AWS: '*' });
        assert.match(JSON.stringify(st.Resource), /\/incoming\/\*/);
      }
    }
    assert.deepEqual(denyOnIncoming(t, 'DenyUploadsWithCustomerKeys')!.Condition, {
      Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
    });
    // Only when the upload sends the header (Null false): an ...IfExists deny also hit every upload without it.
    assert.deepEqual(denyOnIncoming(t, 'DenyUploadsInOtherStorageClasses')!.Condition, {
      StringNotEquals: { 's3:x-amz-storage-class': 'STANDARD' },
      Null: { 's3:x-amz-storage-class': 'false' },
    });
    assert.deepEqual(denyOnIncoming(t, 'DenyUploadsWithKmsKeys')!.Condition, {
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
      Null: { 's3:x-amz-server-side-encryption': 'false' },
    });
    const keyId = customStack.getLogicalId(customStorage.key!.node.defaultChild as CfnElement);
    assert.deepEqual(denyOnIncoming(custom, 'DenyUploadsWithForeignKmsKeys')!.Condition, {
      StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [keyId, 'Arn'] } },
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
    });
  });
});
