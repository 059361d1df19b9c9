/**
 * Nothing lost across a crash. At start, every object under incoming/ that the notification would route to ingestion
 * and that has neither a finished submission record (same key, same ETag) nor a message in the queue or the
 * dead-letter queue is queued again as if S3 had just notified it. That covers a process killed after s3rver stored
 * an object and before its notification reached the queue's directory; a message that was queued or in flight is
 * delivered again by the queue itself, with its first sequencer, so its submission is finished rather than repeated.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { INCOMING_PREFIX } from '../../functions/core/operation/layout.ts';
import type { SeizureStore } from '../../functions/core/store/store.ts';
import { objectsOfBody, routedToIngest, type ObjectCreated, type Sequencer } from './notifications.ts';
import type { QueueMessage } from './queue.ts';
import { FINISHED } from './settings.ts';

export interface ReconcileInput {
  readonly s3: S3Client;
  readonly store: SeizureStore;
  readonly bucket: string;
  /** Messages in the queue and in the dead-letter queue. */
  readonly messages: readonly QueueMessage[];
  readonly sequencer: Sequencer;
}

/** The notifications to queue again, oldest object first. */
export async function objectsToReconcile(o: ReconcileInput): Promise<ObjectCreated[]> {
  const queued = new Set<string>();
  for (const m of o.messages) {
    for (const x of objectsOfBody(m.body)) {
      queued.add(`${x.key}\u0000${x.eTag ?? '*'}`);
      if (x.sequencer) o.sequencer.observe(x.sequencer);
    }
  }
  const finished = new Set<string>();
  for (const s of await o.store.listSubmissions()) {
    if (s.versionId.startsWith('seq:')) o.sequencer.observe(s.versionId.slice(4));
    if (FINISHED.has(s.status)) finished.add(`${s.objectKey}\u0000${s.etag}`);
  }
  const out: Array<ObjectCreated & { modified: number }> = [];
  let token: string | undefined;
  do {
    const page = await o.s3.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: INCOMING_PREFIX, ContinuationToken: token }));
    for (const obj of page.Contents ?? []) {
      const key = obj.Key!;
      const eTag = (obj.ETag ?? '').replaceAll('"', '');
      if (!routedToIngest(key)) continue;
      const id = `${key}\u0000${eTag}`;
      if (queued.has(id) || queued.has(`${key}\u0000*`) || finished.has(id)) continue;
      const modified = obj.LastModified?.getTime() ?? Date.now();
      out.push({
        bucket: o.bucket,
        key,
        size: obj.Size ?? 0,
        eTag,
        eventName: 'ObjectCreated:Put',
        eventTime: new Date(modified).toISOString(),
        sequencer: '',
        modified,
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  out.sort((a, b) => a.modified - b.modified || (a.key < b.key ? -1 : 1));
  // Sequencers in the order of the objects' times, all after any sequencer used before.
  return out.map(({ modified: _m, ...o2 }) => ({ ...o2, sequencer: o.sequencer.next() }));
}
