/**
 * An upload is read from S3 once: validation, the sniffing of its first bytes and the feedback copy share one GET
 * (core/platform/s3.ts). A CSV used to be fetched again for the feedback copy, and every small read was a ranged GET.
 */
import '../../helpers/quiet.ts';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { headObject, s3ByteSource } from '../../../functions/core/platform/s3.ts';
import { readAll } from '../../../functions/core/sheet/blocks.ts';
import { BUCKET, context, startIngestWorld, type IngestWorld } from './world.ts';
import { dataRow, HEADER, workbook, rowXml } from '../../fixtures/hostile/make-hostile.ts';

let w: IngestWorld;
let s3: S3Client;

beforeAll(async () => {
  w = await startIngestWorld('s3-reads');
  ({ s3 } = w);
});
afterAll(async () => {
  await w.close();
});

/** The GetObject requests `s3` sends while `run` runs; with `failFirst`, the first of them fails. */
async function getsDuring(run: () => Promise<unknown>, failFirst = false): Promise<number> {
  let gets = 0;
  const name = 'count-get-object';
  s3.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === 'GetObjectCommand' && ++gets === 1 && failFirst) throw new Error('S3 is slow today');
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await run();
  } finally {
    s3.middlewareStack.remove(name);
  }
  return gets;
}

test('a CSV upload with errors is fetched once, for validation and for its annotated copy', async () => {
  const { handler, store } = await w.world();
  const rows = [HEADER, dataRow('FR', 'A', 1), dataRow('FR', 'A', 2, -5)].map((r) => r.join(','));
  const ev = await w.upload('incoming/FR/once.csv', `${rows.join('\n')}\n`);
  assert.equal(await getsDuring(() => handler(ev, context)), 1);
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'accepted_with_errors');
  // The copy holds the Member's rows: it was written from the one read.
  const wb = await w.getWorkbook('feedback/FR/once.csv.report.xlsx');
  const copy = wb.worksheets[0]!;
  assert.equal(copy.getCell('B3').value, 'A');
  assert.equal(copy.getCell('G3').value, '-5');
});

test('an xlsx upload is fetched once too', async () => {
  const { handler, store } = await w.world();
  const ev = await w.upload('incoming/FR/once.xlsx', workbook(rowXml(1, HEADER) + rowXml(2, dataRow('FR', 'X', 1))));
  assert.equal(await getsDuring(() => handler(ev, context)), 1);
  const [sub] = await store.listSubmissions({ member: 'FR' });
  assert.equal(sub!.status, 'accepted');
  assert.ok((await w.getWorkbook('feedback/FR/once.xlsx.report.xlsx')) instanceof ExcelJS.Workbook);
});

test('a GET that failed is asked again by the next read, not remembered; a larger object is read by ranges', async () => {
  const key = 'incoming/FR/bytes.bin';
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('0123456789') }));
  const head = await headObject(s3, BUCKET, key);
  const whole = s3ByteSource(s3, BUCKET, key, head);
  const gets = await getsDuring(async () => {
    await assert.rejects(readAll(whole, 0, 4), /S3 is slow today/);
    assert.equal((await readAll(whole, 0, 4)).toString(), '0123');
    assert.equal((await readAll(whole, 6, 10)).toString(), '6789');
  }, true);
  assert.equal(gets, 2);
  const ranged = s3ByteSource(s3, BUCKET, key, head, 'bytes.bin', 5);
  assert.equal(
    await getsDuring(async () => {
      assert.equal((await readAll(ranged, 2, 5)).toString(), '234');
      assert.equal((await readAll(ranged, 8, 10)).toString(), '89');
    }),
    2,
  );
});
