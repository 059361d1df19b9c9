/**
 * The contacts file of the phase-close alerts, put into the local bucket as the stack's custom resource puts it into
 * the real one (lib/phase-close.ts): at the local cloud's start, and again before each local run (the CLI may run
 * against a cloud started with another --config).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { contactsKeyFor, contactsOf } from '../../functions/core/contracts/phase-close-spec.ts';

export async function putContacts(s3: S3Client, bucket: string, operation: OperationConfig): Promise<string> {
  const key = contactsKeyFor(operation);
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(contactsOf(operation)), ContentType: 'application/json' }),
  );
  return key;
}
