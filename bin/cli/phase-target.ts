/**
 * Where `close-phase` and `summary` work, as `upload` and `status` do (bin/cli/cloud.ts): the local cloud running on
 * the data directory, else one started in this process for the length of the command (its data stays in the data
 * directory), or AWS with `--aws` (the stack's outputs name the bucket, the table and the state machine). Unlike
 * cloud.ts's Target, this one exposes the local endpoints: the workflow's handlers run in this process against them.
 * Loaded only when a command runs (it pulls in the emulators and the SDK).
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../functions/core/aws.ts';
import type { OperationConfig } from '../../functions/core/config.ts';
import type { LocalCloud } from '../../lib/local/index.ts';
import { readMessages } from '../../lib/local/queue.ts';
import { readStack, runningCloud, stackNameOf, startInProcess, wantsAws } from './cloud-connect.ts';
import { localSettingsOf, type LocalValues } from './cloud-flags.ts';

export interface PhaseTarget {
  readonly kind: 'local' | 'aws';
  /** For people: where this is. */
  readonly where: string;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly bucket: string;
  readonly tableName: string;
  /** Local: the emulators' endpoints, the mail viewer, the cloud when it runs in this process. */
  readonly local?: {
    readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ses: string };
    readonly mailViewer: string;
    readonly dataDir: string;
    readonly inProcess?: LocalCloud;
    /** Uploads still queued for ingestion by the cloud of another process. */
    readonly pendingUploads: number;
  };
  /** AWS: the stack and its state machine. */
  readonly aws?: { readonly stackName: string; readonly stateMachineArn?: string; readonly outputs?: Readonly<Record<string, string>> };
  close(): Promise<void>;
}

export interface PhaseConnectOptions {
  readonly values: LocalValues & { aws?: boolean | undefined; stack?: string | undefined };
  readonly operation: OperationConfig;
  /** An in-process cloud ingests queued uploads (and waits for them) before the command goes on. */
  readonly ingest: boolean;
  readonly log: (line: string) => void;
}

export async function connectPhase(o: PhaseConnectOptions): Promise<PhaseTarget> {
  if (wantsAws(o.values)) return connectAws(await stackNameOf(o.values.stack, o.operation));
  const settings = localSettingsOf(o.values);
  const c = await runningCloud(settings.dataDir);
  if (c) {
    const s3 = s3Client(c.endpoints);
    const dynamo = dynamoClient(c.endpoints);
    return {
      kind: 'local',
      where: `the local cloud on ${c.dataDir} (pid ${c.pid})`,
      s3,
      dynamo,
      bucket: c.bucket,
      tableName: c.tableName,
      local: {
        endpoints: c.endpoints,
        mailViewer: c.mailViewer,
        dataDir: c.dataDir,
        pendingUploads: readMessages(join(c.dataDir, 'queue', 'ingest')).length,
      },
      async close() {
        s3.destroy();
        dynamo.destroy();
      },
    };
  }
  const cloud = await startInProcess(settings, o);
  const s3 = s3Client(cloud.endpoints);
  const dynamo = dynamoClient(cloud.endpoints);
  try {
    if (o.ingest && cloud.queue.messages().length > 0) {
      o.log(`${cloud.queue.messages().length} upload(s) were still queued: ingesting them first`);
      await cloud.waitForIdle();
    }
  } catch (e) {
    s3.destroy();
    dynamo.destroy();
    await cloud.stop();
    throw e;
  }
  return {
    kind: 'local',
    where: `a local cloud in this process on ${cloud.dataDir}`,
    s3,
    dynamo,
    bucket: cloud.bucket,
    tableName: cloud.tableName,
    local: { endpoints: cloud.endpoints, mailViewer: cloud.mailViewer, dataDir: cloud.dataDir, inProcess: cloud, pendingUploads: 0 },
    async close() {
      s3.destroy();
      dynamo.destroy();
      await cloud.stop();
    },
  };
}

async function connectAws(stackName: string): Promise<PhaseTarget> {
  const { bucket, tableName, outputs } = await readStack(stackName);
  const s3 = s3Client({});
  const dynamo = dynamoClient({});
  const stateMachineArn = outputs['PhaseCloseStateMachineArn'];
  return {
    kind: 'aws',
    where: `AWS (stack ${stackName})`,
    s3,
    dynamo,
    bucket,
    tableName,
    aws: { stackName, ...(stateMachineArn ? { stateMachineArn } : {}), outputs },
    async close() {
      s3.destroy();
      dynamo.destroy();
    },
  };
}
