/**
 * Shares on this machine: the VAPID key pair of the data directory (generated at the first start, then always the
 * same: a device's subscription is bound to it), and the shares queue (a LocalQueue under queue/shares, its DLQ
 * queue/shares-dlq) feeding the SAME fan-out handler as the Lambda's (functions/share-notify/app.ts), with the local
 * SES, the contacts the local cloud put in the bucket, and the portal's URL for the links.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { parseContacts } from '../../functions/core/phase/alerts.ts';
import { sesMailer } from '../../functions/core/phase/alerts.ts';
import { getJson } from '../../functions/core/phase/io.ts';
import { UnreachableContacts } from '../../functions/core/mail/unreachable.ts';
import { dynamoClient, s3Client, sesClient, type LocalEndpoints } from '../../functions/core/platform/aws.ts';
import type { VapidKeys, VapidSource } from '../../functions/core/shares/push.ts';
import { generateVapidKeys, parseVapid } from '../../functions/core/shares/vapid.ts';
import { contactsKeyFor } from '../../functions/core/contracts/phase-close-spec.ts';
import { LocalQueue } from './queue.ts';
import { LOCAL_REGION } from './notifications.ts';

/** The data directory's VAPID keys (vapid.json, mode 600), created once. */
export function fileVapid(dataDir: string, subject: string): VapidSource {
  const file = join(dataDir, 'vapid.json');
  let keys: VapidKeys | undefined;
  return async () => {
    if (keys) return keys;
    if (existsSync(file)) keys = parseVapid(readFileSync(file, 'utf8'));
    if (!keys) {
      const fresh = generateVapidKeys(subject);
      try {
        writeFileSync(file, JSON.stringify(fresh), { flag: 'wx', mode: 0o600 });
        keys = fresh;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        keys = parseVapid(readFileSync(file, 'utf8'));
        if (!keys) throw new Error(`${file} holds no VAPID keys: delete it to make new ones (devices must subscribe again)`);
      }
    }
    return keys;
  };
}

export interface LocalShares {
  readonly queue: LocalQueue;
  readonly vapid: VapidSource;
  /** Queues a new share's notifications (the portal's `shares.notify`). */
  notify(shareId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startShares(o: {
  readonly dataDir: string;
  readonly endpoints: LocalEndpoints;
  readonly bucket: string;
  readonly tableName: string;
  readonly operation: OperationConfig;
  /** The portal's URL, for the links (the portal starts after the queue). */
  readonly portalUrl: () => string | undefined;
}): Promise<LocalShares> {
  const op = o.operation;
  const vapid = fileVapid(o.dataDir, `mailto:${op.mailFrom}`);
  const dynamo = dynamoClient(o.endpoints);
  const s3 = s3Client(o.endpoints);
  const ses = sesClient(o.endpoints);
  const { createShareNotifyHandler } = await import('../../functions/share-notify/app.ts');
  const unreachable = new UnreachableContacts({ client: dynamo, tableName: o.tableName });
  let handler: ReturnType<typeof createShareNotifyHandler> | undefined;
  const queue = new LocalQueue({
    dir: join(o.dataDir, 'queue', 'shares'),
    dlqDir: join(o.dataDir, 'queue', 'shares-dlq'),
    queueArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:shares`,
    functionName: 'share-notify',
    functionTimeoutMs: 60_000,
    batchSize: 10,
    maxConcurrency: 2,
    handler: async (event: SQSEvent, context: Context) => {
      const key = contactsKeyFor(op);
      handler ??= createShareNotifyHandler({
        config: op,
        dynamo,
        tableName: o.tableName,
        contacts: async () => parseContacts(await getJson(s3, o.bucket, key), `s3://${o.bucket}/${key}`),
        unreachable: () => unreachable.addresses(),
        mailer: sesMailer(ses),
        vapid,
        portalUrl: o.portalUrl() ?? op.portalUrl ?? 'http://127.0.0.1',
        s3,
        bucket: o.bucket,
      });
      return handler(event, context);
    },
  });
  queue.start();
  return {
    queue,
    vapid,
    async notify(shareId) {
      queue.send(JSON.stringify({ shareId, operation: op.id }));
    },
    async close() {
      await queue.stop(10_000);
      dynamo.destroy();
      s3.destroy();
      ses.destroy();
    },
  };
}
