/**
 * The benchmark cases that run on the emulators (ingestion, end to end, phase close), each in a child process of its
 * own: `tsx measure-cloud.ts CASE ARGS...` prints one JSON line {seconds, maxRssMB, ...}.
 */
import '../helpers/quiet.ts';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';
import type { LakeLine } from '../../functions/core/lake/columns.ts';
import { queryLocal } from '../../functions/core/lake/duckdb.ts';
import { LakeSlice, type LakeFile } from '../../functions/core/lake/parquet.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCase, type Case } from './case.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { dynamoClient, s3Client } from '../../functions/core/platform/aws.ts';
import type { SeizureRecord } from '../../functions/core/vocabulary/record.ts';
import { batchWrite, type WriteRequest } from '../../functions/core/store/batch.ts';
import { FIELDS } from '../../functions/core/vocabulary/schema.ts';
import { startLocalCloud } from '../../lib/local/index.ts';
import { BENCH_DIR, benchRow } from './fixtures.ts';
import { encodeHeads, type Head } from '../../functions/core/store/heads.ts';
import * as keys from '../../functions/core/store/keys.ts';
import { headRef, headShardOf } from '../../functions/core/store/keys.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { startDynamo } from '../../lib/local/dynamodb.ts';
import { startS3 } from '../../lib/local/s3.ts';
import { loadOperationConfig } from '../../functions/core/operation/config.ts';
import { fileByteSource } from '../../functions/core/sheet/source.ts';
import { validateSpreadsheet } from '../../functions/core/validation/validate.ts';

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

async function freshCloud() {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-cloud-'));
  return startLocalCloud({ dataDir, ports: { s3: 0, dynamodb: 0, ses: 0 } });
}

const phaseDir = (n: number) => join(BENCH_DIR, `phase-close-headed-${n}`);

/** A Member's CSV of `rows` template-shaped rows. */
function benchCsv(member: string, rows: number): string {
  const quote = (v: unknown) =>
    v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? '' : `"${String(v).replaceAll('"', '""')}"`;
  return (
    [FIELDS.map((f) => f.labels.en).join(','), ...Array.from({ length: rows }, (_, i) => benchRow(member, i).map(quote).join(','))].join(
      '\n',
    ) + '\n'
  );
}

/** N stored seizure lines spread over 160 Members and the three phases, with realistic variety (lazily, as requests). */
function* lineItems(n: number): Generator<WriteRequest> {
  const config = loadOperationConfig();
  const members = config.members.map((m) => m.code);
  const products: Array<[SeizureRecord['category'], string, SeizureRecord['unit']]> = [
    ['medicine', 'ivermectin', 'pieces'],
    ['medicine', 'doxycycline', 'packs'],
    ['medicine', 'pregabalin', 'pieces'],
    ['medicine', 'tramadol', 'pieces'],
    ['medical_device', 'test_kit', 'pieces'],
    ['medical_device', 'face_mask', 'pieces'],
    ['medical_device', 'oxygen_cylinder', 'pieces'],
    ['medical_device', 'used_gloves', 'kg'],
    ['vaccine', 'covid19_vaccine', 'doses'],
  ];
  const origins = ['IN', 'CN', 'TR', 'AE', 'NG', 'US', 'BR', 'PK', 'BD', 'VN'];
  const modes = ['air_cargo', 'express_courier', 'postal', 'sea', 'road'];
  const concealments = ['misdescribed', 'undervalued', 'baggage', 'split_consignment', 'none'];
  for (let i = 0; i < n; i++) {
    const member = members[i % members.length]!;
    const phase = config.phases[Math.floor(i / members.length) % config.phases.length]!;
    const days = (Date.parse(phase.end) - Date.parse(phase.start)) / 86_400_000 + 1;
    const date = new Date(Date.parse(phase.start) + ((i * 7919) % days) * 86_400_000).toISOString().slice(0, 10);
    const [category, product, unit] = products[(i * 31) % products.length]!;
    const caseRef = `C-${Math.floor(i / 2)}`,
      lineNo = (i % 2) + 1;
    const r: SeizureRecord = {
      reporting_member: member,
      case_ref: caseRef,
      line_no: lineNo,
      seizure_date: date,
      phase: phase.phase,
      category,
      product,
      quantity: 10 + ((i * 97) % 5000),
      unit,
      transport_mode: modes[(i * 13) % modes.length]!,
      infringement_type: 'falsified',
      origin_country: origins[(i * 17) % origins.length]!,
      destination_country: member,
      concealment_method: concealments[(i * 7) % concealments.length]!,
      source: { file: 'seed.xlsx', sheet: 'Seizures', row: i + 2 },
    };
    yield {
      PutRequest: {
        Item: {
          pk: keys.casePk(member, caseRef),
          sk: keys.lineSk(lineNo),
          gsi1pk: keys.phasePk(phase.phase, member),
          gsi1sk: keys.phaseSk(caseRef, lineNo),
          orderToken: '2026-11-28T00:00:00.000Z#0',
          objectKey: `incoming/${member}/seed.xlsx`,
          versionId: 'v1',
          ...r,
        },
      },
    };
  }
}

/** The head shards naming every seeded line (as the store leaves them after the seed's one upload per Member). */
function* headItems(n: number): Generator<WriteRequest> {
  const shards = new Map<string, Map<string, Head>>();
  for (const req of lineItems(n)) {
    const item = (req as { PutRequest: { Item: Record<string, unknown> } }).PutRequest.Item;
    const member = String(item['reporting_member']),
      ref = headRef(String(item['case_ref']));
    const pk = keys.headsPk(member, headShardOf(ref));
    const heads = shards.get(pk) ?? new Map<string, Head>();
    shards.set(pk, heads);
    const lines = [...(heads.get(ref)?.lines ?? []), Number(item['line_no'])].sort((a, b) => a - b);
    heads.set(ref, { token: `${String(item['orderToken'])}#seed`, lines, withdrawn: 0, garbage: [] });
  }
  for (const [pk, heads] of shards) yield { PutRequest: { Item: { pk, sk: keys.HEADS_SK, rev: 1, heads: encodeHeads(heads) } } };
}

async function recordsOf(file: string): Promise<SeizureRecord[]> {
  const out: SeizureRecord[] = [];
  await validateSpreadsheet(await fileByteSource(file), {
    config: loadOperationConfig(),
    member: 'FR',
    today: '2026-11-28',
    onRecord: (r) => void out.push(r),
  });
  return out;
}

const CASES: Record<string, Case> = {
  /** Floor for ingestion: BatchWriteItem of the same line items alone (keys and attributes as the store writes them). */
  async 'ingest-floor'([file]) {
    const env = await emulators();
    const records = await recordsOf(file!);
    const requests = records.map((r) => ({
      PutRequest: {
        Item: {
          pk: keys.casePk(r.reporting_member, r.case_ref),
          sk: keys.lineSk(r.line_no),
          gsi1pk: keys.phasePk(r.phase, r.reporting_member),
          gsi1sk: keys.phaseSk(r.case_ref, r.line_no),
          orderToken: '2026-11-28T00:00:00.000Z#0',
          objectKey: 'incoming/FR/bench.xlsx',
          versionId: 'v1',
          ...r,
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
    const body = JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: 'submissions' }, object: { key: encodeURIComponent(key), size, sequencer: '01' } },
        },
      ],
    });
    const t0 = performance.now();
    const res = await handler(
      { Records: [{ messageId: 'm1', body }] } as unknown as SQSEvent,
      { getRemainingTimeInMillis: () => 900_000 } as unknown as Context,
    );
    const seconds = (performance.now() - t0) / 1000;
    if (res.batchItemFailures.length) throw new Error('ingest failed');
    const [sub] = await store.listSubmissions({ member: 'FR' });
    await env.close();
    return { rows: sub!.stored.written, timed: seconds, status: sub!.status };
  },
  /** End to end on the local cloud: PutObject of a big upload until its submission is finished. */
  async 'e2e-big'([file]) {
    const cloud = await freshCloud();
    const { size } = await stat(file!);
    const s3 = s3Client(cloud.endpoints);
    const t0 = performance.now();
    await s3.send(
      new PutObjectCommand({ Bucket: cloud.bucket, Key: 'incoming/FR/big.xlsx', Body: createReadStream(file!), ContentLength: size }),
    );
    await cloud.waitForIdle(3_600_000);
    const timed = (performance.now() - t0) / 1000;
    const subs = await new SeizureStore({ client: dynamoClient(cloud.endpoints), tableName: cloud.tableName }).listSubmissions();
    await cloud.stop();
    if (subs[0]?.status !== 'accepted') throw new Error(`big upload ended ${subs[0]?.status}`);
    return { rows: subs[0].rows.valid, timed };
  },
  /** End to end: 160 Members each upload a 100-row file at once. */
  async 'e2e-many'() {
    const cloud = await freshCloud();
    const members = loadOperationConfig()
      .members.slice(0, 160)
      .map((m) => m.code);
    const files = members.map((m) => ({ key: `incoming/${m}/week.csv`, body: benchCsv(m, 100) }));
    const s3 = s3Client(cloud.endpoints);
    const t0 = performance.now();
    await Promise.all(files.map((f) => s3.send(new PutObjectCommand({ Bucket: cloud.bucket, Key: f.key, Body: f.body }))));
    await cloud.waitForIdle(3_600_000);
    const timed = (performance.now() - t0) / 1000;
    const subs = await new SeizureStore({ client: dynamoClient(cloud.endpoints), tableName: cloud.tableName }).listSubmissions();
    await cloud.stop();
    const accepted = subs.filter((x) => x.status === 'accepted');
    if (accepted.length !== files.length) throw new Error(`${accepted.length} of ${files.length} accepted`);
    return { rows: accepted.reduce((n, x) => n + x.rows.valid, 0), files: files.length, timed };
  },
  /** Seeds (once, cached) a data dir with N stored lines for the phase-close case. */
  async 'phase-seed'([n]) {
    const dir = phaseDir(Number(n));
    if (existsSync(join(dir, 'seeded'))) return { lines: Number(n), cached: 1 };
    await rm(dir, { recursive: true, force: true });
    const cloud = await startLocalCloud({ dataDir: dir, ports: { s3: 0, dynamodb: 0, ses: 0 } });
    const client = dynamoClient(cloud.endpoints);
    const written = await batchWrite({ client, tableName: cloud.tableName, concurrency: 4 }, lineItems(Number(n)));
    // The phase close counts only lines their case's head names (store/fence.ts): write the heads the store would.
    await batchWrite({ client, tableName: cloud.tableName, concurrency: 4 }, headItems(Number(n)));
    await cloud.stop();
    await writeFile(join(dir, 'seeded'), String(written));
    return { lines: written, cached: 0 };
  },
  /** Floor for the phase close: every stored line read with parallel Queries (10 at a time, as the Map) and nothing else. */
  async 'phase-floor'([n]) {
    const cloud = await startLocalCloud({ dataDir: phaseDir(Number(n)), ports: { s3: 0, dynamodb: 0, ses: 0 } });
    const store = new SeizureStore({ client: dynamoClient(cloud.endpoints), tableName: cloud.tableName });
    const slices = [1, 2, 3].flatMap((phase) => loadOperationConfig().members.map((m) => ({ phase, member: m.code })));
    let lines = 0;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < slices.length) {
          const s = slices[next++]!;
          for await (const _ of store.linesOf(s.phase, s.member)) lines++;
        }
      }),
    );
    const timed = (performance.now() - t0) / 1000;
    await cloud.stop();
    return { lines, timed };
  },
  /**
   * The lake's export alone (functions/core/lake): N lines of the phase-close seed kept as columns per Member slice and
   * encoded as one Parquet file per phase and Member, as the aggregate step does; then every file read back by DuckDB
   * and hyparquet (outside the timing).
   */
  async 'lake-export'([n]) {
    // Lines go straight into their Member's slice (holding them all first took more memory than the bench is about);
    // only the slices' own work is timed.
    const run = { operation: 'stop-ii', runLabel: 'final', asOf: '2022-05-05' };
    const slices = new Map<string, LakeSlice>();
    let timed = 0;
    for (const req of lineItems(Number(n))) {
      if (!('PutRequest' in req)) continue;
      const {
        pk: _pk,
        sk: _sk,
        gsi1pk: _g1,
        gsi1sk: _g2,
        orderToken,
        objectKey,
        versionId,
        ...record
      } = req.PutRequest.Item as Record<string, unknown>;
      const line: LakeLine = {
        record: record as unknown as SeizureRecord,
        objectKey: String(objectKey),
        versionId: String(versionId),
        orderToken: String(orderToken),
      };
      const member = line.record.reporting_member;
      let lake = slices.get(member);
      if (!lake) slices.set(member, (lake = new LakeSlice(run, member, [1, 2, 3])));
      const t0 = performance.now();
      lake.add(line);
      timed += performance.now() - t0;
    }
    const files: LakeFile[] = [];
    const t1 = performance.now();
    for (const lake of slices.values()) files.push(...lake.files());
    timed = (timed + performance.now() - t1) / 1000;
    slices.clear();
    const dir = join(BENCH_DIR, `lake-${n}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    let hyparquetRows = 0;
    for (const [i, f] of files.entries()) {
      const path = join(dir, `f${i}.parquet`);
      await writeFile(path, f.body);
      paths.push(path);
      const buf = f.body.buffer.slice(f.body.byteOffset, f.body.byteOffset + f.body.byteLength) as ArrayBuffer;
      const rows = (await parquetReadObjects({ file: buf })).length;
      if (rows !== f.rows) throw new Error(`hyparquet read ${rows} rows of ${f.key}, written ${f.rows}`);
      hyparquetRows += rows;
    }
    const q0 = performance.now();
    const counted = await queryLocal({ files: paths }, 'select count(*) as n, count(distinct member) as members from lines');
    const queried = (performance.now() - q0) / 1000;
    const duckdbRows = counted.rows[0]!['n'] as number;
    if (duckdbRows !== Number(n) || hyparquetRows !== Number(n))
      throw new Error(`read back ${duckdbRows} (DuckDB), ${hyparquetRows} (hyparquet) of ${n}`);
    return {
      lines: Number(n),
      timed,
      bytes: files.reduce((b, f) => b + f.body.byteLength, 0),
      files: files.length,
      duckdbRows,
      hyparquetRows,
      queried,
    };
  },
  /** The phase-close workflow (final, phase 3, so every phase is read) on the local cloud. */
  async 'phase-close'([n]) {
    const cloud = await startLocalCloud({ dataDir: phaseDir(Number(n)), ports: { s3: 0, dynamodb: 0, ses: 0 } });
    const t0 = performance.now();
    const out = await cloud.closePhase({ operation: 'stop-ii', phase: 3, mode: 'final', asOf: '2022-05-05' });
    const timed = (performance.now() - t0) / 1000;
    await cloud.stop();
    return { lines: out.lines, timed, signals: out.signalCount };
  },
};

await runCase(CASES);
