import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import type { Cell } from '../../../../functions/core/sheet/types.ts';
import { openXlsx } from '../../../../functions/core/sheet/xlsx.ts';
import { columnIndex, columnLetter } from '../../../../functions/core/sheet/columns.ts';
import { XlsxWriter, type RowSink, type SheetOptions } from '../../../../functions/core/sheet/xlsx-writer.ts';

async function workbook(
  sheets: Array<[SheetOptions, (rows: RowSink) => Promise<void>]>,
  out: Writable = new PassThrough(),
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (out instanceof PassThrough) out.on('data', (c: Buffer) => chunks.push(c));
  const w = new XlsxWriter(out);
  for (const [opts, fill] of sheets) await w.sheet(opts, fill);
  await w.close();
  return Buffer.concat(chunks);
}

async function readBack(buf: Buffer): Promise<Array<{ name: string; rows: Array<{ rowNumber: number; cells: Array<Cell | undefined> }> }>> {
  const wb = await openXlsx(bufferByteSource('w.xlsx', buf));
  const out = [];
  try {
    for await (const s of wb.sheets()) {
      const rows = [];
      for await (const r of s.rows()) rows.push({ rowNumber: r.rowNumber, cells: [...r.cells] });
      out.push({ name: s.name, rows });
    }
  } finally {
    await wb.close();
  }
  return out;
}

const trimEnd = <T>(cells: T[]): T[] => {
  const out = [...cells];
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
};

test('column letters run A..Z, AA..ZZ, AAA, and back', () => {
  const indexes = [0, 25, 26, 51, 52, 701, 702, 16383];
  assert.deepEqual(indexes.map(columnLetter), ['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA', 'XFD']);
  assert.deepEqual(indexes.map(columnLetter).map(columnIndex), indexes);
});

test('any text, number, boolean and date cells read back exactly, with our reader and with exceljs', async () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'é', '東', '😀', '&', '<', '>', '"', "'", ' ', '\n', '\t', '=', '+', '@', '-') });
  const cell = fc.oneof(
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.integer({ min: Date.UTC(1900, 2, 1), max: Date.UTC(2099, 11, 31) }).map((t) => new Date(Math.floor(t / 86_400_000) * 86_400_000)),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }), async (rows) => {
      const buf = await workbook([
        [
          { name: 'Data' },
          async (sink) => {
            for (let i = 0; i < rows.length; i++) await sink.row(i + 1, rows[i]!);
          },
        ],
      ]);
      const [sheet] = await readBack(buf);
      assert.equal(sheet!.name, 'Data');
      // Empty text is written as a blank cell; -0 as 0. Rows of blanks only are not rows.
      const expected = rows
        .map((r, i) => ({
          rowNumber: i + 1,
          cells: r.map((v) => (v === '' ? undefined : typeof v === 'number' && Object.is(v, -0) ? 0 : v)),
        }))
        .filter((r) => r.cells.some((v) => v !== undefined));
      assert.deepEqual(
        sheet!.rows.map((r) => ({ rowNumber: r.rowNumber, cells: r.cells.map((c) => c?.v) })),
        expected.map((r) => ({ rowNumber: r.rowNumber, cells: trimEnd(r.cells) })),
      );
      const x = new ExcelJS.Workbook();
      await x.xlsx.load(buf as unknown as ExcelJS.Buffer);
      const ws = x.worksheets[0]!;
      rows.forEach((r, i) =>
        r.forEach((v, j) => {
          const got = ws.getCell(i + 1, j + 1).value;
          if (v === '') assert.equal(got, null);
          else if (v instanceof Date) assert.equal((got as Date).getTime(), v.getTime());
          else if (typeof v === 'number') assert.equal(got, Object.is(v, -0) ? 0 : v);
          else assert.equal(got, v);
        }),
      );
    }),
    { numRuns: 60 },
  );
});

test('text that looks like a formula stays text; control characters XML cannot carry are dropped', async () => {
  const buf = await workbook([[{ name: 'S' }, (s) => s.row(1, ['=SUM(A1)', 'a\u0001b\u001fc'])]]);
  const x = new ExcelJS.Workbook();
  await x.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const ws = x.worksheets[0]!;
  assert.equal(ws.getCell('A1').type, ExcelJS.ValueType.String);
  assert.equal(ws.getCell('A1').formula, undefined);
  assert.equal(ws.getCell('B1').value, 'abc');
});

test('styles, notes, frozen rows, widths and error cells are what spreadsheet programs read', async () => {
  const notes = new Map([
    ['B2', 'Unknown product\nsecond line'],
    ['C2', 'must be > 0'],
  ]);
  const buf = await workbook([
    [
      { name: 'week [1]: checked/all?', frozenRows: 1, widths: [12, 30], notes },
      async (s) => {
        await s.row(1, ['Member', 'Product', 'Quantity'], () => 'head');
        await s.row(2, ['FR', 'Aspirin', -3, new Date(Date.UTC(2021, 5, 15)), { error: '#N/A' }], (c) =>
          c === 1 || c === 2 ? 'bad' : 'normal',
        );
        await s.row(5, ['FR']);
      },
    ],
    [{ name: 'Errors' }, (s) => s.row(1, ['Row'])],
  ]);
  const x = new ExcelJS.Workbook();
  await x.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const ws = x.worksheets[0]!;
  assert.deepEqual(
    x.worksheets.map((w) => w.name),
    ['week _1__ checked_all_', 'Errors'],
  );
  assert.equal(ws.getCell('A1').font?.bold, true);
  assert.equal((ws.getCell('B2').fill as ExcelJS.FillPattern).fgColor?.argb, 'FFFFC7CE');
  assert.equal(ws.getCell('B2').font?.color?.argb, 'FF9C0006');
  assert.equal(ws.getCell('A2').fill?.type === 'pattern' && (ws.getCell('A2').fill as ExcelJS.FillPattern).pattern !== 'none', false);
  assert.equal(ws.getCell('B2').note, 'Unknown product\nsecond line');
  assert.equal(ws.getCell('C2').note, 'must be > 0');
  assert.equal(ws.getCell('D2').numFmt, 'yyyy-mm-dd');
  assert.deepEqual(ws.getCell('E2').value, { error: '#N/A' });
  assert.equal(ws.views[0]?.state, 'frozen');
  assert.equal((ws.views[0] as { ySplit?: number }).ySplit, 1);
  assert.equal(ws.getColumn(2).width, 30);
  assert.equal(ws.getRow(5).getCell(1).value, 'FR');
});

test('rows must come in increasing order', async () => {
  await assert.rejects(
    workbook([
      [
        { name: 'S' },
        async (s) => {
          await s.row(2, ['a']);
          await s.row(2, ['b']);
        },
      ],
    ]),
    RangeError,
  );
});

test('a slow destination gets the whole workbook (backpressure is waited for, nothing is dropped)', async () => {
  const chunks: Buffer[] = [];
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setImmediate(cb);
    },
  });
  await workbook(
    [
      [
        { name: 'S' },
        async (s) => {
          for (let i = 1; i <= 5000; i++) await s.row(i, [`row ${i}`, i, 'x'.repeat(1 + (i % 50))]);
        },
      ],
    ],
    slow,
  );
  const [sheet] = await readBack(Buffer.concat(chunks));
  assert.equal(sheet!.rows.length, 5000);
  assert.deepEqual(
    sheet!.rows[4999]!.cells.map((c) => c?.v),
    ['row 5000', 5000, 'x'],
  );
});

test('every part is well-formed XML, and every part a relationship or content type names is in the archive', async () => {
  const notes = new Map([['A1', 'a <note> & "quotes"']]);
  const buf = await workbook([
    [{ name: 'Data & <more>', frozenRows: 1, widths: [10], notes }, (s) => s.row(1, ['x'], () => 'bad')],
    [{ name: 'Errors' }, (s) => s.row(1, ['y'])],
  ]);
  const z = await yauzl.fromBufferPromise(buf);
  const parts = new Map<string, string>();
  for await (const e of z.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await z.openReadStreamPromise(e)) chunks.push(c as Buffer);
    parts.set(e.fileName, Buffer.concat(chunks).toString('utf8'));
  }
  z.close();
  const targets: string[] = [];
  for (const [name, xml] of parts) {
    const p = new SaxesParser({ xmlns: false });
    p.on('opentag', (tag) => {
      const a = tag.attributes as Record<string, string>;
      if (tag.name === 'Relationship') targets.push(posix.join(posix.dirname(posix.dirname(name)), a['Target']!));
      if (tag.name === 'Override') targets.push(a['PartName']!.slice(1));
    });
    assert.doesNotThrow(() => p.write(xml).close(), name);
  }
  for (const t of targets) assert.ok(parts.has(t), `${t} is named but missing`);
  assert.ok(parts.has('xl/drawings/vmlDrawing1.vml') && !parts.has('xl/comments2.xml'));
});

// Skipped where ssconvert (Debian package gnumeric) is not installed.
test.skipIf(spawnSync('ssconvert', ['--version']).error !== undefined)(
  'Gnumeric reads the workbook: both sheets, the values, the note (skipped when ssconvert is not installed)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xlsx-writer-'));
    try {
      const file = join(dir, 'w.xlsx');
      await writeFile(
        file,
        await workbook([
          [
            { name: 'Data', notes: new Map([['B1', 'a note']]) },
            (s) => s.row(1, ['é & <b>', 12.5, new Date(Date.UTC(2021, 5, 15))], (c) => (c === 1 ? 'bad' : 'normal')),
          ],
          [{ name: 'Errors' }, (s) => s.row(1, ['Row'], () => 'head')],
        ]),
      );
      const r = spawnSync('ssconvert', ['--export-file-per-sheet', file, join(dir, 'out.csv')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match((await readFile(join(dir, 'out.csv.0'), 'utf8')).trim(), /^"é & <b>",12.5,2021[-/]06[-/]15$/); // a date cell, in its date format
      assert.equal((await readFile(join(dir, 'out.csv.1'), 'utf8')).trim(), 'Row');
      assert.match(r.stderr, /Note/); // its CSV exporter reports the note it read and cannot export
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
