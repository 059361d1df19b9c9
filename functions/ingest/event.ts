/**
 * S3 notifications as the ingest function receives them: an SQS message whose body is an S3 event. The only place
 * object keys are decoded: S3 URL-encodes them in events, with '+' for a space.
 */
import type { S3Event } from 'aws-lambda';
import type { UploadEvent } from '../core/ingest/ingest.ts';
import { BadEventError } from '../shared/errors.ts';

export { BadEventError };

export const decodeS3Key = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

/** The uploads in one SQS message body; [] for S3's test event. */
export function uploadsFromSqsBody(body: string): UploadEvent[] {
  let parsed: Partial<S3Event> & { Event?: string };
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadEventError(`SQS message body is not JSON: ${body.slice(0, 200)}`);
  }
  if (parsed.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed.Records)) throw new BadEventError(`not an S3 event: ${body.slice(0, 200)}`);
  return parsed.Records.filter((r) => r.eventName?.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeS3Key(r.s3.object.key),
    ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
    ...(r.s3.object.size !== undefined ? { size: r.s3.object.size } : {}),
    ...(r.s3.object.eTag ? { etag: r.s3.object.eTag } : {}),
    ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
    eventTime: r.eventTime,
  }));
}
