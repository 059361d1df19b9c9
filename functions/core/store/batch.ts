/**
 * The generic retrying writer (BatchWriteItem, 25 requests a call, bounded concurrency) and the retry policy the
 * whole store shares: exponential backoff with full jitter on throttling and 5xx, and on UnprocessedItems.
 *
 * These retries come on top of the SDK client's own (which does not retry UnprocessedItems at all). The writer never
 * resolves while a request is unwritten: when a batch exhausts its budget it throws UnprocessedItemsError, so that the
 * SQS message fails and is delivered again (the store's writes are idempotent, see store.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { attemptError, singleAttempt } from './fence.ts';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The store's marshalling: undefined attributes are dropped, everything else is stored as given (numbers come back as
 * numbers, empty strings as empty strings).
 *
 * lib-dynamodb keeps these options on the wrapped client's shared config object, so a DynamoDBClient handed to the
 * store must not also be wrapped in a DocumentClient with other translate options (the later wrapper would win).
 */
export const TRANSLATE_CONFIG = {
  marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  unmarshallOptions: { wrapNumbers: false },
} as const;

export const documentClient = (client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient =>
  client instanceof DynamoDBDocumentClient
    ? client
    : DynamoDBDocumentClient.from(client, {
        marshallOptions: { ...TRANSLATE_CONFIG.marshallOptions },
        unmarshallOptions: { ...TRANSLATE_CONFIG.unmarshallOptions },
      });

/** One BatchWriteItem request, in document (unmarshalled) form. */
export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | { readonly DeleteRequest: { readonly Key: Record<string, unknown> } };

/** Thrown when requests are still unwritten after the retry budget. The caller must not treat the work as done. */
export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
  /**
   * @param count requests left unwritten by the batches that gave up (batches not started after the failure are not
   *   counted: the whole call has to be repeated anyway)
   */
  constructor(
    readonly count: number,
    options?: { cause?: unknown },
  ) {
    super(`${count} item(s) still unwritten after the retry budget; the call must not be taken as done`, options);
  }
}

/** Thrown when keys are still unread (BatchGetItem UnprocessedKeys) after the retry budget. */
export class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
  constructor(readonly count: number) {
    super(`${count} key(s) still unread after the retry budget`);
  }
}

export interface RetryPolicy {
  /** Calls per request or batch, the first included. @default 8 */
  readonly maxAttempts: number;
  /** The backoff cap before the n-th retry (n from 0) is baseDelayMs * 2^n, capped at maxDelayMs. @default 50 */
  readonly baseDelayMs: number;
  /** @default 5000 */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1); Math.random unless a test pins it. */
  readonly random: () => number;
}

export interface WriterOptions extends RetryPolicy {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly concurrency: number;
  /** Called before every BatchWriteItem call (retries included); what it throws stops the writing (e.g. a lost lease). */
  readonly guard?: () => void;
  /** Abandon a BatchWriteItem call after this long (then retried like a timeout, after `guard`). @default none */
  readonly requestTimeoutMs?: number;
  /** One SDK attempt per call (fence.ts `singleAttempt`): every retry is ours, after `guard`. @default false */
  readonly singleAttempt?: boolean;
}

export interface BatchWriteOptions extends Partial<RetryPolicy> {
  /** A plain client is wrapped with TRANSLATE_CONFIG; a DocumentClient is used as it is. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** BatchWriteItem calls in flight at once. @default 8 */
  readonly concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 8;

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const resolvePolicy = (o: Partial<RetryPolicy>): RetryPolicy => ({
  maxAttempts: o.maxAttempts ?? 8,
  baseDelayMs: o.baseDelayMs ?? 50,
  maxDelayMs: o.maxDelayMs ?? 5_000,
  sleep: o.sleep ?? defaultSleep,
  random: o.random ?? Math.random,
});

/** Full jitter: a uniform delay between 0 and the exponential cap for this retry (retry 0 is the first retry). */
export const backoffDelay = (p: RetryPolicy, retry: number): number =>
  Math.floor(p.random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** retry));

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Throttling, 5xx and dropped connections are worth another try; anything else (validation, conditions) is not. */
export const isRetryable = (e: unknown): boolean => {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { name?: unknown; code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (typeof err.name === 'string' && RETRYABLE_NAMES.has(err.name)) return true;
  if (typeof err.code === 'string' && RETRYABLE_CODES.has(err.code)) return true;
  const status = err.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return err.$fault === 'server';
};

/** A conditional write whose condition did not hold: an answer, never worth retrying. */
export const isConditionFailure = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ConditionalCheckFailedException';

/** Runs `call` until it succeeds, retrying retryable errors with backoff; the last error is rethrown as is. */
export async function withRetry<T>(p: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isRetryable(e) || attempt >= p.maxAttempts) throw e;
      await p.sleep(backoffDelay(p, attempt - 1));
    }
  }
}

/**
 * Calls `fn` for each item with at most `limit` calls pending. After the first failure no further item is started;
 * the calls already pending are awaited, then the first error is thrown. Items are pulled lazily, so a generator
 * source is never materialised.
 */
export async function forEachLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed) {
      const next = it.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (e) {
        if (!failed) {
          failed = true;
          firstError = e;
        }
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.max(1, limit); i++) workers.push(worker());
  await Promise.all(workers);
  if (failed) throw firstError;
}

/** Groups an iterable lazily into arrays of at most `size`. */
export function* chunked<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export const BATCH_WRITE_MAX = 25;

/**
 * Writes every request, 25 to a BatchWriteItem call, `concurrency` calls in flight. Throttling and 5xx errors are
 * retried for the whole batch, UnprocessedItems for the rest of it; each batch has `maxAttempts` calls, with backoff
 * (full jitter) before every retry. A request source may be a lazy generator: batches are taken from it as slots
 * free up. Two requests for the same key must not fall in the same batch (DynamoDB refuses such a batch).
 *
 * @returns the number of requests written
 * @throws UnprocessedItemsError when a batch still has unwritten requests after its budget (cause: the last error,
 *   if the last call failed); a non-retryable error as it came. Either way after the calls in flight have settled.
 */
export async function batchWrite(opts: BatchWriteOptions, requests: Iterable<WriteRequest>): Promise<number> {
  return writeAll(
    {
      ...resolvePolicy(opts),
      doc: documentClient(opts.client),
      tableName: opts.tableName,
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    },
    requests,
  );
}

/** batchWrite with everything resolved; the store's own entry point. */
export async function writeAll(o: WriterOptions, requests: Iterable<WriteRequest>): Promise<number> {
  let written = 0;
  await forEachLimit(chunked(requests, BATCH_WRITE_MAX), o.concurrency, async (batch) => {
    const n = await writeOneBatch(o, batch); // not `written += await`: that would add to a stale read
    written += n;
  });
  return written;
}

async function writeOneBatch(o: WriterOptions, batch: readonly WriteRequest[]): Promise<number> {
  let pending: readonly WriteRequest[] = batch;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      o.guard?.();
      const command = new BatchWriteCommand({ RequestItems: { [o.tableName]: pending as WriteRequest[] } });
      const out = await o.doc.send(
        o.singleAttempt ? singleAttempt(command) : command,
        o.requestTimeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(o.requestTimeoutMs) },
      );
      pending = (out.UnprocessedItems?.[o.tableName] ?? []) as WriteRequest[];
      lastError = undefined;
      if (pending.length === 0) return batch.length;
    } catch (thrown) {
      const e = attemptError(thrown);
      // Our own request timeout aborts the call: retried like the service's timeouts, after the guard again.
      const abandoned = o.requestTimeoutMs !== undefined && (e as Error)?.name === 'AbortError';
      if (!isRetryable(e) && !abandoned) throw e;
      lastError = e;
    }
    if (attempt >= o.maxAttempts) {
      throw new UnprocessedItemsError(pending.length, lastError === undefined ? undefined : { cause: lastError });
    }
    await o.sleep(backoffDelay(o, attempt - 1));
  }
}

export const BATCH_GET_MAX = 100;

export interface BatchGetOptions extends RetryPolicy {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly concurrency: number;
  /** Called before every BatchGetItem call (retries included); what it throws stops the reading (e.g. a lost lease). */
  readonly guard?: () => void;
}

/**
 * Reads items by key, 100 to a BatchGetItem call, `concurrency` calls in flight; throttling and 5xx are retried for the
 * call, UnprocessedKeys for the rest of it (at once when the call returned something: DynamoDB also leaves keys
 * unprocessed when a response reaches 16 MB; after a backoff when it returned nothing). Missing items are simply absent.
 * The store's head shards and the phase close's (headed.ts) are both read here.
 *
 * @throws UnprocessedKeysError when keys are still unread after `maxAttempts` calls of one group
 */
export async function batchGet(
  o: BatchGetOptions,
  keys: Iterable<Record<string, unknown>>,
  consistent: boolean,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await forEachLimit(chunked(keys, BATCH_GET_MAX), o.concurrency, async (group) => {
    let pending = group;
    for (let attempt = 1; ; attempt++) {
      const res = await withRetry(o, () => {
        o.guard?.();
        return o.doc.send(new BatchGetCommand({ RequestItems: { [o.tableName]: { Keys: pending, ConsistentRead: consistent } } }));
      });
      const got = res.Responses?.[o.tableName] ?? [];
      for (const item of got) out.push(item);
      pending = (res.UnprocessedKeys?.[o.tableName]?.Keys ?? []) as Record<string, unknown>[];
      if (pending.length === 0) return;
      if (attempt >= o.maxAttempts) throw new UnprocessedKeysError(pending.length);
      if (got.length === 0) await o.sleep(backoffDelay(o, attempt - 1));
    }
  });
  return out;
}

/**
 * The items of a Query or Scan, page by page (each call retried like any other), until the last page or until
 * `enough(itemsSoFar)` says to stop. The one paging loop of the store and of the phase-close items.
 */
export async function* pages(
  p: RetryPolicy,
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput | ScanCommandInput,
  kind: 'query' | 'scan' = 'query',
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const cmd = { ...input, ...(start ? { ExclusiveStartKey: start } : {}) };
    const page = await withRetry(p, () =>
      doc.send(kind === 'query' ? new QueryCommand(cmd as QueryCommandInput) : new ScanCommand(cmd as ScanCommandInput)),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}
