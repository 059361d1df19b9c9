/**
 * Where `upload` and `status` work: the local cloud running on the data directory (found by its cloud.json and
 * checked to answer), else one started in this process for the length of the command, or AWS with `--aws` (the
 * standard credential chain, the bucket and table from the stack's outputs). The commands load this module only
 * when they run: it pulls in the emulators.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../functions/core/aws.ts';
import type { OperationConfig } from '../../functions/core/config.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import {
  CloudAlreadyRunningError,
  DataDirError,
  DataDirInUseError,
  LocalCloudNotRunningError,
  PortInUseError,
  readMessages,
  type QueueMessage,
} from '../../lib/local/index.ts';
import { readStack, runningCloud, stackNameOf, startInProcess, wantsAws } from './cloud-connect.ts';
import { EXIT, localSettingsOf, type LocalValues } from './cloud-flags.ts';
import { UsageError } from './common.ts';
import { join } from 'node:path';

export interface Target {
  readonly kind: 'local' | 'aws';
  /** For people: where this is. */
  readonly where: string;
  readonly s3: S3Client;
  /** Absent with `--aws --bucket`: the table is not known. */
  readonly store?: SeizureStore;
  /** The DynamoDB client of the table (absent with `--aws --bucket`). */
  readonly dynamo?: DynamoDBClient;
  readonly bucket: string;
  readonly tableName?: string;
  /** The S3 endpoint (local only), for the copy-paste hints. */
  readonly s3Endpoint?: string;
  /** Local only: the dead letters of the ingest queue. */
  deadLetters?(): QueueMessage[];
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly values: LocalValues & { aws?: boolean | undefined; stack?: string | undefined; bucket?: string | undefined };
  readonly operation: OperationConfig;
  /** Whether an in-process cloud should ingest (upload) or only serve reads (status). */
  readonly ingest: boolean;
  readonly log: (line: string) => void;
}

export async function connect(o: ConnectOptions): Promise<Target> {
  if (wantsAws(o.values)) {
    if (o.values.bucket !== undefined && o.values.stack !== undefined) throw new UsageError('give --stack or --bucket, not both');
    if (o.values.bucket !== undefined) return awsBucketOnly(o.values.bucket);
    return connectAws(await stackNameOf(o.values.stack, o.operation));
  }
  if (o.values.bucket !== undefined) throw new UsageError('--bucket needs --aws (the local bucket is always submissions)');
  const settings = localSettingsOf(o.values);
  const c = await runningCloud(settings.dataDir);
  if (c) {
    const s3 = s3Client(c.endpoints);
    const dyn = dynamoClient(c.endpoints);
    return {
      kind: 'local',
      where: `the local cloud on ${c.dataDir} (pid ${c.pid})`,
      s3,
      store: new SeizureStore({ client: dyn, tableName: c.tableName }),
      dynamo: dyn,
      bucket: c.bucket,
      tableName: c.tableName,
      s3Endpoint: c.endpoints.s3,
      deadLetters: () => readMessages(join(c.dataDir, 'queue', 'ingest-dlq')),
      async close() {
        s3.destroy();
        dyn.destroy();
      },
    };
  }
  const cloud = await startInProcess(settings, o);
  const s3 = s3Client(cloud.endpoints);
  const dyn = dynamoClient(cloud.endpoints);
  return {
    kind: 'local',
    where: `a local cloud in this process on ${cloud.dataDir}`,
    s3,
    store: new SeizureStore({ client: dyn, tableName: cloud.tableName }),
    dynamo: dyn,
    bucket: cloud.bucket,
    tableName: cloud.tableName,
    s3Endpoint: cloud.endpoints.s3,
    deadLetters: () => cloud.queue.deadLetters(),
    async close() {
      s3.destroy();
      dyn.destroy();
      await cloud.stop();
    },
  };
}

async function connectAws(stackName: string): Promise<Target> {
  const { bucket, tableName } = await readStack(stackName, "credentials that may not describe stacks, a Member's, give the bucket with --bucket NAME");
  const s3 = s3Client({});
  const dyn = dynamoClient({});
  return {
    kind: 'aws',
    where: `AWS (stack ${stackName})`,
    s3,
    store: new SeizureStore({ client: dyn, tableName }),
    dynamo: dyn,
    bucket,
    tableName,
    async close() {
      s3.destroy();
      dyn.destroy();
    },
  };
}

function awsBucketOnly(bucket: string): Target {
  const s3 = s3Client({});
  return {
    kind: 'aws',
    where: `AWS (bucket ${bucket})`,
    s3,
    bucket,
    async close() {
      s3.destroy();
    },
  };
}

/** The clear message and exit code of the errors the cloud commands expect; undefined for anything else. */
export function explain(e: unknown): { message: string; code: number } | undefined {
  if (e instanceof PortInUseError || e instanceof CloudAlreadyRunningError || e instanceof LocalCloudNotRunningError || e instanceof DataDirInUseError) {
    return { message: e.message, code: EXIT.unavailable };
  }
  if (e instanceof DataDirError) return { message: e.message, code: EXIT.cantCreate };
  const code = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return { message: `the local cloud stopped answering (${code}): is \`npm start\` still running?`, code: EXIT.unavailable };
  }
  return undefined;
}
