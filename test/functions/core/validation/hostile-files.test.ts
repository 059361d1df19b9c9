/**
 * Issue 10: hostile files, each made by test/fixtures/hostile/make-hostile.ts, read with bounded work. Time is not
 * asserted here (benchmarks show it: `npm run bench -- hostile`); work is, through what the readers count and keep.
 */
import { describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { writeFeedbackWorkbook } from '../../../../functions/core/ingest/feedback.ts';
import { compoundFileNames, detectFormat, MAX_DIRECTORY_SECTORS } from '../../../../functions/core/sheet/open.ts';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { openXlsx } from '../../../../functions/core/sheet/xlsx.ts';
import type { ByteSource } from '../../../../functions/core/sheet/types.ts';
import { exitCodeOf, validateSpreadsheet, validateWorkbook, type ValidateOptions } from '../../../../functions/core/validation/validate.ts';
import { openSpreadsheet } from '../../../../functions/core/sheet/open.ts';
import { COLUMN_MARGIN } from '../../../../functions/core/validation/header.ts';
import {
  ALL,
  blankRowsReversed,
  dataRow,
  farRightCell,
  HEADER,
  hugeField,
  longSheetName,
  ole2LongDirectory,
  ole2Loop,
  rowBeyond,
  rowsOutOfOrder,
  rowXml,
  unusedSharedStrings,
  workbook,
} from '../../../fixtures/hostile/make-hostile.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import type { Lang } from '../../../../functions/core/operation/config.ts';
import { MAX_ECHO_CHARS } from '../../../../functions/core/validation/report.ts';

vi.setConfig({ testTimeout: 60_000 });
const config = loadOperationConfig();

/** `buf` validated for FR on 2026-11-28, with `opts` besides. */
const check = (name: string, buf: Buffer, opts: Partial<ValidateOptions> = {}) =>
  validateSpreadsheet(bufferByteSource(name, buf), { config, member: 'FR', today: '2026-11-28', ...opts });

/** A ByteSource that counts the bytes it serves and the reads (over S3, ranged GETs) that serve them. */
function counting(src: ByteSource): ByteSource & { served: number; reads: number } {
  const out = {
    name: src.name,
    size: src.size,
    served: 0,
    reads: 0,
    createReadStream(start: number, end: number) {
      out.served += end - start;
      out.reads++;
      return src.createReadStream(start, end);
    },
  };
  return out;
}

describe('a cell far to the right (column XFD) in every row', () => {
  test('validation keeps only the header columns and a margin, and says once that the rest was ignored', async () => {
    const buf = farRightCell(500);
    const report = await validateSpreadsheet(bufferByteSource('far.xlsx', buf), {
      config,
      member: 'FR',
      today: '2026-11-28',
      onRecord: () => undefined,
    });
    assert.equal(report.stats.validRows, 500);
    assert.equal(report.warnings.length, 1);
    const [w] = report.warnings;
    assert.equal(w!.type, 'ignored-cells');
    assert.equal(w!.code, 'ignored-cells');
    // template columns A..J, then a margin of 32: the first column ignored is the 43rd, AQ
    assert.match(w!.message, /^500 cells from column AQ onwards were ignored/);
    assert.equal(w!.column, 'AQ');
    assert.equal(report.stats.warnings, 1);
  });

  test('rows the reader yields once the window narrows hold no cell past it (no padding to XFD)', async () => {
    const wb = await openXlsx(bufferByteSource('far.xlsx', farRightCell(2_000)));
    const window = { limit: 16_384, ignored: 0 };
    let wide = 0;
    let n = 0;
    for await (const sheet of wb.sheets()) {
      for await (const row of sheet.rows({ columns: window })) {
        if (n++ === 0) window.limit = 10 + COLUMN_MARGIN;
        else if (row.cells.length > window.limit) wide++;
      }
    }
    await wb.close();
    // Only rows already scanned in the chunk of text that held the header (64 KiB: ~130 rows) were read whole.
    assert.ok(wide < 200, `${wide} rows read past the window`);
    assert.equal(window.ignored + wide, 2_000);
  });

  test('the feedback copy leaves the far cells out and stays small', async () => {
    const source = bufferByteSource('far.xlsx', farRightCell(500));
    const report = await validateSpreadsheet(source, { config, member: 'FR', today: '2026-11-28' });
    let bytes = 0;
    const sink = new Writable({
      write: (c: Buffer, _e, done) => {
        bytes += c.length;
        done();
      },
    });
    await writeFeedbackWorkbook(source, report, sink);
    assert.ok(bytes < 100_000, `${bytes} bytes`);
  });
});

describe('OLE2 containers walked with bounds', () => {
  test('a directory chain that points back to itself is a corrupt file, found at once', async () => {
    const src = counting(bufferByteSource('loop.xls', ole2Loop()));
    await assert.rejects(compoundFileNames(src), /loops/);
    assert.ok(src.served < 10 * 1024, `${src.served} bytes read`);
    const report = await validateSpreadsheet(bufferByteSource('loop.xls', ole2Loop()), { config, member: 'FR' });
    assert.equal(report.errors[0]!.type, 'source-error');
  });

  test('header counts beyond the sectors the file has are refused before any chain is walked', async () => {
    const src = counting(bufferByteSource('huge.xls', ole2Loop(true)));
    await assert.rejects(compoundFileNames(src), /claims 2147483647 FAT/);
    // The header's block, no more (the file is smaller than one block).
    assert.equal(src.reads, 1);
    assert.ok(src.served <= ole2Loop(true).length, `${src.served} bytes read`);
    await assert.rejects(
      detectFormat(bufferByteSource('huge.xls', ole2Loop(true))),
      (e: Error & { type?: string }) => e.type === 'source-error',
    );
  });
});

describe('an OLE2 directory chain through every sector (7 MB, 13,900 sectors)', () => {
  test('is read through 64 KiB blocks: a handful of reads where there was one per sector', async () => {
    const src = counting(bufferByteSource('long.xls', ole2LongDirectory(13_900)));
    await assert.rejects(
      detectFormat(src),
      (e: Error & { type?: string; reason?: string; params?: Record<string, unknown> }) =>
        e.type === 'source-error' && e.reason === 'corrupt' && e.params?.detected === 'ole2',
    );
    assert.ok(src.reads <= 4, `${src.reads} reads`);
  });

  test(`stops after ${MAX_DIRECTORY_SECTORS} directory sectors, each one block apart: one read a sector at most`, async () => {
    const src = counting(bufferByteSource('long.xls', ole2LongDirectory(13_900, 128)));
    await assert.rejects(compoundFileNames(src), new RegExp(`longer than ${MAX_DIRECTORY_SECTORS} sectors`));
    assert.ok(src.reads <= MAX_DIRECTORY_SECTORS + 2, `${src.reads} reads`);
    const report = await validateSpreadsheet(bufferByteSource('long.xls', ole2LongDirectory(13_900, 128)), {
      config,
      member: 'FR',
      lang: 'en',
    });
    assert.equal(report.errors[0]!.type, 'source-error');
    assert.equal(report.errors[0]!.params?.reason, 'corrupt');
    assert.match(report.errors[0]!.message, /damaged or incomplete/);
  });
});

describe('amplification', () => {
  test('shared strings beyond the cap (count) end in a size-error naming the reason, not a heap of unused strings', async () => {
    const report = await validateSpreadsheet(bufferByteSource('sst.xlsx', unusedSharedStrings(5_000)), {
      config,
      member: 'FR',
      lang: 'en',
      limits: { maxSharedStrings: 1_000 },
    });
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0]!.type, 'size-error');
    assert.match(report.errors[0]!.message, /more text than a seizure report needs \(over 1000 distinct texts\)/);
  });

  test('shared strings beyond the cap (characters) too; under both caps the file is read', async () => {
    const over = await validateSpreadsheet(bufferByteSource('sst.xlsx', unusedSharedStrings(5_000)), {
      config,
      member: 'FR',
      limits: { maxSharedStringChars: 10_000 },
    });
    assert.equal(over.errors[0]!.type, 'size-error');
    const under = await validateSpreadsheet(bufferByteSource('sst.xlsx', unusedSharedStrings(5_000)), {
      config,
      member: 'FR',
      today: '2026-11-28',
    });
    assert.equal(under.stats.validRows, 1);
  });

  test('a field of a million characters is echoed in at most 200 characters, in the cell and in the message', async () => {
    const report = await validateSpreadsheet(bufferByteSource('huge.csv', hugeField(1_000_000)), {
      config,
      member: 'FR',
      today: '2026-11-28',
    });
    assert.equal(report.stats.invalidRows, 1);
    const e = report.errors[0]!;
    assert.equal(e.fieldName, 'product');
    assert.equal(e.cell!.length, MAX_ECHO_CHARS);
    assert.ok(e.cell!.endsWith('…'));
    assert.ok(e.message.length < 2_000, `message of ${e.message.length} characters`);
    assert.ok(JSON.stringify(report).length < 5_000);
  });

  test('the per-file work budget ends in a clear size-error (over-budget), never a timeout', async () => {
    const report = await validateSpreadsheet(bufferByteSource('slow.xlsx', farRightCell(2_100, false)), {
      config,
      member: 'FR',
      today: '2026-11-28',
      limits: { maxSeconds: 0 },
    });
    assert.equal(report.errors.at(-1)!.type, 'size-error');
    assert.match(report.errors.at(-1)!.message, /more work to check than one upload may \(stopped after row 1025\)/);
    // the 1,024th row read is where the budget is checked, before that row is counted
    assert.equal(report.stats.rows, 1_023);
  });

  test('blank rows count in the budget: a sheet of blank rows is stopped by it too', async () => {
    const report = await check('blank.xlsx', blankRowsReversed(3_000), { limits: { maxSeconds: 0 } });
    assert.equal(report.errors.at(-1)!.type, 'size-error');
    assert.match(report.errors.at(-1)!.message, /more work to check than one upload may/);
    assert.equal(report.stats.rows, 1);
  });
});

/** The feedback copy of `buf` (validated first), read back: its first sheet's name and row numbers. */
async function copyOf(
  name: string,
  buf: Buffer,
): Promise<{ sheet: string; rows: number[]; report: Awaited<ReturnType<typeof validateSpreadsheet>> }> {
  const source = bufferByteSource(name, buf);
  const report = await check(name, buf);
  return { ...(await copyRows(source, report)), report };
}

async function copyRows(
  source: ByteSource,
  report: Awaited<ReturnType<typeof validateSpreadsheet>>,
): Promise<{ sheet: string; rows: number[] }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, done) => {
      chunks.push(c);
      done();
    },
  });
  await writeFeedbackWorkbook(source, report, sink);
  const wb = await openXlsx(bufferByteSource('copy.xlsx', Buffer.concat(chunks)));
  try {
    for await (const sheet of wb.sheets()) {
      const rows: number[] = [];
      for await (const row of sheet.rows()) rows.push(row.rowNumber);
      return { sheet: sheet.name, rows };
    }
    throw new Error('no sheet');
  } finally {
    await wb.close();
  }
}

/** `buf` is rejected with the one error `[type, reason, row]`, worded as `said` in each language. */
async function rejectedSaying(buf: Buffer, error: [string, string, number], said: Record<Lang, RegExp>): Promise<void> {
  for (const [lang, text] of Object.entries(said) as Array<[Lang, RegExp]>) {
    const report = await check('odd.xlsx', buf, { lang });
    assert.equal(exitCodeOf(report), 2);
    assert.deepEqual(
      report.errors.map((e) => [e.type, e.params?.reason, e.params?.row]),
      [error],
    );
    assert.match(report.errors[0]!.message, text);
  }
}

describe('odd row numbers and sheet names', () => {
  test('a sheet name of 300,000 characters is echoed in at most 200: report, records, messages, the copy', async () => {
    const records: SeizureRecord[] = [];
    const report = await check('name.xlsx', longSheetName(300_000), { onRecord: (r) => void records.push(r) });
    assert.equal(report.stats.validRows, 1);
    assert.equal(report.sheet!.length, MAX_ECHO_CHARS);
    assert.ok(report.sheet!.endsWith('…'));
    assert.equal(records[0]!.source!.sheet.length, MAX_ECHO_CHARS);
    assert.ok(JSON.stringify(report).length < 5_000, `report of ${JSON.stringify(report).length} characters`);
    const empty = await check('name.xlsx', longSheetName(300_000, false));
    assert.equal(empty.errors[0]!.code, 'no-rows');
    assert.ok(empty.errors[0]!.message.length < 400, `message of ${empty.errors[0]!.message.length} characters`);
    assert.ok(JSON.stringify(empty).length < 5_000);
    // the copy still finds the sheet by its echoed name
    const copy = await copyOf('name.xlsx', longSheetName(300_000));
    assert.deepEqual(copy.rows, [1, 2]);
    assert.equal(copy.sheet.length, 31);
  });

  test("a row past 1,048,576 (Excel's last row) rejects the file with a clear size-error, in en, fr and es", async () => {
    const said = {
      en: /^The sheet has a row numbered 1048577, past row 1048576, the last row a worksheet can have/,
      fr: /^La feuille a une ligne numérotée 1048577, au-delà de la ligne 1048576/,
      es: /^La hoja tiene una fila numerada 1048577, más allá de la fila 1048576/,
    };
    await rejectedSaying(rowBeyond(), ['size-error', 'row-beyond', 1_048_577], said);
    // row 1,048,576 itself is a row like any other
    assert.equal((await check('last.xlsx', rowBeyond(1_048_576))).stats.validRows, 2);
  });

  test('the feedback copy never holds a row past 1,048,576, even of a file changed since validation', async () => {
    const report = await check('beyond.xlsx', rowBeyond(1_048_576));
    assert.deepEqual((await copyRows(bufferByteSource('beyond.xlsx', rowBeyond()), report)).rows, [1, 2]);
  });

  test('a CSV is numbered by its lines: a record past line 1,048,576 is read, and left out of the copy only', async () => {
    const csv = `${HEADER.join(',')}\n${dataRow('FR', 'L', 1).join(',')}\n${'\n'.repeat(1_048_576)}${dataRow('FR', 'L', 2).join(',')}\n`;
    const copy = await copyOf('long.csv', Buffer.from(csv));
    assert.equal(copy.report.stats.validRows, 2);
    assert.equal(copy.report.errors.length, 0);
    assert.ok(Math.max(...copy.rows) <= 1_048_576, `row ${Math.max(...copy.rows)} in the copy`);
  });

  test('a row written twice rejects the file, says which row and to copy the sheet into a new workbook, in en, fr and es', async () => {
    // Refused, not "nothing stored" (seizures validate never stores); not "save it again" (the writer is faulty).
    const said = {
      en: /^The file cannot be read reliably: row 3 appears twice in the file \(the program that wrote it is faulty\), so the file is refused\. Copy the data sheet into a new workbook, save it and upload that\.$/,
      fr: /^Le fichier ne peut pas être lu de façon fiable : la ligne 3 figure deux fois dans le fichier \(le programme qui l'a écrit est défectueux\), il est donc refusé\. Copiez la feuille de données dans un nouveau classeur, enregistrez-le et envoyez celui-ci\.$/,
      es: /^El archivo no se puede leer de forma fiable: la fila 3 aparece dos veces en el archivo \(el programa que lo escribió es defectuoso\), por lo que se rechaza\. Copie la hoja de datos en un libro nuevo, guárdelo y envíe ese\.$/,
    };
    await rejectedSaying(rowsOutOfOrder(), ['source-error', 'row-twice', 3], said);
    // rows out of order but each once are read as before
    const once = await check('order.xlsx', rowsOutOfOrder(false));
    assert.equal(once.stats.validRows, 3);
    assert.equal(once.errors.length, 0);
  });

  test('blank rows out of order: the feedback copy (rows gathered and sorted) holds none of them', async () => {
    const copy = await copyOf('blank.xlsx', blankRowsReversed(5_000));
    assert.equal(copy.report.stats.blankRows, 4_998);
    assert.equal(copy.report.rowsUnordered, true);
    assert.deepEqual(copy.rows, [1, 2]);
  });

  test('the generated unused-shared-strings file is past the real cap of 2,000,000: a size-error', async () => {
    const report = await check('sst.xlsx', ALL['unused-shared-strings.xlsx']!(), { lang: 'en' });
    assert.equal(report.errors[0]!.type, 'size-error');
    assert.match(report.errors[0]!.message, /over 2000000 distinct texts/);
  });
});

test('an xlsx is opened once for validation and feedback: its shared strings are not read a second time', async () => {
  const buf = unusedSharedStrings(50_000);
  const src = counting(bufferByteSource('sst.xlsx', buf));
  const wb = await openSpreadsheet(src);
  const report = await validateWorkbook(wb, 'sst.xlsx', { config, member: 'FR', today: '2026-11-28' });
  const afterValidation = src.served;
  assert.ok(afterValidation > buf.length / 2);
  const sink = new Writable({ write: (_c, _e, done) => done() });
  await writeFeedbackWorkbook(src, report, sink, { workbook: wb });
  await wb.close();
  assert.ok(src.served - afterValidation < buf.length / 4, `feedback read ${src.served - afterValidation} of ${buf.length} bytes`);
});

test('title rows with a cell in XFD above the header: the header is found, and the far cells are counted once', async () => {
  const far = (r: number) => `<c r="XFD${r}"><v>1</v></c>`;
  const rows = [
    rowXml(1, ['Seizures'], far(1)),
    rowXml(2, [], far(2)),
    rowXml(3, HEADER),
    rowXml(4, dataRow('FR', 'T', 1), far(4)),
    rowXml(5, dataRow('FR', 'T', 2)),
  ];
  const report = await validateSpreadsheet(bufferByteSource('titles.xlsx', workbook(rows.join(''))), {
    config,
    member: 'FR',
    today: '2026-11-28',
  });
  assert.equal(report.headerRow, 3);
  assert.equal(report.stats.validRows, 2);
  assert.deepEqual(
    report.warnings.map((w) => [w.code, w.message.slice(0, 12)]),
    [['ignored-cells', '3 cells from']],
  );
});
