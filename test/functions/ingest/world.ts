/**
 * The ingest handler's tests' world: a local S3 (s3rver) and DynamoDB (dynalite) shared by a test file, a fresh table
 * per test, and `upload`, which puts an object and returns the SQS event S3 would send for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import ExcelJS from 'exceljs';
import { s3Client } from '../../../functions/core/platform/aws.ts';
import { loadOperationConfig } from '../../../functions/core/operation/config.ts';
import type { IngestDeps } from '../../../functions/core/ingest/ingest.ts';
import { LOCK_SK, lockPk } from '../../../functions/core/store/keys.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { Sequencer, sqsBodyOf } from '../../../lib/local/notifications.ts';
import { startS3, type LocalS3 } from '../../../lib/local/s3.ts';
import { startDynalite, type LocalDynamo } from '../core/store/local-dynamo.ts';

export const BUCKET = 'submissions';
export const config = loadOperationConfig();
/** A fresh run of the ingest function (its timeout is 5 minutes; the core keeps a minute of it for storing and feedback). */
export const context = { functionName: 'ingest', awsRequestId: 'req', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

export interface UploadOptions {
  /** Event time (ms). @default one second after the previous upload's */
  readonly at?: number;
  /** SQS ApproximateReceiveCount. @default absent */
  readonly receiveCount?: number;
  /** S3's sequencer. @default the next of a sequencer following the event times */
  readonly sequencer?: string;
}

export interface IngestWorld {
  /** The local S3's directory (a test may remove an object's file under it). */
  readonly dir: string;
  readonly s3: S3Client;
  readonly dyn: LocalDynamo;
  /** A fresh table, a store on it and a handler (deps overridable). */
  world(over?: Partial<IngestDeps>): Promise<{
    deps: IngestDeps;
    store: SeizureStore;
    tableName: string;
    handler: ReturnType<typeof createIngestHandler>;
  }>;
  /** Puts an object and returns the SQS event S3 would send for it (key URL-encoded as AWS does). */
  upload(key: string, body: string | Buffer, opts?: UploadOptions): Promise<SQSEvent>;
  getText(key: string): Promise<string>;
  getWorkbook(key: string): Promise<ExcelJS.Workbook>;
  /** Another upload of `member` holds the Member's lease in `tableName` for the next minute. */
  holdLease(tableName: string, member: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the local S3 and DynamoDB; call in beforeAll, and `close` in afterAll. */
export async function startIngestWorld(name = 'ingest'): Promise<IngestWorld> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const s3srv: LocalS3 = await startS3({ directory: dir, port: 0, bucket: BUCKET, onEvent: () => undefined });
  const dyn = await startDynalite();
  const s3 = s3Client({ s3: s3srv.endpoint });
  const sequencer = new Sequencer();
  let clock = Date.UTC(2026, 10, 1);
  return {
    dir,
    s3,
    dyn,
    async world(over = {}) {
      const tableName = await dyn.table();
      const store = new SeizureStore({ client: dyn.client(), tableName });
      const deps: IngestDeps = { s3, store, config, now: () => new Date('2026-11-28T12:00:00Z'), ...over };
      return { deps, store, tableName, handler: createIngestHandler(deps) };
    },
    async upload(key, body, opts = {}) {
      const at = opts.at ?? (clock += 1000);
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      const bodyJson = sqsBodyOf({
        bucket: BUCKET,
        key,
        size: head.ContentLength ?? 0,
        eTag: (put.ETag ?? '').replaceAll('"', ''),
        eventName: 'ObjectCreated:Put',
        eventTime: new Date(at).toISOString(),
        sequencer: opts.sequencer ?? sequencer.next(at),
      });
      const attributes = opts.receiveCount === undefined ? {} : { attributes: { ApproximateReceiveCount: String(opts.receiveCount) } };
      return { Records: [{ messageId: `m-${at}`, body: bodyJson, ...attributes }] } as unknown as SQSEvent;
    },
    async holdLease(tableName, member) {
      await dyn.client().send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: lockPk(member) },
            sk: { S: LOCK_SK },
            orderToken: { S: 'another upload' },
            run: { S: 'r' },
            expiresAt: { N: String(Date.now() + 60_000) },
          },
        }),
      );
    },
    getText: async (key) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString(),
    async getWorkbook(key) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(body) as unknown as ExcelJS.Buffer);
      return wb;
    },
    async close() {
      s3.destroy();
      await s3srv.close();
      await dyn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
