/**
 * AWS SDK clients, configured from the environment. On AWS nothing is set and the SDK's defaults apply; the local
 * cloud sets SEIZURES_LOCAL_* and this is the one place that knows the emulators' quirks:
 * - s3rver only accepts the access key S3RVER, needs path-style URLs, and stores streamed uploads with their
 *   aws-chunked framing unless checksums are only computed when required;
 * - every emulator takes any region and fixed credentials.
 */
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface LocalEndpoints {
  readonly s3?: string;
  readonly dynamodb?: string;
  readonly ses?: string;
  readonly sfn?: string;
}

export const LOCAL_ENV = {
  s3: 'SEIZURES_LOCAL_S3',
  dynamodb: 'SEIZURES_LOCAL_DYNAMODB',
  ses: 'SEIZURES_LOCAL_SES',
  sfn: 'SEIZURES_LOCAL_SFN',
} as const;

const REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function localEndpointsFrom(env: NodeJS.ProcessEnv): LocalEndpoints {
  return {
    ...(env[LOCAL_ENV.s3] ? { s3: env[LOCAL_ENV.s3] } : {}),
    ...(env[LOCAL_ENV.dynamodb] ? { dynamodb: env[LOCAL_ENV.dynamodb] } : {}),
    ...(env[LOCAL_ENV.ses] ? { ses: env[LOCAL_ENV.ses] } : {}),
    ...(env[LOCAL_ENV.sfn] ? { sfn: env[LOCAL_ENV.sfn] } : {}),
  };
}

export function envForLocal(e: LocalEndpoints): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(LOCAL_ENV) as Array<keyof LocalEndpoints>) if (e[k]) out[LOCAL_ENV[k]] = e[k]!;
  return out;
}

const local = (endpoint: string | undefined) => (endpoint ? { endpoint, region: REGION, credentials: LOCAL_CREDENTIALS } : {});

export function s3Client(e: LocalEndpoints = localEndpointsFrom(process.env)): S3Client {
  return recorded(
    new S3Client(
      e.s3
        ? { ...local(e.s3), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {},
    ),
  );
}

export function dynamoClient(e: LocalEndpoints = localEndpointsFrom(process.env)): DynamoDBClient {
  // Retries are ours (the store's batch writer backs off with jitter); the SDK's own stay at its default.
  return recorded(new DynamoDBClient(local(e.dynamodb)));
}

export function sesClient(e: LocalEndpoints = localEndpointsFrom(process.env)): SESv2Client {
  return recorded(new SESv2Client(local(e.ses)));
}

export function sfnClient(e: LocalEndpoints = localEndpointsFrom(process.env)): SFNClient {
  return recorded(new SFNClient(local(e.sfn)));
}

/**
 * PREFLIGHT_RECORD_CALLS=FILE (tests only; not SEIZURES_-prefixed, so the child processes the tests start keep it):
 * every command a client sends is appended to FILE as one JSON line `{who, service, command, input}`, the input cut to
 * what names a resource (lib/preflight checks each against the role of `who`). Off, clients are returned untouched.
 */
export const RECORD_CALLS_ENV = 'PREFLIGHT_RECORD_CALLS';
/** Who sends when the caller does not say (the CLI sets it to `cli:<command>`). */
export const CALLER_ENV = 'PREFLIGHT_CALLER';

type Recordable = { middlewareStack: { add: (mw: unknown, o: { step: 'initialize'; name: string }) => void } };
const recordedClients = new WeakSet<object>();
const callers = new WeakMap<object, string>();

/** Names who sends with this client (a handler's service name), for the recording. Returns the client. */
export function sentBy<C>(client: C, who: string): C {
  if (client && typeof client === 'object') callers.set(client, who);
  return client;
}

/** The client, recording what it sends when PREFLIGHT_RECORD_CALLS is set (every factory here applies it). */
export function recorded<C>(client: C): C {
  const file = process.env[RECORD_CALLS_ENV];
  const c = client as unknown as Recordable;
  if (!file || !c?.middlewareStack || recordedClients.has(c)) return client;
  recordedClients.add(c);
  c.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
      async (args: { input?: Record<string, unknown> }) => {
        append(c, context.clientName, context.commandName, args.input ?? {});
        return next(args);
      },
    { step: 'initialize', name: 'preflightRecordCalls' },
  );
  return client;
}

/**
 * A request signed here and sent by someone else (a presigned POST a browser sends): S3 authorises it as the signer's,
 * so it is recorded as the signer's call.
 */
export function recordPresigned(client: unknown, service: string, command: string, input: Record<string, unknown>): void {
  if (process.env[RECORD_CALLS_ENV] && client && typeof client === 'object') append(client, service, command, input);
}

function append(client: object, service: string | undefined, command: string | undefined, input: Record<string, unknown>): void {
  const file = process.env[RECORD_CALLS_ENV];
  if (!file) return;
  const who = callers.get(client) ?? process.env[CALLER_ENV] ?? 'unknown';
  try {
    appendFileSync(file, `${JSON.stringify({ who, service, command, input: resourceFields(input) })}\n`);
  } catch (e) {
    // The recording was already taken and its folder removed (a test file's later suite still sending): a call the
    // recorder missed never fails the call itself.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** The input fields that name a resource or a key (never a body or an item's data). */
const NAMING = new Set([
  'Bucket',
  'Key',
  'Prefix',
  'VersionId',
  'CopySource',
  'Delete',
  'TableName',
  'IndexName',
  'KeyConditionExpression',
  'ExpressionAttributeNames',
  'RequestItems',
  'TransactItems',
  'QueueUrl',
  'stateMachineArn',
  'executionArn',
  'name',
  'FromEmailAddress',
  'ConfigurationSetName',
  'UserPoolId',
  'GroupName',
  'StackName',
  'ServerSideEncryption',
  'SSEKMSKeyId',
  'SecretId',
  'StorageClass',
]);
/** An item's key attributes (functions/core/store/table.ts): pk and sk; everything else of an item is data. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk']);

/** The fields of a command's input that name its resource (what a recording keeps). */
export function resourceFields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === 'Item' || (k === 'Key' && typeof v === 'object')) out[k] = pick(v);
    else if (k === 'RequestItems' || k === 'TransactItems') out[k] = keysOnly(v);
    else if (NAMING.has(k)) out[k] = v;
    // A query's values name its partition key; an update's are data.
    else if (k === 'ExpressionAttributeValues' && input.KeyConditionExpression) out[k] = v;
  }
  return out;
}

/** Items cut to their key attributes, at any depth of a batch or a transaction. */
function keysOnly(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keysOnly);
  if (!v || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'Item' || k === 'Key') out[k] = pick(x);
    else if (k === 'Keys' && Array.isArray(x)) out[k] = x.map(pick);
    else if (typeof x === 'object') out[k] = keysOnly(x);
    else if (NAMING.has(k)) out[k] = x;
  }
  return out;
}

const pick = (item: unknown) =>
  Object.fromEntries(Object.entries((item ?? {}) as Record<string, unknown>).filter(([k]) => KEY_ATTRIBUTES.has(k)));
