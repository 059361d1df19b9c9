/**
 * Test support for the store: an in-process dynalite (in memory, 127.0.0.1, random port), clients for it, a fault
 * injector and small record factories. Not a test file itself.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import type { ApplyResult } from '../../../../functions/core/store/objects.ts';
import type { SubmissionRecord } from '../../../../functions/core/store/submission.ts';
import { createTable } from '../../../../functions/core/store/create-table.ts';
import { keepAlive } from '../../../../lib/local/listen.ts';

// dynalite ships no types; require it through a local signature rather than declaring the module for everyone.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalDynamo {
  readonly endpoint: string;
  /** A client without SDK retries, so that only the store's own retries are at work. */
  client(): DynamoDBClient;
  /** A fresh table with a unique name. */
  table(): Promise<string>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Node drops idle keep-alive sockets after 5 s; a client reusing one just then gets ECONNRESET (seen in CI under load).
  keepAlive(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: DynamoDBClient[] = [];
  let tables = 0;
  const client = (): DynamoDBClient => {
    const c = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  const admin = client();
  return {
    endpoint,
    client,
    async table() {
      const name = `seizures-${process.pid}-${++tables}`;
      await createTable(admin, name, { pollMs: 5 });
      return name;
    },
    async close() {
      for (const c of clients) c.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/**
 * One dynalite for a test file: started before its tests, closed after them. Its methods are usable inside tests
 * (and hooks declared after this call), not at the file's top level.
 */
export function useDynalite(): LocalDynamo {
  let started: LocalDynamo | undefined;
  beforeAll(async () => {
    started = await startDynalite();
  });
  afterAll(async () => {
    await started?.close();
  });
  const the = (): LocalDynamo => {
    if (!started) throw new Error('useDynalite: dynalite is only running during the tests of the file');
    return started;
  };
  return {
    get endpoint() {
      return the().endpoint;
    },
    client: () => the().client(),
    table: () => the().table(),
    close: () => the().close(),
  };
}

/** The store's retry back-off, made instant: the tests count attempts, not seconds. */
export const noSleep = async (): Promise<void> => {};

/** What a fault rule may do to one call. */
export type FaultAction =
  /** Throw this instead of sending. */
  | { readonly throw: Error }
  /** BatchWriteItem (BatchGetItem): send the first `keep` requests (keys), return the rest as UnprocessedItems (UnprocessedKeys). */
  | { readonly keep: number }
  /** Run this first (e.g. another writer's work, to interleave), then send. */
  | { readonly before: () => Promise<void> }
  | undefined;

export interface CallInfo {
  /** e.g. BatchWriteItemCommand */
  readonly command: string;
  /** 1-based count of calls of this command so far, this one included. */
  readonly n: number;
  /** The input in document (unmarshalled) form. */
  readonly input: Record<string, unknown>;
}

export interface FaultLog {
  readonly calls: CallInfo[];
  count(command: string): number;
  /** Highest number of calls in flight at once. */
  maxInFlight: number;
}

type BatchInput = { RequestItems: Record<string, unknown[]> };

/** Adds a middleware to `client` that consults `rule` before every call; returns the log of calls. */
export function injectFaults(client: DynamoDBClient, rule: (call: CallInfo) => FaultAction): FaultLog {
  const counts = new Map<string, number>();
  let inFlight = 0;
  const log: FaultLog = {
    calls: [],
    count: (command) => counts.get(command) ?? 0,
    maxInFlight: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const n = (counts.get(command) ?? 0) + 1;
      counts.set(command, n);
      const input = args.input as Record<string, unknown>;
      const call = { command, n, input };
      log.calls.push(call);
      const action = rule(call);
      inFlight++;
      log.maxInFlight = Math.max(log.maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        if (action === undefined) return await next(args);
        if ('throw' in action) throw action.throw;
        if ('before' in action) {
          await action.before();
          return await next(args);
        }
        const requestItems = (input as BatchInput).RequestItems;
        if (command === 'BatchGetItemCommand') {
          const [table, req] = Object.entries(requestItems as unknown as Record<string, { Keys: unknown[] }>)[0]!;
          const kept = req.Keys.slice(0, action.keep);
          const out: { output: unknown; response: unknown } =
            kept.length > 0
              ? await next({ ...args, input: { ...input, RequestItems: { [table]: { ...req, Keys: kept } } } } as typeof args)
              : { output: { $metadata: {}, Responses: { [table]: [] } }, response: {} };
          const held = req.Keys.slice(action.keep);
          const output = out.output as unknown as Record<string, unknown>;
          const faked = { ...out, output: { ...output, UnprocessedKeys: held.length > 0 ? { [table]: { ...req, Keys: held } } : {} } };
          return faked as Awaited<ReturnType<typeof next>>;
        }
        const [table, requests] = Object.entries(requestItems)[0]!;
        const sent = requests.slice(0, action.keep);
        const held = requests.slice(action.keep);
        const out: { output: unknown; response: unknown } =
          sent.length > 0
            ? await next({ ...args, input: { ...input, RequestItems: { [table]: sent } } } as typeof args)
            : { output: { $metadata: {} }, response: {} };
        const output = out.output as Record<string, unknown>;
        const faked = { ...out, output: { ...output, UnprocessedItems: held.length > 0 ? { [table]: held } : {} } };
        return faked as Awaited<ReturnType<typeof next>>;
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'testFaults' },
  );
  return log;
}

/** Every item of the table, keys included, sorted by (pk, sk): the whole state to compare. */
export async function scanAll(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const key = (i: Record<string, AttributeValue>): string => `${i['pk']?.S}\u0000${i['sk']?.S}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A minimal valid line; `over` replaces fields. */
export const line = (over: Partial<SeizureRecord> & Pick<SeizureRecord, 'case_ref' | 'line_no'>): SeizureRecord => ({
  reporting_member: 'FR',
  seizure_date: '2021-05-10',
  phase: 1,
  category: 'medicine',
  product: 'paracetamol',
  quantity: 100,
  unit: 'pieces',
  transport_mode: 'air',
  infringement_type: 'counterfeit',
  source: { file: 'week 12.xlsx', sheet: 'Seizures', row: over.line_no + 1 },
  ...over,
});

/** `cases` cases of `linesPerCase` lines each, case refs C0001... */
export const manyLines = (cases: number, linesPerCase: number, over: Partial<SeizureRecord> = {}): SeizureRecord[] => {
  const out: SeizureRecord[] = [];
  for (let c = 1; c <= cases; c++) {
    for (let l = 1; l <= linesPerCase; l++) {
      out.push(line({ case_ref: `C${String(c).padStart(4, '0')}`, line_no: l, quantity: c * 1000 + l, ...over }));
    }
  }
  return out;
};

/** An upload of a file of its own (a key per version name), so it replaces only the cases it contains. */
export const upload = (version: string, orderToken: string, member = 'FR', objectKey = `incoming/${member}/${version}.xlsx`) => ({
  member,
  objectKey,
  versionId: version,
  orderToken,
});

/** The counts every upload had before replacement by key, to compare with tests that only know those. */
export const counts = (r: ApplyResult): Pick<ApplyResult, 'written' | 'withdrawn' | 'supersededCases'> => ({
  written: r.written,
  withdrawn: r.withdrawn,
  supersededCases: r.supersededCases,
});

export const submission = (over: Partial<SubmissionRecord> = {}): SubmissionRecord => ({
  objectKey: 'incoming/FR/week 12.xlsx',
  versionId: 'v1',
  etag: '"abc"',
  size: 1234,
  member: 'FR',
  receivedAt: '2021-05-12T10:00:00.000Z',
  orderToken: '2021-05-12T10:00:00.000Z#0001',
  status: 'accepted',
  language: 'en',
  rows: { total: 3, valid: 3, invalid: 0, blank: 0 },
  errorsByType: {},
  warnings: 0,
  stored: { written: 3, withdrawn: 0, supersededCases: 0 },
  feedback: {},
  ...over,
});
