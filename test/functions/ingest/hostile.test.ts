/**
 * Issue 10: hostile and odd files through the real ingest handler (s3rver + dynalite), and the contract between
 * validation and storage: whatever validation accepts, the store and the feedback writer accept.
 */
import '../../helpers/quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { writeFeedbackWorkbook } from '../../../functions/core/ingest/feedback.ts';
import { MAX_UPLOAD_KEY_BYTES, type IngestDeps } from '../../../functions/core/ingest/ingest.ts';
import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { bufferByteSource } from '../../../functions/core/sheet/source.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { exitCodeOf, validateSpreadsheet } from '../../../functions/core/validation/validate.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import {
  dataRow,
  HEADER as TEMPLATE_HEADER,
  lineTooLarge,
  longSheetName,
  rowsOutOfOrder,
  rowXml,
  twoUnicodeForms,
  workbook,
} from '../../fixtures/hostile/make-hostile.ts';
import { collect, type LocalDynamo } from '../core/store/local-dynamo.ts';
import { config, context, startIngestWorld, type IngestWorld } from './world.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let w: IngestWorld, dyn: LocalDynamo;

beforeAll(async () => {
  w = await startIngestWorld('hostile');
  dyn = w.dyn;
});
afterAll(async () => {
  await w.close();
});

const world = (over: Partial<IngestDeps> = {}) => w.world(over);
const upload = (key: string, body: string | Buffer, receiveCount = 1) => w.upload(key, body, { receiveCount });
const getText = (key: string) => w.getText(key);
const getWorkbook = (key: string) => w.getWorkbook(key);

describe('files validation accepts are stored, with feedback', () => {
  test('a line number of 1,000,000 is a row error (the store keys 0..999,999), and the rest is stored', async () => {
    const { handler, store } = await world();
    assert.deepEqual(await handler(await upload('incoming/FR/line.csv', lineTooLarge()), context), { batchItemFailures: [] });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.equal(sub!.status, 'accepted_with_errors');
    assert.equal(sub!.stored.written, 1);
    const report = JSON.parse(await getText('feedback/FR/line.csv.report.json'));
    assert.equal(report.errors[0].code, 'line-too-large');
    assert.equal(report.errors[0].rowNumber, 3);
    const { written, withdrawn, supersededCases, storedCases } = report.stored;
    assert.deepEqual(
      { written, withdrawn, supersededCases, storedCases },
      { written: 1, withdrawn: 0, supersededCases: 0, storedCases: 1 },
      'the report says what was stored',
    );
  });

  test('one case reference in two Unicode forms (and with spaces) is one case: the repeat is a duplicate line', async () => {
    const { handler, store } = await world();
    assert.deepEqual(await handler(await upload('incoming/FR/cafe.csv', twoUnicodeForms()), context), { batchItemFailures: [] });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.equal(sub!.status, 'accepted_with_errors');
    assert.deepEqual(sub!.errorsByType, { 'unique-error': 1 });
    const lines = await collect(store.linesOf(1, 'FR'));
    assert.deepEqual(
      lines.map((l) => [l.case_ref, l.line_no]),
      [
        ['caf\u00e9', 1],
        ['caf\u00e9', 2],
      ],
    );
  });

  test('rows written out of order in the sheet XML are stored and the feedback copy lists them in order', async () => {
    const { handler, store } = await world();
    assert.deepEqual(await handler(await upload('incoming/FR/order.xlsx', rowsOutOfOrder(false)), context), { batchItemFailures: [] });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.notEqual(sub!.status, 'failed');
    const report = JSON.parse(await getText('feedback/FR/order.xlsx.report.json'));
    assert.equal(report.rowsUnordered, undefined, 'internal fields are not printed');
    assert.equal(report.columns, undefined);
    const wb = await getWorkbook('feedback/FR/order.xlsx.report.xlsx');
    const data = wb.worksheets[0]!;
    assert.deepEqual(
      [2, 3, 4].map((r) => data.getCell(`B${r}`).value),
      ['R1', 'R2', 'R3'],
    );
    assert.deepEqual((await collect(store.linesOf(1, 'FR'))).map((l) => l.case_ref).sort(), ['R1', 'R2', 'R3']);
  });

  test('a row written twice: one answer everywhere (rejected, nothing stored, no copy of the rows), naming the row', async () => {
    const { handler, store } = await world();
    assert.deepEqual(await handler(await upload('incoming/FR/twice.xlsx', rowsOutOfOrder()), context), { batchItemFailures: [] });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.equal(sub!.status, 'rejected');
    assert.deepEqual(await collect(store.linesOf(1, 'FR')), []);
    const report = JSON.parse(await getText('feedback/FR/twice.xlsx.report.json'));
    assert.deepEqual(
      report.errors.map((e: { type: string; message: string }) => [e.type, /row 3 appears twice in the file/.test(e.message)]),
      [['source-error', true]],
    );
    const wb = await getWorkbook('feedback/FR/twice.xlsx.report.xlsx');
    assert.deepEqual(
      wb.worksheets.map((s) => s.name),
      ['Errors'],
    );
  });

  test('a sheet name of 300,000 characters, no rows: rejected with a small report and record (never a failure)', async () => {
    const { handler, store } = await world();
    assert.deepEqual(await handler(await upload('incoming/FR/name.xlsx', longSheetName(300_000, false)), context), {
      batchItemFailures: [],
    });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.equal(sub!.status, 'rejected');
    assert.ok(JSON.stringify(sub).length < 5_000, `record of ${JSON.stringify(sub).length} characters`);
    const text = await getText('feedback/FR/name.xlsx.report.json');
    assert.ok(text.length < 5_000, `report.json of ${text.length} characters`);
    assert.equal(JSON.parse(text).errors[0].code, 'no-rows');
  });

  test('a key too long for the feedback key or the byMember sort key is rejected up front with a clear reason', async () => {
    const { handler, store } = await world();
    // Folders of 190 characters (s3rver keeps objects as files: a name of 255 bytes at most), 1,020 bytes in all.
    const key =
      `incoming/FR/${Array.from({ length: 5 }, (_, i) => `${i}`.repeat(190)).join('/')}/${'n'.repeat(1020)}`.slice(0, 1020) + '.csv';
    assert.ok(Buffer.byteLength(key) > MAX_UPLOAD_KEY_BYTES && Buffer.byteLength(key) <= 1024);
    assert.deepEqual(await handler(await upload(key, twoUnicodeForms()), context), { batchItemFailures: [] });
    const [sub] = await store.listSubmissions({ member: 'FR' });
    assert.equal(sub!.objectKey, key);
    assert.equal(sub!.status, 'rejected');
    assert.equal(sub!.failure!.type, 'source-error');
    for (const k of [sub!.feedback.json!, sub!.feedback.xlsx!]) assert.ok(Buffer.byteLength(k) <= 1024, k);
    const report = JSON.parse(await getText(sub!.feedback.json!));
    assert.match(
      report.errors[0].message,
      /nom \(avec ses dossiers\) est trop long ; utilisez un nom de \d+ octets au plus/,
      'in the Member language (FR: French)',
    );
    assert.deepEqual(await collect(store.linesOf(1, 'FR')), []);
  });
});

describe('versions of one file', () => {
  test("an older version processed after a newer one writes its feedback beside the newer's, never over it", async () => {
    const { handler, store } = await world();
    const older = await upload('incoming/FR/v.csv', lineTooLarge());
    const newer = await upload('incoming/FR/v.csv', twoUnicodeForms());
    await handler(newer, context);
    const usual = 'feedback/FR/v.csv.report.json';
    const before = await getText(usual);
    await handler(older, context);
    assert.equal(await getText(usual), before, 'the newer feedback stands');
    const subs = (await store.listSubmissions({ member: 'FR' })).filter((x) => x.objectKey === 'incoming/FR/v.csv');
    assert.equal(subs.length, 2);
    const late = subs.find((x) => x.orderToken < subs.find((y) => y !== x)!.orderToken)!;
    assert.notEqual(late.feedback.json, usual);
    assert.match(late.feedback.json!, /^feedback\/FR\/v\.csv\.seq_[0-9A-Za-z_]+\.report\.json$/);
    assert.ok(JSON.parse(await getText(late.feedback.json!)).file);
  });
});

describe('every upload ends with feedback', () => {
  test('a failure a retry cannot fix ends failed at once, with a report saying the analysts are told (no DLQ)', async () => {
    const { deps, tableName } = await world();
    const store = deps.store;
    class Broken extends SeizureStore {
      override async applyUpload(): Promise<never> {
        throw new RangeError('case "secret-ref" line 1 cannot be stored');
      }
    }
    const handler = createIngestHandler({ ...deps, store: new Broken({ client: dyn.client(), tableName }) });
    const ev = await upload('incoming/FR/fault.csv', lineTooLarge());
    assert.deepEqual(await handler(ev, context), { batchItemFailures: [] });
    const sub = (await store.listSubmissions({ member: 'FR' })).find((s) => s.objectKey === 'incoming/FR/fault.csv')!;
    assert.equal(sub.status, 'failed');
    assert.equal(sub.failure!.type, 'RangeError');
    const report = JSON.parse(await getText('feedback/FR/fault.csv.report.json'));
    assert.equal(report.errors[0].code, 'processing-failed');
    assert.match(report.errors[0].message, /analysts have been told/);
    assert.equal(report.stats.rows, 2, 'the validation is reported as well');
    const wb = await getWorkbook('feedback/FR/fault.csv.report.xlsx');
    assert.ok(wb.getWorksheet('Errors'));
  });

  test('on the last receive, a failure that retries did not cure gives the Member feedback before the DLQ', async () => {
    const { deps, tableName } = await world();
    const store = deps.store;
    class Flaky extends SeizureStore {
      override async applyUpload(): Promise<never> {
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
    }
    const handler = createIngestHandler({ ...deps, store: new Flaky({ client: dyn.client(), tableName }) });
    const first = await upload('incoming/FR/flaky.csv', lineTooLarge(), 1);
    assert.equal((await handler(first, context)).batchItemFailures.length, 1);
    let sub = (await store.listSubmissions({ member: 'FR' })).find((s) => s.objectKey === 'incoming/FR/flaky.csv')!;
    assert.equal(sub.status, 'failed');
    assert.deepEqual(sub.feedback, {}, 'no feedback while retries remain');
    const last = { Records: [{ ...first.Records[0]!, attributes: { ApproximateReceiveCount: '3' } }] } as unknown as SQSEvent;
    assert.equal((await handler(last, context)).batchItemFailures.length, 1, 'still a failure: the DLQ (and its alarm) get it');
    sub = (await store.listSubmissions({ member: 'FR' })).find((s) => s.objectKey === 'incoming/FR/flaky.csv')!;
    assert.equal(sub.feedback.json, 'feedback/FR/flaky.csv.report.json');
    const report = JSON.parse(await getText(sub.feedback.json!));
    assert.equal(report.errors[0].code, 'processing-failed');
  });
});

describe('property: a file that validates with exit 0 or 1 ingests without error', () => {
  const HEADER = 'Reporting Member,Case reference,Line,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';
  const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  // Case references from a small alphabet, so that repeats, Unicode forms, spaces and key characters meet often.
  const caseRef = fc
    .array(fc.constantFrom('A', 'b', '\u00e9', 'e\u0301', ' ', '#', '/', '\u00a0', '\u{1F600}', '1', '\u212b', 'A\u030a'), {
      minLength: 1,
      maxLength: 6,
    })
    .map((a) => a.join(''));
  const lineNo = fc.oneof(
    fc.constant(''),
    fc.constantFrom('0', '1', '2', '3', '999999', '1000000', '1.5', '-1', '01'),
    fc.integer({ min: 1, max: 2_000_000 }).map(String),
  );
  const row = fc.record({
    member: fc.constantFrom('FR', 'FR', 'FR', 'fr', 'DE'),
    caseRef,
    lineNo,
    qty: fc.constantFrom('1', '10', '0', '2.5', '1 000'),
  });
  const file = fc.array(row, { minLength: 1, maxLength: 12 });

  test('validated records store without error, and the feedback workbook writes', async () => {
    const { store } = await world();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, async (rows) => {
        const text =
          [
            HEADER,
            ...rows.map((r) =>
              [
                r.member,
                quote(r.caseRef),
                r.lineNo,
                '2021-06-15',
                'Medicines',
                'Ivermectin',
                quote(r.qty),
                'Pieces',
                'Air cargo',
                'Falsified',
              ].join(','),
            ),
          ].join('\n') + '\n';
        const source = bufferByteSource(`p${n}.csv`, Buffer.from(text));
        const records: SeizureRecord[] = [];
        const report = await validateSpreadsheet(source, {
          config,
          member: 'FR',
          today: '2026-11-28',
          onRecord: (r) => void records.push(r),
        });
        const code = exitCodeOf(report);
        if (code === 2) return;
        n++;
        await store.applyUpload(
          {
            member: 'FR',
            objectKey: `incoming/FR/p${n}.csv`,
            versionId: 'v',
            orderToken: `2026-11-28T12:00:00.000Z#${String(n).padStart(32, '0')}`,
          },
          records,
        );
        const sink = new Writable({ write: (_c, _e, done) => done() });
        await writeFeedbackWorkbook(source, report, sink);
      }),
      { numRuns: 60, seed: 10 },
    );
    assert.ok(n > 20, `${n} files validated with exit 0 or 1`);
  });

  test('through the whole ingest (S3, handler, store, record, feedback), as CSV or xlsx: stored as validated, never failed', async () => {
    const { handler, store } = await world();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom('csv', 'xlsx'), async (rows, format) => {
        const cells = rows.map((r) => {
          const row = dataRow(r.member, r.caseRef, null);
          row[2] = /^\d+$/.test(r.lineNo) ? Number(r.lineNo) : r.lineNo === '' ? null : r.lineNo;
          row[6] = /^\d+$/.test(r.qty) ? Number(r.qty) : r.qty;
          return row;
        });
        const body =
          format === 'csv'
            ? Buffer.from(
                `${[TEMPLATE_HEADER, ...cells].map((c) => c.map((v) => quote(v === null ? '' : String(v))).join(',')).join('\n')}\n`,
              )
            : workbook([TEMPLATE_HEADER, ...cells].map((c, i) => rowXml(i + 1, c)).join(''));
        const records: SeizureRecord[] = [];
        const report = await validateSpreadsheet(bufferByteSource(`w.${format}`, body), {
          config,
          member: 'FR',
          today: '2026-11-28',
          onRecord: (r) => void records.push(r),
        });
        if (exitCodeOf(report) === 2) return;
        const key = `incoming/FR/w${++n}.${format}`;
        const res = await handler(await upload(key, body), context);
        assert.deepEqual(res, { batchItemFailures: [] }, key);
        const sub = (await store.listSubmissions({ member: 'FR' })).find((x) => x.objectKey === key)!;
        assert.ok(
          sub.status === 'accepted' || sub.status === 'accepted_with_errors',
          `${key}: ${sub.status} ${sub.failure?.message ?? ''}`,
        );
        assert.equal(sub.rows.valid, report.stats.validRows, key);
        assert.equal(sub.stored.written, records.length, key);
        assert.ok(sub.feedback.json && sub.feedback.xlsx, key);
      }),
      { numRuns: 30, seed: 11 },
    );
    assert.ok(n > 10, `${n} files went through the ingest`);
  });
});
