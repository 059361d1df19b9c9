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
import { findCloud, LocalCloudNotRunningError } from '../../lib/local/registry.ts';
import { localOptions, localSettingsOf, type LocalValues } from './cloud-flags.ts';
import { UsageError } from './common.ts';

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
  readonly aws?: { readonly stackName: string; readonly stateMachineArn?: string };
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
  if (o.values.aws) {
    const local = Object.keys(localOptions).filter((k) => (o.values as Record<string, unknown>)[k] !== undefined);
    if (local.length) throw new UsageError(`--aws talks to AWS: ${local.map((k) => `--${k}`).join(', ')} do not apply`);
    const { stackNameFor } = await import('../../lib/seizure-pipeline-stack.ts');
    return connectAws(o.values.stack ?? stackNameFor(o.operation));
  }
  if (o.values.stack !== undefined) throw new UsageError('--stack needs --aws');
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
  o.log(`no local cloud is running on ${settings.dataDir}: starting one in this process for this command`);
  // The emulators load only here: a command using a running cloud does not pay for them.
  const { startLocalCloud } = await import('../../lib/local/index.ts');
  const cloud = await startLocalCloud({
    dataDir: settings.dataDir,
    ports: { s3: settings.explicit.s3 ?? 0, dynamodb: settings.explicit.dynamodb ?? 0, ses: settings.explicit.ses ?? 0 },
    operation: o.operation,
    ingest: o.ingest,
  });
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

const isCredentialsError = (e: unknown) =>
  ['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'AccessDenied'].includes(
    (e as Error)?.name,
  );

async function connectAws(stackName: string): Promise<PhaseTarget> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient({});
  let outputs: Record<string, string>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey ?? '', x.OutputValue ?? '']));
  } catch (e) {
    if (isCredentialsError(e)) {
      throw new LocalCloudNotRunningError(`no usable AWS credentials (${(e as Error).message}): set AWS_PROFILE or log in with \`aws sso login\``);
    }
    throw new LocalCloudNotRunningError(`cannot read the stack ${stackName}: ${(e as Error).message} (deployed? right region? --stack NAME)`);
  } finally {
    cfn.destroy();
  }
  const bucket = outputs['BucketName'];
  const tableName = outputs['TableName'];
  if (!bucket || !tableName) throw new LocalCloudNotRunningError(`the stack ${stackName} has no BucketName/TableName outputs`);
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
    aws: { stackName, ...(stateMachineArn ? { stateMachineArn } : {}) },
    async close() {
      s3.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * Runs a command body, turning the errors the cloud commands expect into one line and their exit code (cloud.ts's
 * explain, loaded only when something failed: it pulls in the emulators).
 */
export async function runPhaseCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    const { explain } = await import('./cloud.ts');
    const x = explain(e);
    if (!x) throw e;
    process.stderr.write(`seizures ${name}: ${x.message}\n`);
    return x.code;
  }
}
