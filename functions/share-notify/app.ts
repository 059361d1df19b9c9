/**
 * share-notify: the shares queue (SQS: one message per new share, `{shareId, operation}`) -> the emails to the
 * recipient Members' NCPs and the web pushes to their users' devices (functions/core/shares/notify.ts). A thin
 * adapter on the one middy chain: each record is one share; a record whose sending failed is reported in
 * `batchItemFailures`, so SQS delivers it again and only what was not sent is sent (the core claims each send).
 * The local cloud builds the same handler with createShareNotifyHandler and local dependencies (lib/local/shares.ts).
 *
 * Environment: TABLE_NAME, BUCKET_NAME, CONTACTS_KEY (the contacts JSON, read at every invocation as phase-alerts
 * does), OPERATION_CONFIG, VAPID_SECRET_ID; optional PORTAL_URL (else the operation's portalUrl),
 * SES_CONFIGURATION_SET.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processPhotoUpload } from '../core/shares/photos.ts';
import { parseContacts, sesMailer, type Contacts, type Mailer } from '../core/phase/alerts.ts';
import { getJson } from '../core/phase/io.ts';
import { UnreachableContacts } from '../core/mail/unreachable.ts';
import type { OperationConfig } from '../core/operation/config.ts';
import { dynamoClient, s3Client, sesClient } from '../core/platform/aws.ts';
import { fanOut, type FanOutDeps, type ShareMessage } from '../core/shares/notify.ts';
import { PushSubscriptions, type VapidSource } from '../core/shares/push.ts';
import { ShareStore } from '../core/shares/store.ts';
import { secretsManagerVapid } from '../core/shares/vapid.ts';
import { operationConfigOf, requireEnv } from '../shared/env.ts';
import { MissingEnvError } from '../shared/errors.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { powertools, traced } from '../shared/powertools.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const SERVICE = 'share-notify';

export interface ShareNotifyDeps {
  readonly config: OperationConfig;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /** The contacts (NCP addresses and languages), read at every invocation. */
  readonly contacts: () => Promise<Contacts>;
  readonly unreachable?: () => Promise<ReadonlySet<string>>;
  readonly mailer: Mailer;
  readonly vapid: VapidSource;
  readonly portalUrl: string;
  /** Test seam (FanOutDeps.sendPush). */
  readonly sendPush?: FanOutDeps['sendPush'];
  /** The bucket of the photos (S3 events of uploads under shares/{id}/uploads/ come on the same queue). */
  readonly s3: S3Client;
  readonly bucket: string;
}

export function depsFromEnv(env: NodeJS.ProcessEnv): ShareNotifyDeps {
  const vars = requireEnv(SERVICE, env, ['TABLE_NAME', 'BUCKET_NAME', 'CONTACTS_KEY', 'OPERATION_CONFIG', 'VAPID_SECRET_ID']);
  const config = operationConfigOf(vars.OPERATION_CONFIG);
  const portalUrl = env.PORTAL_URL || config.portalUrl;
  if (!portalUrl) throw new MissingEnvError(`${SERVICE}: environment variables not set: PORTAL_URL (or the operation's portalUrl)`);
  const dynamo = traced(SERVICE, dynamoClient());
  const s3 = traced(SERVICE, s3Client());
  const unreachable = new UnreachableContacts({ client: dynamo, tableName: vars.TABLE_NAME });
  return {
    config,
    dynamo,
    tableName: vars.TABLE_NAME,
    contacts: async () =>
      parseContacts(await getJson(s3, vars.BUCKET_NAME, vars.CONTACTS_KEY), `s3://${vars.BUCKET_NAME}/${vars.CONTACTS_KEY}`),
    unreachable: () => unreachable.addresses(),
    mailer: sesMailer(traced(SERVICE, sesClient()), env.SES_CONFIGURATION_SET || undefined),
    vapid: secretsManagerVapid(traced(SERVICE, new SecretsManagerClient({})), vars.VAPID_SECRET_ID, `mailto:${config.mailFrom}`),
    portalUrl,
    s3,
    bucket: vars.BUCKET_NAME,
  };
}

/**
 * A record's body: a new share to announce, or S3's notification of photo uploads (the keys, decoded); undefined for
 * anything else, which is logged and dropped (a retry cannot make it one).
 */
function messageOf(body: string): ShareMessage | { photos: string[] } | undefined {
  try {
    const m = JSON.parse(body) as Partial<ShareMessage> & Partial<S3Event>;
    if (Array.isArray(m.Records))
      return {
        photos: m.Records.filter((r) => r.eventName?.startsWith('ObjectCreated:')).map((r) =>
          decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')),
        ),
      };
    return typeof m.shareId === 'string' && typeof m.operation === 'string' ? { shareId: m.shareId, operation: m.operation } : undefined;
  } catch {
    return undefined;
  }
}

export function createShareNotifyHandler(deps: ShareNotifyDeps) {
  const { logger } = powertools(SERVICE);
  const shares = new ShareStore({ client: deps.dynamo, tableName: deps.tableName });
  const subscriptions = new PushSubscriptions({ client: deps.dynamo, tableName: deps.tableName });
  return lambdaHandler(
    async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failures: { itemIdentifier: string }[] = [];
      const [contacts, unreachable] = await Promise.all([deps.contacts(), deps.unreachable?.()]);
      for (const record of event.Records ?? []) {
        const m = messageOf(record.body);
        if (m && 'photos' in m) {
          try {
            for (const key of m.photos) {
              const photo = await processPhotoUpload(
                { s3: deps.s3, bucket: deps.bucket, dynamo: deps.dynamo, tableName: deps.tableName },
                key,
              );
              logger.info(photo ? 'photo stripped and recorded' : 'photo upload refused and deleted', {
                key,
                ...(photo ? { n: photo.n } : {}),
              });
            }
          } catch (e) {
            logger.warn('photo processing failed: retried', { error: (e as Error).name });
            failures.push({ itemIdentifier: record.messageId });
          }
          continue;
        }
        if (!m || m.operation !== deps.config.id) {
          logger.error('not a share message of this operation: dropped', { messageId: record.messageId });
          continue;
        }
        try {
          const started = Date.now();
          const r = await fanOut(
            {
              config: deps.config,
              shares,
              subscriptions,
              dynamo: deps.dynamo,
              tableName: deps.tableName,
              contacts,
              ...(unreachable ? { unreachable } : {}),
              mailer: deps.mailer,
              vapid: deps.vapid,
              portalUrl: deps.portalUrl,
              ...(deps.sendPush ? { sendPush: deps.sendPush } : {}),
            },
            m,
          );
          logger.info('share announced', { shareId: m.shareId, ...r, ms: Date.now() - started });
        } catch (e) {
          logger.warn('share notifications failed: retried', { shareId: m.shareId, error: (e as Error).name });
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    },
    { service: SERVICE },
  );
}
