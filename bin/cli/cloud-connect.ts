/**
 * The steps of finding where a cloud command works (cloud.ts's `connect` puts them together): the --aws and --stack
 * flags checked, the stack's outputs read, the local cloud running on the data directory found, else one started in
 * this process; and `runCloudCommand`, which turns the expected failures into one line and an exit code (errors.ts).
 * Two loads stay lazy because they cost seconds and only some runs need them: the CDK stack module (aws-cdk-lib, for
 * --aws without --stack) and the emulators (only when no cloud is running).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import type { LocalCloud } from '../../lib/local/index.ts';
import { findCloud, LocalCloudNotRunningError, type CloudDescriptor } from '../../lib/local/registry.ts';
import type { Ports } from '../../lib/local/settings.ts';
import { localOptions, type LocalValues } from './cloud-flags.ts';
import { UsageError } from './common.ts';
import { AwsCredentialsMissingError, explain, StackNotFoundError, StackOutputMissingError } from './errors.ts';

/** Whether the command talks to AWS (`--aws`), after refusing the local flags with it and `--stack` without it. */
export function wantsAws(values: LocalValues & { aws?: boolean | undefined; stack?: string | undefined }): boolean {
  if (values.aws) {
    const local = Object.keys(localOptions).filter((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (local.length) throw new UsageError(`--aws talks to AWS: ${local.map((k) => `--${k}`).join(', ')} do not apply`);
    return true;
  }
  if (values.stack !== undefined) throw new UsageError('--stack needs --aws');
  return false;
}

/** `--stack`, else the operation's stack. The stack module pulls in aws-cdk-lib (seconds to load): only for --aws. */
export async function stackNameOf(stack: string | undefined, operation: OperationConfig): Promise<string> {
  if (stack !== undefined) return stack;
  const { stackNameFor } = await import('../../lib/seizure-pipeline-stack.ts');
  return stackNameFor(operation);
}

/** A failure that means "AWS credentials are missing or not allowed". */
const isCredentialsError = (e: unknown) =>
  [
    'CredentialsProviderError',
    'ExpiredToken',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'UnrecognizedClientException',
    'AccessDenied',
  ].includes((e as Error)?.name);

/**
 * The stack's outputs, with the bucket and the table they must name.
 * @param hint more to try when the stack cannot be read, after "deployed? right region? --stack NAME"
 */
export async function readStack(
  stackName: string,
  hint?: string,
): Promise<{ bucket: string; tableName: string; outputs: Record<string, string> }> {
  const cfn = new CloudFormationClient({});
  let outputs: Record<string, string>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey ?? '', x.OutputValue ?? '']));
  } catch (e) {
    if (isCredentialsError(e)) {
      throw new AwsCredentialsMissingError(
        `no usable AWS credentials (${(e as Error).message}): set AWS_PROFILE or log in with \`aws sso login\``,
      );
    }
    throw new StackNotFoundError(
      `cannot read the stack ${stackName}: ${(e as Error).message} (deployed? right region? --stack NAME${hint ? `; ${hint}` : ''})`,
    );
  } finally {
    cfn.destroy();
  }
  const bucket = outputs['BucketName'];
  const tableName = outputs['TableName'];
  if (!bucket || !tableName) throw new StackOutputMissingError(`the stack ${stackName} has no BucketName/TableName outputs`);
  return { bucket, tableName, outputs };
}

/**
 * The local cloud running on the data directory, or undefined when nobody runs there.
 * @throws LocalCloudNotRunningError when one is registered there but does not answer
 */
export async function runningCloud(dataDir: string): Promise<CloudDescriptor | undefined> {
  const found = await findCloud(dataDir);
  if (found.state === 'not-answering') {
    throw new LocalCloudNotRunningError(
      `the local cloud of ${found.cloud.dataDir} (pid ${found.cloud.pid}) does not answer at ${found.cloud.endpoints.s3}: ` +
        `is it stuck? Stop it (kill ${found.cloud.pid}) and run the command again, or start it with \`npm start\``,
    );
  }
  return found.state === 'running' ? found.cloud : undefined;
}

/**
 * When nobody runs on the data directory: a cloud of this process for the length of the command, on the ports asked
 * for or free ones (nobody else needs to find it). The emulators load only here.
 */
export async function startInProcess(
  settings: { readonly dataDir: string; readonly explicit: Partial<Ports> },
  o: { readonly operation: OperationConfig; readonly ingest: boolean; readonly log: (line: string) => void },
): Promise<LocalCloud> {
  o.log(`no local cloud is running on ${settings.dataDir}: starting one in this process for this command`);
  // Lazy: the emulators (s3rver, dynalite, the SES and Step Functions stand-ins) load only when a cloud starts here.
  const { startLocalCloud } = await import('../../lib/local/index.ts');
  return startLocalCloud({
    dataDir: settings.dataDir,
    ports: { s3: settings.explicit.s3 ?? 0, dynamodb: settings.explicit.dynamodb ?? 0, ses: settings.explicit.ses ?? 0 },
    operation: o.operation,
    ingest: o.ingest,
  });
}

/** Runs a cloud command, turning the expected failures into one line on stderr and their exit code (errors.ts). */
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
