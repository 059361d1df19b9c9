/**
 * The whole pipeline on one machine, no AWS account and no Docker: DynamoDB (dynalite, LevelDB on disk), S3 (s3rver,
 * files on disk), SES v2 (aws-ses-v2-local), the bucket's notification to the ingest queue (notifications.ts), the
 * queue and its dead-letter queue feeding the SAME ingest handler module as on AWS (queue.ts), and reconciliation at
 * start (reconciliation.ts). Only endpoints and credentials differ from AWS; functions/core/platform/aws.ts is the one place
 * that knows the emulators' quirks.
 *
 * Layout of the data directory: dynamodb/ (LevelDB), s3/ (s3rver), queue/ingest/ and queue/ingest-dlq/ (one JSON file
 * per message), cloud.json (the running process and its endpoints, see registry.ts).
 */
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { envForLocal, s3Client, dynamoClient, LOCAL_ENV } from '../../functions/core/platform/aws.ts';
import { loadOperationConfig, type OperationConfig } from '../../functions/core/operation/config.ts';
import type { IngestDeps } from '../../functions/core/ingest/ingest.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import { FEEDBACK_PREFIX } from '../../functions/core/operation/layout.ts';
import { operationConfigEnv } from '../../functions/core/contracts/operation-env.ts';
import type { PhaseCloseExecutionInput, PhaseCloseOutput } from '../../functions/core/contracts/phase-close-spec.ts';
import { putContacts } from './contacts.ts';
import { startDynamo, type LocalDynamo } from './dynamodb.ts';
import { fromS3rverEvent, objectsOfBody, Sequencer, sqsBodyOf, LOCAL_REGION } from './notifications.ts';
import { LocalQueue, type LocalQueueOptions, type SqsLambda } from './queue.ts';
import { objectsToReconcile } from './reconciliation.ts';
import {
  CloudAlreadyRunningError,
  findCloud,
  prepareDataDir,
  removeDescriptor,
  writeDescriptor,
  type CloudDescriptor,
} from './registry.ts';
import { startS3, type LocalS3 } from './s3.ts';
import { startSes, type LocalSes } from './ses.ts';
import {
  DEFAULT_DATA_DIR,
  INGEST_QUEUE_DEFAULTS,
  LOCAL_BUCKET,
  LOCAL_CREDENTIALS,
  LOCAL_TABLE,
  localSettings,
  portalPorts,
  type PortalPorts,
  type Ports,
} from './settings.ts';
import type { LocalPortal } from './portal.ts';

export { PortInUseError, LOCAL_HOST } from './listen.ts';
export {
  CloudAlreadyRunningError,
  DataDirError,
  DataDirInUseError,
  LocalCloudNotRunningError,
  readDescriptor,
  type CloudDescriptor,
} from './registry.ts';
export { readMessages, type QueueMessage, type SqsLambda, type Settled } from './queue.ts';
export { encodeS3EventKey, routedToIngest } from './notifications.ts';
export {
  DATA_DIR_ENV,
  DEFAULT_DATA_DIR,
  DEFAULT_PORTS,
  INGEST_QUEUE_DEFAULTS,
  LOCAL_BUCKET,
  LOCAL_CREDENTIALS,
  LOCAL_TABLE,
  PORT_ENV,
  DEFAULT_PORTAL_PORTS,
  PORTAL_PORT_ENV,
  localSettings,
  portalPorts,
  type PortalPorts,
  type Ports,
} from './settings.ts';
// Step Functions (lib/local/stepfunctions.ts) is slow to load: LocalCloud.closePhase loads it when first called.
import type { ClosePhaseOptions } from './stepfunctions.ts';

export interface LocalCloudOptions {
  /** @default $SEIZURES_DATA_DIR or .seizures */
  readonly dataDir?: string;
  /** 0 picks a free port. @default $SEIZURES_*_PORT or DEFAULT_PORTS */
  readonly ports?: Partial<Ports>;
  /** @default loadOperationConfig() (cdk.json) */
  readonly operation?: OperationConfig;
  /**
   * Wraps the real ingest handler (tests: fault injection). `deps` are the handler's own dependencies, to build a
   * variant with createIngestHandler.
   */
  readonly ingestHandler?: (real: SqsLambda, parts: { readonly deps: IngestDeps }) => SqsLambda;
  /** Queue semantics; batch size, concurrency and receive count default to the stack's. */
  readonly queue?: Partial<Pick<LocalQueueOptions, 'batchSize' | 'maxConcurrency' | 'maxReceiveCount' | 'visibilityTimeoutMs'>>;
  /** Queue again, at start, uploads that were stored but never queued (see reconciliation.ts). @default true */
  readonly reconcile?: boolean;
  /**
   * Hand queued uploads to the ingest handler. false: a cloud for reading only (`seizures status`): uploads are
   * queued on disk for the next cloud that ingests, and nothing is reconciled. @default true
   */
  readonly ingest?: boolean;
  /** How long stop() waits for ingests in flight. @default 10000 */
  readonly stopGraceMs?: number;
  /**
   * Also serve the portal (web app + API) and a local Cognito (`seizures dev`), on these ports (0: free ones).
   * @default no portal
   */
  readonly portal?: Partial<PortalPorts>;
  /**
   * Whether the portal requires analysts to use TOTP, as on AWS (functions/core/portal/mfa.ts).
   * @default true
   */
  readonly analystMfa?: boolean;
}

export interface LocalCloud {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ses: string };
  /** The web page of the mail sent through SES. */
  readonly mailViewer: string;
  readonly dataDir: string;
  readonly bucket: string;
  readonly tableName: string;
  readonly region: string;
  readonly credentials: typeof LOCAL_CREDENTIALS;
  /** SEIZURES_LOCAL_* for functions/core/platform/aws.ts (a child process or a client using this cloud). */
  readonly env: Record<string, string>;
  readonly queue: LocalQueue;
  /** Keys queued again by reconciliation at start. */
  readonly reconciled: readonly string[];
  readonly descriptor: CloudDescriptor;
  /** The portal, when asked for (`portal` option). */
  readonly portal?: LocalPortal;
  /** Resolves when no upload is waiting or being ingested (dead letters do not count). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /**
   * Runs the phase-close workflow (workflows/phase-close.asl.json on aws-local-stepfunctions, the functions/phase-*
   * handlers) on this cloud's data, for this cloud's operation.
   * @throws WorkflowFailedError (lib/local/stepfunctions.ts) when the execution fails
   */
  closePhase(
    input: PhaseCloseExecutionInput,
    opts?: Omit<ClosePhaseOptions, 'endpoints' | 'bucket' | 'tableName' | 'operation' | 'input'>,
  ): Promise<PhaseCloseOutput>;
  /** Stops receiving, waits for ingests in flight (stopGraceMs), closes every server. Idempotent. */
  stop(): Promise<void>;
}

let instances = 0;

/**
 * Starts the local cloud on a data directory and returns once uploads are being ingested.
 * @throws DataDirError, DataDirInUseError, CloudAlreadyRunningError, PortInUseError
 */
export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const settings = localSettings(opts);
  const dataDir = prepareDataDir(settings.dataDir);
  const found = await findCloud(dataDir);
  if (found.state === 'running' || found.state === 'not-answering') throw new CloudAlreadyRunningError(found.cloud);
  const operation = opts.operation ?? loadOperationConfig();
  const bucket = LOCAL_BUCKET;
  const tableName = LOCAL_TABLE;
  const instance = ++instances;

  const cleanup: Array<() => Promise<void> | void> = [];
  const undo = async () => {
    for (const f of cleanup.reverse()) await Promise.resolve(f()).catch(() => {});
  };

  try {
    // The queue first: s3rver hands it every notification from its first request on.
    let handler: SqsLambda | undefined;
    const queue = new LocalQueue({
      dir: join(dataDir, 'queue', 'ingest'),
      dlqDir: join(dataDir, 'queue', 'ingest-dlq'),
      handler: (event: SQSEvent, context: Context) => handler!(event, context),
      queueArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:ingest`,
      ...INGEST_QUEUE_DEFAULTS,
      ...opts.queue,
    });
    cleanup.push(() => queue.stop(opts.stopGraceMs ?? 10_000));
    const sequencer = new Sequencer();
    for (const m of [...queue.messages(), ...queue.deadLetters()]) {
      for (const o of objectsOfBody(m.body)) if (o.sequencer) sequencer.observe(o.sequencer);
    }

    const dynamo: LocalDynamo = await startDynamo({ path: join(dataDir, 'dynamodb'), port: settings.ports.dynamodb, tableName });
    cleanup.push(() => dynamo.close());
    const s3: LocalS3 = await startS3({
      directory: join(dataDir, 's3'),
      port: settings.ports.s3,
      bucket,
      onEvent: (ev) => {
        for (const created of fromS3rverEvent(ev, sequencer)) queue.send(sqsBodyOf(created));
      },
    });
    cleanup.push(() => s3.close());
    const ses: LocalSes = await startSes({ port: settings.ports.ses });
    cleanup.push(() => ses.close());
    // The phase close's contacts, as the stack's deployment puts them (lib/phase-close.ts).
    {
      const s3c = s3Client({ s3: s3.endpoint });
      try {
        await putContacts(s3c, bucket, operation);
      } finally {
        s3c.destroy();
      }
    }

    const endpoints = { s3: s3.endpoint, dynamodb: dynamo.endpoint, ses: ses.endpoint };
    const localEnv = envForLocal(endpoints);
    // The Lambda's environment, as the stack sets it (lib/ingestion.ts), plus the local endpoints.
    const lambdaEnv: Record<string, string> = {
      ...localEnv,
      TABLE_NAME: tableName,
      BUCKET_NAME: bucket,
      FEEDBACK_PREFIX,
      OPERATION_CONFIG: operationConfigEnv(operation),
      AWS_REGION: LOCAL_REGION,
    };
    const saved = new Map<string, string | undefined>();
    for (const [k, v] of Object.entries(lambdaEnv)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
    // Powertools: warnings and errors only, no EMF metrics on stdout, unless the caller set them.
    for (const [k, v] of [
      ['POWERTOOLS_LOG_LEVEL', 'WARN'],
      ['POWERTOOLS_METRICS_DISABLED', 'true'],
    ] as const) {
      if (process.env[k] === undefined) {
        saved.set(k, undefined);
        process.env[k] = v;
      }
    }
    cleanup.push(() => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    // The handler module as Lambda loads it, built from the environment at import; one instance per cloud.
    const mod = (await import(/* @vite-ignore */ `../../functions/ingest/handler.ts?cloud=${instance}`)) as {
      handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
    };
    const real: SqsLambda = (event, context) => mod.handler(event, context);
    if (opts.ingestHandler) {
      const s3c = s3Client(endpoints);
      const dyn = dynamoClient(endpoints);
      cleanup.push(() => {
        s3c.destroy();
        dyn.destroy();
      });
      const deps: IngestDeps = { s3: s3c, store: new SeizureStore({ client: dyn, tableName }), config: operation };
      handler = opts.ingestHandler(real, { deps });
    } else {
      handler = real;
    }

    const reconciled: string[] = [];
    const ingest = opts.ingest ?? true;
    if (ingest && (opts.reconcile ?? true)) {
      const s3c = s3Client(endpoints);
      const dyn = dynamoClient(endpoints);
      try {
        const missed = await objectsToReconcile({
          s3: s3c,
          store: new SeizureStore({ client: dyn, tableName }),
          bucket,
          messages: [...queue.messages(), ...queue.deadLetters()],
          sequencer,
        });
        for (const created of missed) {
          queue.send(sqsBodyOf(created));
          reconciled.push(created.key);
        }
      } finally {
        s3c.destroy();
        dyn.destroy();
      }
    }
    if (ingest) {
      // An earlier process on this data directory that died while storing left its Member's lease; it is gone, so
      // the redelivered upload need not wait for the lease to lapse.
      const dyn = dynamoClient(endpoints);
      try {
        await new SeizureStore({ client: dyn, tableName }).removeLeases(operation.members.map((m) => m.code));
      } finally {
        dyn.destroy();
      }
      queue.start();
    }

    let portal: LocalPortal | undefined;
    if (opts.portal) {
      const { startPortal } = await import('./portal.ts');
      const closePhase = async (input: PhaseCloseExecutionInput) => {
        const { closePhaseLocal } = await import('./stepfunctions.ts');
        return closePhaseLocal({ endpoints, bucket, tableName, operation: runOperation(), input });
      };
      portal = await startPortal({
        dataDir,
        ports: portalPorts(opts.portal),
        endpoints,
        bucket,
        tableName,
        operation,
        ...(opts.analystMfa === false ? { analystMfa: false } : {}),
        startPhaseClose: async (input) => {
          const execution = `local-p${input.phase}-${input.mode}-${input.asOf}-${Date.now()}`;
          // Started, not awaited: the page says it started; the summary appears when the run ends.
          closePhase(input).catch((e: unknown) => process.stderr.write(`phase close ${execution} failed: ${(e as Error).message}\n`));
          return { execution };
        },
      });
      cleanup.push(() => portal!.close());
    }
    // The alert emails link to the portal's summary pages: locally the dev URL (operation config `portalUrl`).
    const runOperation = (): OperationConfig => (portal ? Object.assign({}, operation, { portalUrl: portal.url }) : operation);

    const descriptor: CloudDescriptor = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir,
      bucket,
      tableName,
      endpoints,
      mailViewer: ses.viewer,
      ...(operation.smokeTests ? { smokeTests: true } : {}),
      ...(portal
        ? {
            portal: {
              url: portal.url,
              cognito: { endpoint: portal.cognito.endpoint, userPoolId: portal.cognito.userPoolId, clientId: portal.cognito.clientId },
            },
          }
        : {}),
    };
    writeDescriptor(descriptor);
    cleanup.push(() => removeDescriptor(descriptor));

    let stopping: Promise<void> | undefined;
    return {
      endpoints,
      mailViewer: ses.viewer,
      dataDir,
      bucket,
      tableName,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      env: localEnv,
      queue,
      reconciled,
      descriptor,
      ...(portal ? { portal } : {}),
      waitForIdle: (timeoutMs) => queue.waitForIdle(timeoutMs),
      async closePhase(input, o = {}) {
        const { closePhaseLocal } = await import('./stepfunctions.ts');
        return closePhaseLocal({ ...o, endpoints, bucket, tableName, operation: runOperation(), input });
      },
      stop: () => (stopping ??= undo()),
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

/** What `seizures dev` prints at start: where everything is and how to upload. */
export function banner(
  c: Pick<LocalCloud, 'endpoints' | 'mailViewer' | 'dataDir' | 'bucket' | 'tableName' | 'credentials' | 'region'> & {
    portal?: Pick<LocalPortal, 'url'> & { cognito: { endpoint: string } };
  },
): string {
  return [
    'Local cloud running (Ctrl-C stops it):',
    ...(c.portal ? [`  Portal      ${c.portal.url}`, `  Cognito     ${c.portal.cognito.endpoint}`] : []),
    `  S3          ${c.endpoints.s3}   bucket ${c.bucket}`,
    `  DynamoDB    ${c.endpoints.dynamodb}   table ${c.tableName}`,
    `  SES v2      ${c.endpoints.ses}`,
    `  Mail viewer ${c.mailViewer}`,
    `  Data        ${c.dataDir}`,
    '',
    'Upload a file as Member FR with the AWS CLI:',
    `  export AWS_ACCESS_KEY_ID=${c.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.credentials.secretAccessKey} AWS_DEFAULT_REGION=${c.region}`,
    `  aws --endpoint-url ${c.endpoints.s3} s3 cp file.xlsx s3://${c.bucket}/incoming/FR/`,
    'or with this CLI (waits for the outcome):',
    `  npm run seizures -- upload file.xlsx --member FR${c.dataDir.endsWith(`/${DEFAULT_DATA_DIR}`) ? '' : ` --data-dir ${c.dataDir}`}`,
    'Feedback appears under feedback/FR/; `npm run seizures -- status` lists submissions.',
    ...(c.portal
      ? [
          '',
          'Sign in to the portal with a user of your own (a Member officer, or add --analyst):',
          '  npm run seizures -- users add --member FR --email fr@example.org --password Choose-a-passw0rd',
        ]
      : []),
    '',
  ].join('\n');
}

export { LOCAL_ENV };
