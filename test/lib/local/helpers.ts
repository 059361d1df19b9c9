/**
 * Test support for the local cloud: a cloud on free ports in a temporary data directory, clients for it, and fixture
 * files (CSV as Members export them, .xlsx written with exceljs). Not a test file itself.
 */
import './quiet.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { dynamoClient, s3Client } from '../../../functions/core/platform/aws.ts';
import { PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import type { SubmissionRecord } from '../../../functions/core/store/submission.ts';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../../lib/local/index.ts';

export const CSV_HEADER = 'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';

/**
 * A UTF-8 CSV of `rows` valid rows plus `invalid` rows whose quantity is not a number. Valid rows fall into cases
 * `${prefix}-1`, `${prefix}-2`... of `perCase` lines each (default 1).
 */
export function csv(member: string, rows: number, opts: { prefix?: string; invalid?: number; perCase?: number } = {}): string {
  const prefix = opts.prefix ?? 'C';
  const perCase = opts.perCase ?? 1;
  const lines = [CSV_HEADER];
  for (let i = 1; i <= rows; i++)
    lines.push(`${member},${prefix}-${Math.ceil(i / perCase)},2021-06-15,Medicines,Ivermectin,${100 + i},Pieces,Air cargo,Falsified`);
  for (let i = 1; i <= (opts.invalid ?? 0); i++)
    lines.push(`${member},${prefix}-X${i},2021-06-15,Medicines,Ivermectin,lots,Pieces,Air cargo,Falsified`);
  return lines.join('\n') + '\n';
}

/** The same rows as a workbook. */
export async function xlsx(member: string, rows: number, prefix = 'W'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Seizures');
  ws.addRow(CSV_HEADER.split(','));
  for (let i = 1; i <= rows; i++)
    ws.addRow([member, `${prefix}-${i}`, '2021-06-15', 'Medicines', 'Ivermectin', 100 + i, 'Pieces', 'Air cargo', 'Falsified']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface TestCloud {
  readonly cloud: LocalCloud;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly store: SeizureStore;
  readonly dataDir: string;
  /** Stops the cloud, destroys the clients; removes the data directory unless `keep`. */
  close(opts?: { keep?: boolean }): Promise<void>;
}

export const FREE_PORTS = { s3: 0, dynamodb: 0, ses: 0 } as const;

export async function tempDir(prefix = 'local-cloud-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A cloud on free ports, in a fresh temporary data directory unless one is given. */
export async function testCloud(opts: LocalCloudOptions = {}): Promise<TestCloud> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const cloud = await startLocalCloud({ ports: FREE_PORTS, queue: { visibilityTimeoutMs: 50 }, ...opts, dataDir });
  const s3 = s3Client(cloud.endpoints);
  const dynamo = dynamoClient(cloud.endpoints);
  const store = new SeizureStore({ client: dynamo, tableName: cloud.tableName });
  return {
    cloud,
    s3,
    dynamo,
    store,
    dataDir,
    async close(o = {}) {
      s3.destroy();
      dynamo.destroy();
      await cloud.stop();
      if (!o.keep) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The submissions of one key, newest first. */
export async function submissionsOf(store: SeizureStore, key: string): Promise<SubmissionRecord[]> {
  const member = key.split('/')[1]!;
  return (await store.listSubmissions({ member })).filter((s) => s.objectKey === key);
}

export async function countLines(store: SeizureStore, phase: number, member: string): Promise<number> {
  let n = 0;
  for await (const _ of store.linesOf(phase, member)) n++;
  return n;
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString('utf8');
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function etagOf(s3: S3Client, bucket: string, key: string): Promise<string> {
  const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return (h.ETag ?? '').replaceAll('"', '');
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const NODE = resolve(PROJECT_ROOT, 'node_modules/.bin/node');
export const CLI = resolve(PROJECT_ROOT, 'bin/seizures.ts');
/** The environment without the variables that change the local cloud's defaults. */
export const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEIZURES_')));

/** `seizures ARGS` as people run it (a child process, in cleanEnv()): its exit code and output. */
export async function seizures(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, ['--import', 'tsx', CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: cleanEnv(),
      timeout: timeoutMs,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}
