/**
 * Where submissions and their records live: the versioned submissions bucket (with its server access log bucket) and
 * the one DynamoDB table, whose keys and indexes come from functions/core/store/table.ts so the local cloud and AWS
 * cannot drift.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INCOMING_PREFIX } from '../functions/core/operation/layout.ts';
import { TABLE, type KeyAttr, type TableDefinition } from '../functions/core/store/table.ts';

/**
 * - `AWS_MANAGED`: SSE-S3 on the bucket, the AWS managed `aws/dynamodb` key on the table. No key to administer.
 * - `CUSTOMER_KEY`: one customer managed KMS key (rotated yearly) for the bucket (SSE-KMS with S3 Bucket Keys) and the
 *   table, so access to the data can be cut or audited at the key. Every grant in this app includes the key.
 */
export type StorageEncryption = 'AWS_MANAGED' | 'CUSTOMER_KEY';

export interface SeizureStorageProps {
  /**
   * How the bucket and the table are encrypted at rest.
   * @default 'AWS_MANAGED'
   */
  readonly encryption?: StorageEncryption;
  /**
   * Days after which a replaced or deleted upload (a noncurrent object version) is removed for good.
   * @default 365
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * What happens to the buckets, the table and the key when they leave the stack. Submissions are evidence: keep them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection on the table (a delete-table call fails until it is turned off).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The table's keys and indexes. Only tests should change it.
   * @default TABLE from functions/core/store/table.ts
   */
  readonly tableDefinition?: TableDefinition;
}

const attr = (k: KeyAttr): dynamodb.Attribute => ({
  name: k.name,
  type: k.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

export class SeizureStorage extends Construct {
  /** The submissions bucket: incoming/, feedback/, summaries/ (see functions/core/operation/layout.ts). */
  public readonly bucket: s3.Bucket;
  /** Receives the submissions bucket's server access logs. */
  public readonly accessLogBucket: s3.Bucket;
  public readonly table: dynamodb.Table;
  /** The customer managed key, when encryption is CUSTOMER_KEY. */
  public readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: SeizureStorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const def = props.tableDefinition ?? TABLE;
    if (props.encryption === 'CUSTOMER_KEY') {
      this.key = new kms.Key(this, 'Key', {
        description: 'Encrypts the seizure submissions bucket and table',
        enableKeyRotation: true,
        removalPolicy,
      });
    }

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only, whatever the data bucket uses.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // A year of access logs, then gone (Control Tower CT.S3.PR.6: a bucket has a lifecycle; without one they grew forever).
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy,
    });
    // No access logs of the access logs: cdk-nag's S1 accepts a bucket that receives another bucket's access logs,
    // so there is nothing to acknowledge (a test checks that every acknowledgement answers a real finding).

    this.bucket = new s3.Bucket(this, 'Submissions', {
      ...(this.key
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'submissions/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 365),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // No CORS: Members upload with the AWS CLI/SDK or the console, never from a web page of ours.
      removalPolicy,
    });

    // What an upload may be stored as, whoever puts it (IAM allows Members PutObject under their folder): objects the
    // ingest function can read. SSE-C would need a key it never has; another KMS key, one it has no grant on; an
    // archive or infrequent-access class, a restore or a retrieval fee before it can be read.
    const incoming = this.bucket.arnForObjects(`${INCOMING_PREFIX}*`);
    const deny = (sid: string, condition: Record<string, Record<string, string | string[]>>) =>
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [incoming],
          conditions: condition,
        }),
      );
    // Each deny names a header's value only when the upload sends that header (Null = false: present). An upload
    // without it gets the bucket's defaults, which are right. `StringNotEqualsIfExists` read the other way: a missing
    // key makes an ...IfExists condition TRUE, so it denied every upload that left the header out (the portal's
    // presigned POST, `aws s3 cp`); `seizures preflight` found it (lib/preflight).
    const whenSent = (key: string, value: string) => ({ StringNotEquals: { [key]: value }, Null: { [key]: 'false' } });
    deny('DenyUploadsWithCustomerKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } });
    if (this.key) {
      deny('DenyUploadsWithOtherEncryption', whenSent('s3:x-amz-server-side-encryption', 'aws:kms'));
      deny('DenyUploadsWithForeignKmsKeys', whenSent('s3:x-amz-server-side-encryption-aws-kms-key-id', this.key.keyArn));
    } else {
      deny('DenyUploadsWithKmsKeys', whenSent('s3:x-amz-server-side-encryption', 'AES256'));
    }
    deny('DenyUploadsInOtherStorageClasses', whenSent('s3:x-amz-storage-class', 'STANDARD'));

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attr(def.partitionKey),
      sortKey: attr(def.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(this.key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.key }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      deletionProtection: props.deletionProtection ?? true,
      // Shares and push subscriptions expire (functions/core/shares): TTL removes them; reads check expiry anyway.
      ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
      removalPolicy,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attr(gsi.partitionKey),
        sortKey: attr(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}

/** Item writes of DynamoDB, whose keys dynamodb:LeadingKeys names. */
const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Confines a principal's writes to items whose partition key starts with one of `prefixes` (its own kinds of item,
 * functions/core/store/keys.ts): a deny on every item write whose partition key (dynamodb:LeadingKeys) matches none.
 * A deny rather than a narrower allow, so that it holds whatever other grants the principal has.
 */
export function confineTableWrites(grantee: iam.IGrantable, table: dynamodb.ITable, prefixes: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WritesOnlyItsOwnItems',
      effect: iam.Effect.DENY,
      actions: TABLE_WRITES,
      resources: [table.tableArn],
      conditions: { 'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) } },
    }),
  );
}
