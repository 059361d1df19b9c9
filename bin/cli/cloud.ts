/**
 * Where `upload` and `status` work: the local cloud running on the data directory (found by its cloud.json and
 * checked to answer), else one started in this process for the length of the command, or AWS with `--aws` (the
 * standard credential chain, the bucket and table from the stack's outputs). The commands load this module only
 * when they run: it pulls in the emulators.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../../functions/core/aws.ts';
import type { OperationConfig } from '../../functions/core/config.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import {
  CloudAlreadyRunningError,
  DataDirError,
  DataDirInUseError,
  findCloud,
  LocalCloudNotRunningError,
  PortInUseError,
  readMessages,
  startLocalCloud,
  type QueueMessage,
} from '../../lib/local/index.ts';
import { EXIT, localOptions, localSettingsOf, type LocalValues } from './cloud-flags.ts';
import { UsageError } from './common.ts';
import { join } from 'node:path';

export interface Target {
  readonly kind: 'local' | 'aws';
  /** For people: where this is. */
  readonly where: string;
  readonly s3: S3Client;
  /** Absent with `--aws --bucket`: the table is not known. */
  readonly store?: SeizureStore;
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
  if (o.values.aws) {
    const local = Object.keys(localOptions).filter((k) => (o.values as Record<string, unknown>)[k] !== undefined);
    if (local.length) throw new UsageError(`--aws talks to AWS: ${local.map((k) => `--${k}`).join(', ')} do not apply`);
    if (o.values.bucket !== undefined && o.values.stack !== undefined) throw new UsageError('give --stack or --bucket, not both');
    if (o.values.bucket !== undefined) return awsBucketOnly(o.values.bucket);
    // The stack module pulls in aws-cdk-lib (seconds to load): only for --aws.
    const { stackNameFor } = await import('../../lib/seizure-pipeline-stack.ts');
    return connectAws(o.values.stack ?? stackNameFor(o.operation));
  }
  if (o.values.stack !== undefined) throw new UsageError('--stack needs --aws');
  if (o.values.bucket !== undefined) throw new UsageError('--bucket needs --aws (the local bucket is always submissions)');
  const settings = localSettingsOf(o.values);
  const found = await findCloud(settings.dataDir);
  if (found.state === 'not-answering') {
    throw new LocalCloudNotRunningError(
      `the local cloud of ${found.cloud.dataDir} (pid ${found.cloud.pid}) does not answer at ${found.cloud.endpoints.s3}: ` +
        `is it stuck? Stop it (kill ${found.cloud.pid}) and run the command again, or start it with \`npm start\``,
    );
  }
  if (found.state === 'running') {
    const c = found.cloud;
    const s3 = s3Client(c.endpoints);
    const dyn = dynamoClient(c.endpoints);
    return {
      kind: 'local',
      where: `the local cloud on ${c.dataDir} (pid ${c.pid})`,
      s3,
      store: new SeizureStore({ client: dyn, tableName: c.tableName }),
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
  // Nobody runs here: a cloud of our own, on the ports asked for or free ones (nobody else needs to find it).
  o.log(`no local cloud is running on ${settings.dataDir}: starting one in this process for this command`);
  const cloud = await startLocalCloud({
    dataDir: settings.dataDir,
    ports: { s3: settings.explicit.s3 ?? 0, dynamodb: settings.explicit.dynamodb ?? 0, ses: settings.explicit.ses ?? 0 },
    operation: o.operation,
    ingest: o.ingest,
  });
  const s3 = s3Client(cloud.endpoints);
  const dyn = dynamoClient(cloud.endpoints);
  return {
    kind: 'local',
    where: `a local cloud in this process on ${cloud.dataDir}`,
    s3,
    store: new SeizureStore({ client: dyn, tableName: cloud.tableName }),
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

/** A failure that means "AWS credentials are missing or not allowed". */
const isCredentialsError = (e: unknown) =>
  ['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'AccessDenied'].includes(
    (e as Error)?.name,
  );

async function connectAws(stackName: string): Promise<Target> {
  const cfn = new CloudFormationClient({});
  let outputs: Record<string, string>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey ?? '', x.OutputValue ?? '']));
  } catch (e) {
    if (isCredentialsError(e)) {
      throw new LocalCloudNotRunningError(`no usable AWS credentials (${(e as Error).message}): set AWS_PROFILE or log in with \`aws sso login\``);
    }
    throw new LocalCloudNotRunningError(
      `cannot read the stack ${stackName}: ${(e as Error).message} (deployed? right region? --stack NAME; ` +
        'credentials that may not describe stacks, a Member\'s, give the bucket with --bucket NAME)',
    );
  } finally {
    cfn.destroy();
  }
  const bucket = outputs['BucketName'];
  const tableName = outputs['TableName'];
  if (!bucket || !tableName) throw new LocalCloudNotRunningError(`the stack ${stackName} has no BucketName/TableName outputs`);
  const s3 = s3Client({});
  const dyn = dynamoClient({});
  return {
    kind: 'aws',
    where: `AWS (stack ${stackName})`,
    s3,
    store: new SeizureStore({ client: dyn, tableName }),
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

/** Runs a cloud command, turning the expected failures into one line on stderr and their exit code. */
export async function runCloudCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const x = explain(e);
    if (!x) throw e;
    process.stderr.write(`seizures ${name}: ${x.message}\n`);
    return x.code;
  }
}
