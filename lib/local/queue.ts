/**
 * The ingest queue on one machine, with the semantics of SQS feeding a Lambda through an event source mapping
 * (lib/ingestion.ts): messages are handed to the handler in batches (batch size 1 by default) with at most
 * `maxConcurrency` invocations at once; a message the handler reports in `batchItemFailures`, or every message of a
 * batch when the handler throws, is received again after the visibility timeout; a message received
 * `maxReceiveCount` times that fails again goes to the dead-letter queue.
 *
 * Every message is a file (written before `send` returns, its receive count rewritten before each delivery), so
 * whatever was queued or in flight when the process died is delivered again by the next process on the same
 * directory, with its receive count. Differences from SQS, on purpose: a failed message is retried after
 * `visibilityTimeoutMs` (short, not six times the function timeout), messages in flight at a crash are visible again
 * at once on restart, and messages are delivered in the order they were sent.
 */
import { randomUUID, createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './notifications.ts';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** When the message went to the dead-letter queue. */
  deadLetteredAt?: number;
  /** What the last failed delivery said, when the handler threw. */
  lastError?: string;
}

/** A Lambda handler of SQS events, as the ingest handler is. */
export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface LocalQueueOptions {
  /** Where the queue's messages are kept. */
  readonly dir: string;
  /** Where dead letters are kept. */
  readonly dlqDir: string;
  readonly handler: SqsLambda;
  /** @default arn:aws:sqs:us-east-1:000000000000:ingest */
  readonly queueArn?: string;
  /** Receives after which a failing message goes to the dead-letter queue. @default 3 */
  readonly maxReceiveCount?: number;
  /** Messages per invocation. @default 1 */
  readonly batchSize?: number;
  /** Invocations at once. @default 5 */
  readonly maxConcurrency?: number;
  /** How long a failed message stays invisible before it is received again. @default 1000 */
  readonly visibilityTimeoutMs?: number;
  /** What `context.getRemainingTimeInMillis()` counts down from. @default 300000 (the function's timeout) */
  readonly functionTimeoutMs?: number;
  readonly functionName?: string;
}

export type Settled =
  | { readonly outcome: 'deleted'; readonly message: QueueMessage }
  | { readonly outcome: 'retry'; readonly message: QueueMessage; readonly error?: string }
  | { readonly outcome: 'dead-lettered'; readonly message: QueueMessage; readonly error?: string };

interface Entry {
  message: QueueMessage;
  file: string;
  visibleAt: number;
  inFlight: boolean;
}

const fileNameOf = (m: QueueMessage) => `${String(m.sentTimestamp).padStart(15, '0')}-${m.messageId}.json`;

function writeJsonSync(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}

/** The messages kept in a queue directory (the dead-letter queue's, say), oldest first. Readable while a queue runs. */
export function readMessages(dir: string): QueueMessage[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: QueueMessage[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n), 'utf8')) as QueueMessage);
    } catch {
      /* removed meanwhile, or a write cut short by a crash (never renamed into place, so not a .json) */
    }
  }
  return out;
}

export class LocalQueue extends EventEmitter<{ settled: [Settled]; idle: [] }> {
  readonly #o: Required<Omit<LocalQueueOptions, 'handler'>> & { handler: SqsLambda };
  readonly #entries = new Map<string, Entry>();
  #running = 0;
  #started = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #invocations = 0;

  constructor(opts: LocalQueueOptions) {
    super();
    this.#o = {
      queueArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:ingest`,
      maxReceiveCount: 3,
      batchSize: 1,
      maxConcurrency: 5,
      visibilityTimeoutMs: 1000,
      functionTimeoutMs: 300_000,
      functionName: 'ingest',
      ...opts,
    };
    mkdirSync(this.#o.dir, { recursive: true });
    mkdirSync(this.#o.dlqDir, { recursive: true });
    this.#load();
  }

  /** Messages left by an earlier process: all visible now, receive counts kept. */
  #load(): void {
    const dead = new Set(readdirSync(this.#o.dlqDir));
    for (const name of readdirSync(this.#o.dir)) {
      const file = join(this.#o.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(file, { force: true }); // a write cut short
        continue;
      }
      if (!name.endsWith('.json')) continue;
      if (dead.has(name)) {
        rmSync(file, { force: true }); // moved to the DLQ just before the crash
        continue;
      }
      let message: QueueMessage;
      try {
        message = JSON.parse(readFileSync(file, 'utf8')) as QueueMessage;
      } catch {
        continue;
      }
      this.#entries.set(message.messageId, { message, file, visibleAt: 0, inFlight: false });
    }
  }

  /** Messages waiting or in flight, oldest first. */
  messages(): QueueMessage[] {
    return [...this.#entries.values()].map((e) => e.message).sort((a, b) => a.sentTimestamp - b.sentTimestamp);
  }

  deadLetters(): QueueMessage[] {
    return readMessages(this.#o.dlqDir);
  }

  /** Handler invocations so far. */
  get invocations(): number {
    return this.#invocations;
  }

  get idle(): boolean {
    return this.#entries.size === 0 && this.#running === 0;
  }

  /** Enqueues a message; it is on disk when this returns. */
  send(body: string): QueueMessage {
    const message: QueueMessage = { messageId: randomUUID(), body, sentTimestamp: Date.now(), receiveCount: 0 };
    const file = join(this.#o.dir, fileNameOf(message));
    writeJsonSync(file, message);
    this.#entries.set(message.messageId, { message, file, visibleAt: 0, inFlight: false });
    this.#pump();
    return message;
  }

  /** Starts handing messages to the handler. */
  start(): void {
    this.#started = true;
    this.#pump();
  }

  /** Stops receiving; waits up to `graceMs` for the invocations in flight. Messages stay on disk. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const deadline = Date.now() + graceMs;
    while (this.#running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Resolves when no message is waiting or in flight (dead letters do not count). */
  async waitForIdle(timeoutMs = 60_000): Promise<void> {
    if (this.idle) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('idle', done);
        reject(new Error(`the ingest queue is not idle after ${timeoutMs} ms: ${this.#entries.size} message(s) left, ${this.#running} invocation(s) running`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.once('idle', done);
    });
  }

  #pump(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const now = Date.now();
    while (this.#running < this.#o.maxConcurrency) {
      const batch = [...this.#entries.values()]
        .filter((e) => !e.inFlight && e.visibleAt <= now)
        .sort((a, b) => a.message.sentTimestamp - b.message.sentTimestamp)
        .slice(0, this.#o.batchSize);
      if (batch.length === 0) break;
      for (const e of batch) e.inFlight = true;
      this.#running++;
      void this.#deliver(batch)
        .catch((e: unknown) => {
          // The queue's own files could not be written (disk full, directory removed): the batch stays, as a message
          // SQS could not delete does, and is received again after the visibility timeout.
          process.emitWarning(`local ingest queue: ${(e as Error)?.message ?? e}`);
          for (const x of batch) {
            x.inFlight = false;
            x.visibleAt = Date.now() + this.#o.visibilityTimeoutMs;
          }
        })
        .finally(() => {
          this.#running--;
          if (this.idle) this.emit('idle');
          this.#pump();
        });
    }
    const waiting = [...this.#entries.values()].filter((e) => !e.inFlight && e.visibleAt > now);
    if (waiting.length > 0 && this.#running < this.#o.maxConcurrency) {
      const next = Math.min(...waiting.map((e) => e.visibleAt));
      this.#timer = setTimeout(() => this.#pump(), Math.max(1, next - now));
    }
  }

  async #deliver(batch: Entry[]): Promise<void> {
    const deliver: Entry[] = [];
    for (const e of batch) {
      // SQS moves a message whose receive count has reached maxReceiveCount when it would be received again (after a
      // crash: failures are moved at once below).
      if (e.message.receiveCount >= this.#o.maxReceiveCount) await this.#deadLetter(e, e.message.lastError);
      else deliver.push(e);
    }
    if (deliver.length === 0) return;
    const now = Date.now();
    for (const e of deliver) {
      e.message.receiveCount++;
      e.message.firstReceiveTimestamp ??= now;
      await writeJson(e.file, e.message);
    }
    const records = deliver.map((e) => this.#record(e.message));
    let failed: Set<string>;
    let error: string | undefined;
    this.#invocations++;
    try {
      const res = await this.#o.handler({ Records: records }, this.#context());
      const ids = (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      // Lambda fails the whole batch when an identifier is empty or not one of the batch's.
      const known = new Set(deliver.map((e) => e.message.messageId));
      failed = ids.every((id) => typeof id === 'string' && known.has(id)) ? new Set(ids) : known;
    } catch (e) {
      error = (e as Error)?.stack ?? String(e);
      failed = new Set(deliver.map((x) => x.message.messageId));
    }
    for (const e of deliver) {
      if (!failed.has(e.message.messageId)) {
        await rm(e.file, { force: true });
        this.#entries.delete(e.message.messageId);
        this.emit('settled', { outcome: 'deleted', message: e.message });
      } else if (e.message.receiveCount >= this.#o.maxReceiveCount) {
        await this.#deadLetter(e, error);
      } else {
        if (error) e.message.lastError = error;
        e.visibleAt = Date.now() + this.#o.visibilityTimeoutMs;
        e.inFlight = false;
        this.emit('settled', { outcome: 'retry', message: e.message, ...(error ? { error } : {}) });
      }
    }
  }

  async #deadLetter(e: Entry, error: string | undefined): Promise<void> {
    e.message.deadLetteredAt = Date.now();
    if (error) e.message.lastError = error;
    await writeJson(join(this.#o.dlqDir, fileNameOf(e.message)), e.message);
    await rm(e.file, { force: true });
    this.#entries.delete(e.message.messageId);
    this.emit('settled', { outcome: 'dead-lettered', message: e.message, ...(error ? { error } : {}) });
  }

  #record(m: QueueMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: 'AIDAS3NOTIFICATIONS',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.#o.queueArn,
      awsRegion: LOCAL_REGION,
    };
  }

  #context(): Context {
    const start = Date.now();
    const name = this.#o.functionName;
    const timeout = this.#o.functionTimeoutMs;
    const fail = () => {
      throw new Error('the local queue does not support the callback-style context methods');
    };
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${name}`,
      memoryLimitInMB: '3008',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, timeout - (Date.now() - start)),
      done: fail,
      fail,
      succeed: fail,
    };
  }
}
