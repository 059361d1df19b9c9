/**
 * S3 notifications as AWS delivers them, built from s3rver's object events: the same filter as the bucket's
 * notification configuration (lib/ingestion.ts reads the same constants from functions/core/operation/layout.ts), the key URL-encoded as S3
 * does in events (s3rver does not), a sequencer that grows with every event, and the SQS message body S3 sends.
 */
import { randomBytes } from 'node:crypto';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { decodeS3Key } from '../../functions/ingest/event.ts';
import { INCOMING_PREFIX, INGEST_SUFFIXES } from '../../functions/core/operation/layout.ts';

export const LOCAL_REGION = 'us-east-1';

/** What s3rver 3.x emits on 'event' (one record; key as stored, not encoded; sequencer = Date.now() in hex). */
export interface S3rverEvent {
  Records: Array<{
    eventTime: string;
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
    requestParameters?: { sourceIPAddress?: string };
  }>;
}

/** Whether the bucket's notification sends this key to the ingest queue: ObjectCreated, prefix incoming/, one of the suffixes (case-sensitive, as S3). */
export function routedToIngest(key: string, eventName = 'ObjectCreated:Put'): boolean {
  return eventName.startsWith('ObjectCreated:') && key.startsWith(INCOMING_PREFIX) && INGEST_SUFFIXES.some((s) => key.endsWith(s));
}

/** Whether the bucket's notification sends this key to the shares queue: a photo upload under shares/{id}/uploads/. */
export function routedToShares(key: string, eventName = 'ObjectCreated:Put'): boolean {
  return eventName.startsWith('ObjectCreated:') && /^shares\/[^/]+\/uploads\//.test(key);
}

/**
 * A key as S3 writes it into event notifications: application/x-www-form-urlencoded per path segment, so a space
 * becomes '+', '+' becomes %2B, non-ASCII is percent-encoded UTF-8, and '/' stays.
 */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => new URLSearchParams([['', segment]]).toString().slice(1))
    .join('/');
}

/**
 * Sequencers that grow with every event, across restarts too (they start from the clock in microseconds), so two
 * uploads of one key within a millisecond are still told apart and ordered. S3's are hex strings of varying length;
 * these are 16 hex digits.
 */
export class Sequencer {
  #last = 0n;
  constructor(floor = 0n) {
    this.#last = floor;
  }
  next(nowMs = Date.now()): string {
    const fromClock = BigInt(nowMs) * 1000n;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1n;
    return this.#last.toString(16).toUpperCase().padStart(16, '0');
  }
  /** Never hand out one at or below this (one already used before a restart). */
  observe(sequencer: string): void {
    try {
      const v = BigInt(`0x${sequencer}`);
      if (v > this.#last) this.#last = v;
    } catch {
      /* not hex: not ours */
    }
  }
}

export interface ObjectCreated {
  readonly bucket: string;
  /** The key as stored (decoded). */
  readonly key: string;
  readonly size: number;
  /** Without quotes. */
  readonly eTag?: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly sequencer: string;
  readonly sourceIp?: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();

/** One S3 event record shaped as AWS sends it (event version 2.1; no versionId: the local bucket is unversioned). */
export function s3EventRecord(o: ObjectCreated): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: LOCAL_REGION,
    eventTime: o.eventTime,
    eventName: o.eventName as S3EventRecord['eventName'],
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: o.sourceIp ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': hex(8), 'x-amz-id-2': randomBytes(48).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'IngestNotification',
      bucket: { name: o.bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${o.bucket}` },
      object: {
        key: encodeS3EventKey(o.key),
        size: o.size,
        ...(o.eTag ? { eTag: o.eTag } : {}),
        sequencer: o.sequencer,
      } as S3EventRecord['s3']['object'],
    },
  };
}

/** The body of the SQS message S3 sends for one event. */
export const sqsBodyOf = (o: ObjectCreated): string => JSON.stringify({ Records: [s3EventRecord(o)] } satisfies S3Event);

/**
 * s3rver names both a browser form POST (the portal's presigned POST) and a completed multipart upload 'Post', and
 * cannot tell them apart; S3 calls the second CompleteMultipartUpload (the AWS CLI uses it above 8 MB). Ingest reads
 * only the `ObjectCreated:` prefix, so either name routes the same.
 */
const EVENT_NAMES: Record<string, string> = { 'ObjectCreated:Post': 'ObjectCreated:CompleteMultipartUpload' };

/**
 * s3rver's event -> the object-created notifications the bucket routes to the ingest queue (none for other keys or
 * removals). The event time and sequencer are ours: s3rver's sequencer is the clock in milliseconds, equal for two
 * uploads in one millisecond.
 */
export function fromS3rverEvent(ev: S3rverEvent, sequencer: Sequencer, routed = routedToIngest): ObjectCreated[] {
  const out: ObjectCreated[] = [];
  for (const r of ev.Records ?? []) {
    const key = r.s3.object.key;
    if (!routed(key, r.eventName)) continue;
    const now = Date.now();
    out.push({
      bucket: r.s3.bucket.name,
      key,
      size: r.s3.object.size ?? 0,
      ...(r.s3.object.eTag ? { eTag: r.s3.object.eTag.replaceAll('"', '') } : {}),
      eventName: EVENT_NAMES[r.eventName] ?? r.eventName,
      eventTime: new Date(now).toISOString(),
      sequencer: sequencer.next(now),
      ...(r.requestParameters?.sourceIPAddress ? { sourceIp: r.requestParameters.sourceIPAddress } : {}),
    });
  }
  return out;
}

/** The object-created notifications carried by one SQS body (keys decoded), to know what a queued message is about. */
export function objectsOfBody(body: string): Array<{ key: string; eTag?: string; sequencer?: string }> {
  try {
    const ev = JSON.parse(body) as Partial<S3Event>;
    return (ev.Records ?? []).map((r) => ({
      key: decodeS3Key(r.s3.object.key),
      ...(r.s3.object.eTag ? { eTag: r.s3.object.eTag } : {}),
      ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
    }));
  } catch {
    return [];
  }
}
