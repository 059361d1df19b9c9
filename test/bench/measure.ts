/**
 * One benchmark case in a child process of its own, so its peak RSS is its own: `tsx measure.ts CASE ARGS...`
 * prints one JSON line {seconds, maxRssMB, ...}.
 */
import '../helpers/quiet.ts';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { dynamoClient, s3Client } from '../../functions/core/aws.ts';
import type { SeizureRecord } from '../../functions/core/record.ts';
import { batchWrite } from '../../functions/core/store/batch.ts';
import * as keys from '../../functions/core/store/keys.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { startDynamo } from '../../lib/local/dynamodb.ts';
import { startS3 } from '../../lib/local/s3.ts';
import { loadOperationConfig } from '../../functions/core/config.ts';
import { fileByteSource } from '../../functions/core/sheet/source.ts';
import { scanFloor } from '../../functions/core/sheet/xlsx.ts';
import { validateSpreadsheet } from '../../functions/core/validate.ts';

type Case = (args: string[]) => Promise<Record<string, number | string>>;

/** DynamoDB (dynalite, in memory) and S3 (s3rver) in this process, as the local cloud runs them. */
async function emulators() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-'));
  // On disk, as the local cloud keeps it.
  const dyn = await startDynamo({ path: join(dir, 'dynamodb'), port: 0, tableName: 'seizures' });
  const s3srv = await startS3({ directory: join(dir, 's3'), port: 0, bucket: 'submissions', onEvent: () => undefined });
  const ddb = dynamoClient({ dynamodb: dyn.endpoint });
  return {
    ddb,
    s3: s3Client({ s3: s3srv.endpoint }),
    async close() {
      await s3srv.close();
      await dyn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function recordsOf(file: string): Promise<SeizureRecord[]> {
  const out: SeizureRecord[] = [];
  await validateSpreadsheet(await fileByteSource(file), { config: loadOperationConfig(), member: 'FR', today: '2026-11-28', onRecord: (r) => void out.push(r) });
  return out;
}

const CASES: Record<string, Case> = {
  /** Floor: inflate the sheet entry and count '<' bytes, building nothing. */
  async 'xlsx-floor'([file]) {
    const r = await scanFloor(await fileByteSource(file!), 0);
    return { inflatedMB: r.inflatedBytes / 1e6 };
  },
  /** Parse + validate + records (serialised as NDJSON lines, as --records does). */
  async validate([file]) {
    let bytes = 0;
    const report = await validateSpreadsheet(await fileByteSource(file!), {
      config: loadOperationConfig(),
      member: 'FR',
      today: '2026-11-28',
      onRecord: (r) => void (bytes += JSON.stringify(r).length + 1),
    });
    if (report.stats.invalidRows || report.errors.length) throw new Error(`bench file did not validate: ${JSON.stringify(report.errors.slice(0, 3))}`);
    return { rows: report.stats.validRows, ndjsonMB: bytes / 1e6 };
  },
  /** Floor for ingestion: BatchWriteItem of the same line items alone (keys and attributes as the store writes them). */
  async 'ingest-floor'([file]) {
    const env = await emulators();
    const records = await recordsOf(file!);
    const requests = records.map((r) => ({
      PutRequest: {
        Item: {
          pk: keys.casePk(r.reporting_member, r.case_ref), sk: keys.lineSk(r.line_no),
          gsi1pk: keys.phasePk(r.phase, r.reporting_member), gsi1sk: keys.phaseSk(r.case_ref, r.line_no),
          orderToken: '2026-11-28T00:00:00.000Z#0', objectKey: 'incoming/FR/bench.xlsx', versionId: 'v1', ...r,
        },
      },
    }));
    const t0 = performance.now();
    const n = await batchWrite({ client: env.ddb, tableName: 'seizures' }, requests);
    const seconds = (performance.now() - t0) / 1000;
    await env.close();
    return { rows: n, timed: seconds };
  },
  /** The real ingest handler on a 200,000-row upload: read from S3, validate, store, feedback, submission. */
  async ingest([file]) {
    const env = await emulators();
    const key = 'incoming/FR/bench.xlsx';
    const { size } = await stat(file!);
    await env.s3.send(new PutObjectCommand({ Bucket: 'submissions', Key: key, Body: createReadStream(file!), ContentLength: size }));
    const store = new SeizureStore({ client: env.ddb, tableName: 'seizures' });
    const handler = createIngestHandler({ s3: env.s3, store, config: loadOperationConfig() });
    const body = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: 'submissions' }, object: { key: encodeURIComponent(key), size, sequencer: '01' } } }] });
    const t0 = performance.now();
    const res = await handler({ Records: [{ messageId: 'm1', body }] } as unknown as SQSEvent, { getRemainingTimeInMillis: () => 900_000 } as unknown as Context);
    const seconds = (performance.now() - t0) / 1000;
    if (res.batchItemFailures.length) throw new Error('ingest failed');
    const [sub] = await store.listSubmissions({ member: 'FR' });
    await env.close();
    return { rows: sub!.stored.written, timed: seconds, status: sub!.status };
  },
  /** Time to load a bundle as Lambda would (import of the minified ESM file). */
  async load([file]) {
    await import(file!);
    return {};
  },
};

const [name, ...args] = process.argv.slice(2);
const run = CASES[name!];
if (!run) throw new Error(`unknown case ${name}`);
const t0 = performance.now();
const extra = await run(args);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra }) + '\n');
