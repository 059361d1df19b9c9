/**
 * Prefix-scoped S3 grants with explicit actions. `bucket.grantRead()` grants `s3:GetObject*`, `s3:GetBucket*` and
 * `s3:List*`; these statements name the few actions the pipeline needs, so the only wildcards cdk-nag sees are the key
 * prefixes themselves (acknowledged where they are granted).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';

export interface PrefixGrant {
  /** Key prefixes (ending in `/`, or `''` for the whole bucket) whose objects may be read. @default - none */
  readonly read?: readonly string[];
  /** Key prefixes whose objects may be written. @default - none */
  readonly write?: readonly string[];
  /**
   * Whether `s3:ListBucket` is granted, limited by `s3:prefix` to the read and write prefixes. Without it a missing key
   * reads as 403 rather than 404.
   * @default true
   */
  readonly list?: boolean;
}

export const S3_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
/** PutObject also covers the multipart upload calls except abort. */
export const S3_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/** Grants object access under the given prefixes (and the bucket's KMS key, if it has one). */
export function grantPrefixes(grantee: iam.IGrantable, bucket: s3.IBucket, grant: PrefixGrant): iam.Grant[] {
  const read = grant.read ?? [];
  const write = grant.write ?? [];
  const grants: iam.Grant[] = [];
  const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  if (read.length > 0) {
    grants.push(iam.Grant.addToPrincipal({ grantee, actions: S3_READ_ACTIONS, resourceArns: objects(read) }));
  }
  if (write.length > 0) {
    grants.push(iam.Grant.addToPrincipal({ grantee, actions: S3_WRITE_ACTIONS, resourceArns: objects(write) }));
  }
  const all = [...new Set([...read, ...write])];
  if ((grant.list ?? true) && all.length > 0) {
    const whole = all.includes('');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        ...(whole ? {} : { conditions: { StringLike: { 's3:prefix': all.map((p) => `${p}*`) } } }),
      }),
    );
  }
  if (bucket.encryptionKey) {
    // SSE-KMS: reading needs Decrypt; writing needs GenerateDataKey (and Decrypt for multipart uploads).
    const actions = write.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    // Only through S3 in this region (kms:ViaService): the grant lets its holder read and write objects, not use the
    // key directly (a Member's session could otherwise decrypt any ciphertext made with it, such as the table's).
    grants.push(
      iam.Grant.addToPrincipal({
        grantee,
        actions,
        resourceArns: [bucket.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` } },
      }),
    );
  }
  return grants;
}
