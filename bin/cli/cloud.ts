/**
 * Where every cloud command works (`upload`, `status`, `close-phase`, `summary`, `demo`, `dev --demo`): one
 * CloudTarget, whatever the command and wherever the cloud is.
 * - the local cloud running on the data directory (found by its cloud.json and checked to answer),
 * - else one started in this process for the length of the command (its data stays in the data directory),
 * - or AWS with `--aws` (the standard credential chain; the bucket, table and state machine from the stack's
 *   outputs), or only a bucket with `--aws --bucket NAME` (credentials that may not read the stack or the table).
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../functions/core/platform/aws.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import type { LocalCloud } from '../../lib/local/index.ts';
import { readMessages, type QueueMessage } from '../../lib/local/queue.ts';
import type { CloudDescriptor } from '../../lib/local/registry.ts';
import { readStack, runningCloud, stackNameOf, startInProcess, wantsAws } from './cloud-connect.ts';
import { localSettingsOf, type LocalValues } from './cloud-flags.ts';
import { UsageError } from './common.ts';

/** The local side of a target: the emulators, for the hints people copy and for the handlers run in this process. */
export interface LocalSide {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ses: string };
  readonly mailViewer: string;
  readonly dataDir: string;
  /** The cloud, when it runs in this process (for this command, or `dev`'s own). */
  readonly inProcess?: LocalCloud;
  /** The cloud outlives the command (its mail viewer keeps the emails): it runs in another process, or is `dev`'s. */
  readonly lasting: boolean;
  /** Uploads still queued for ingestion by the cloud of another process. */
  readonly pendingUploads: number;
  /** The dead letters of the ingest queue. */
  deadLetters(): QueueMessage[];
  /** The cloud's portal (`seizures dev`), which the alert emails of a phase close run here link to. */
  readonly portalUrl?: string;
}

export interface CloudTarget {
  readonly kind: 'local' | 'aws';
  /** For people: where this is. */
  readonly where: string;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Absent with `--aws --bucket`: the table is not known. */
  readonly dynamo?: DynamoDBClient;
  readonly store?: SeizureStore;
  readonly tableName?: string;
  readonly local?: LocalSide;
  /** AWS: the stack (absent with --bucket) and its state machine. */
  readonly aws?: { readonly stackName?: string; readonly stateMachineArn?: string; readonly outputs?: Readonly<Record<string, string>> };
  close(): Promise<void>;
}

/** A target whose table is known (every target but `--aws --bucket`). */
export type TableTarget = CloudTarget & { readonly dynamo: DynamoDBClient; readonly store: SeizureStore; readonly tableName: string };
/** A target on a local cloud. */
export type LocalTarget = TableTarget & { readonly kind: 'local'; readonly local: LocalSide };

export interface ConnectOptions {
  readonly values: LocalValues & { aws?: boolean | undefined; stack?: string | undefined; bucket?: string | undefined };
  readonly operation: OperationConfig;
  /** Whether a cloud started in this process ingests uploads (upload, close-phase, demo) or only serves reads (status). */
  readonly ingest: boolean;
  /** A cloud started in this process first ingests the uploads still queued, and waits for them (close-phase). */
  readonly drainQueue?: boolean;
  /** More to try when the stack cannot be read, for commands that take --bucket (BUCKET_HINT). */
  readonly stackHint?: string;
  readonly log: (line: string) => void;
}

export async function connect(o: ConnectOptions): Promise<CloudTarget> {
  if (wantsAws(o.values)) {
    if (o.values.bucket !== undefined && o.values.stack !== undefined) throw new UsageError('give --stack or --bucket, not both');
    if (o.values.bucket !== undefined) return awsBucketOnly(o.values.bucket);
    return connectAws(await stackNameOf(o.values.stack, o.operation), o.stackHint);
  }
  if (o.values.bucket !== undefined) throw new UsageError('--bucket needs --aws (the local bucket is always submissions)');
  const settings = localSettingsOf(o.values);
  const c = await runningCloud(settings.dataDir);
  if (c) return localTarget(c, `the local cloud on ${c.dataDir} (pid ${c.pid})`, { lasting: true });
  const cloud = await startInProcess(settings, o);
  try {
    if (o.drainQueue && o.ingest && cloud.queue.messages().length > 0) {
      o.log(`${cloud.queue.messages().length} upload(s) were still queued: ingesting them first`);
      await cloud.waitForIdle();
    }
  } catch (e) {
    await cloud.stop();
    throw e;
  }
  return localTarget(cloud, `a local cloud in this process on ${cloud.dataDir}`, { lasting: false, inProcess: cloud, stopOnClose: true });
}

/** The table, or a usage error: `--aws --bucket` does not name it, and the command needs it. */
export function withTable(t: CloudTarget, command: string): TableTarget {
  if (!t.store || !t.dynamo || t.tableName === undefined) throw new UsageError(`${command} reads the table: give --stack, not --bucket`);
  return t as TableTarget;
}

/** The local cloud of the target, or an error: the command runs on a local cloud only. */
export function onLocalCloud(t: CloudTarget, command: string): LocalTarget {
  if (t.kind !== 'local' || !t.local) throw new UsageError(`${command} runs on a local cloud only`);
  return withTable(t, command) as LocalTarget;
}

/**
 * A target on a local cloud: the one running in another process (its descriptor), or one of this process. Its SDK
 * clients are the target's own; `stopOnClose` also stops the cloud when the target closes.
 */
export function localTarget(
  c: CloudDescriptor | LocalCloud,
  where: string,
  o: { readonly lasting: boolean; readonly inProcess?: LocalCloud; readonly stopOnClose?: boolean },
): LocalTarget {
  const s3 = s3Client(c.endpoints);
  const dynamo = dynamoClient(c.endpoints);
  const inProcess = o.inProcess;
  return {
    kind: 'local',
    where,
    s3,
    dynamo,
    store: new SeizureStore({ client: dynamo, tableName: c.tableName }),
    bucket: c.bucket,
    tableName: c.tableName,
    local: {
      endpoints: c.endpoints,
      mailViewer: c.mailViewer,
      dataDir: c.dataDir,
      lasting: o.lasting,
      ...(inProcess ? { inProcess } : {}),
      pendingUploads: inProcess ? 0 : readMessages(join(c.dataDir, 'queue', 'ingest')).length,
      deadLetters: () => (inProcess ? inProcess.queue.deadLetters() : readMessages(join(c.dataDir, 'queue', 'ingest-dlq'))),
      ...(c.portal?.url ? { portalUrl: c.portal.url } : {}),
    },
    async close() {
      s3.destroy();
      dynamo.destroy();
      if (o.stopOnClose) await inProcess?.stop();
    },
  };
}

/** The hint of `upload` and `status` when the stack cannot be read. */
export const BUCKET_HINT = "credentials that may not describe stacks, a Member's, give the bucket with --bucket NAME";

async function connectAws(stackName: string, hint: string | undefined): Promise<CloudTarget> {
  const { bucket, tableName, outputs } = await readStack(stackName, hint);
  const s3 = s3Client({});
  const dynamo = dynamoClient({});
  const stateMachineArn = outputs['PhaseCloseStateMachineArn'];
  return {
    kind: 'aws',
    where: `AWS (stack ${stackName})`,
    s3,
    dynamo,
    store: new SeizureStore({ client: dynamo, tableName }),
    bucket,
    tableName,
    aws: { stackName, ...(stateMachineArn ? { stateMachineArn } : {}), outputs },
    async close() {
      s3.destroy();
      dynamo.destroy();
    },
  };
}

function awsBucketOnly(bucket: string): CloudTarget {
  const s3 = s3Client({});
  return {
    kind: 'aws',
    where: `AWS (bucket ${bucket})`,
    s3,
    bucket,
    aws: {},
    async close() {
      s3.destroy();
    },
  };
}
