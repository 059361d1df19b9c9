import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compoundFileNames, detectFormat, extensionOf, openSpreadsheet, zipEntryNames } from '../../../../functions/core/sheet/open.ts';
import { bufferByteSource, fileByteSource } from '../../../../functions/core/sheet/source.ts';
import { SpreadsheetError, type ByteSource, type Workbook } from '../../../../functions/core/sheet/types.ts';

const path = (name: string): string => fileURLToPath(new URL(`../../../fixtures/bad/${name}`, import.meta.url));
const fixture = (name: string): Promise<ByteSource> => fileByteSource(path(name));
/** A fixture's bytes under another name. */
const renamed = (name: string, as: string): ByteSource => bufferByteSource(as, readFileSync(path(name)));

const isError = (type: string, reason: string, params?: Record<string, unknown>) => (e: unknown) => {
  assert.ok(e instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(e)}`);
  assert.equal(e.type, type, `type (${e.reason}: ${e.message})`);
  assert.equal(e.reason, reason, `reason (${e.message})`);
  for (const [k, v] of Object.entries(params ?? {})) assert.equal(e.params[k], v, `params.${k}`);
  return true;
};

/** Every cell of every sheet, as text. */
async function cells(wb: Workbook): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const sheet of wb.sheets()) {
      for await (const row of sheet.rows()) for (const c of row.cells) if (c) out.push(String(c.v));
    }
  } finally {
    await wb.close();
  }
  return out;
}

// --- size and emptiness -------------------------------------------------------------------------------------------

test('an empty file is a source error', async () => {
  await assert.rejects(openSpreadsheet(await fixture('empty.xlsx')), isError('source-error', 'empty', { extension: 'xlsx' }));
});

test('a file larger than maxFileBytes is a size error with its size and the limit, before anything is read', async () => {
  const src: ByteSource = {
    name: 'huge.xlsx',
    size: 30 * 1024 * 1024,
    createReadStream: () => assert.fail('nothing should be read'),
  };
  await assert.rejects(openSpreadsheet(src), isError('size-error', 'too-large', { size: 30 * 1024 * 1024, max: 25 * 1024 * 1024 }));
  await assert.rejects(
    openSpreadsheet(bufferByteSource('a.csv', Buffer.from('a,b\n1,2\n')), { maxFileBytes: 4 }),
    isError('size-error', 'too-large', { size: 8, max: 4 }),
  );
});

// --- zips ---------------------------------------------------------------------------------------------------------

test('an xlsx named .csv is read as a workbook: the bytes decide, not the name', async () => {
  const wb = await openSpreadsheet(await fixture('xlsx-named.csv'));
  assert.equal(wb.format, 'xlsx');
  assert.ok((await cells(wb)).includes('FR-2021-0001'));
});

test('a workbook cut in half (no central directory) is a damaged file, reported by the xlsx reader', async () => {
  assert.equal(await zipEntryNames(await fixture('truncated.xlsx')), undefined);
  assert.deepEqual(await detectFormat(await fixture('truncated.xlsx')), { open: 'xlsx', extension: 'xlsx', detected: 'zip' });
  await assert.rejects(openSpreadsheet(await fixture('truncated.xlsx')), isError('source-error', 'corrupt'));
});

test('a workbook whose sheet inflates to more than 200 MiB is refused as a zip bomb from its directory', async () => {
  await assert.rejects(openSpreadsheet(await fixture('bomb-size.xlsx')), isError('size-error', 'zip-bomb', { measured: 'declared' }));
});

test('a workbook whose directory understates the sheet size is stopped as a zip bomb while inflating', async () => {
  let wb: Workbook | undefined;
  await assert.rejects(
    async () => {
      wb = await openSpreadsheet(await fixture('bomb-lying.xlsx'));
      await cells(wb);
    },
    isError('size-error', 'zip-bomb', { measured: 'inflated' }),
  );
  await wb?.close();
});

test('an .xlsm is refused as a workbook with macros', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('macros.xlsm')),
    isError('format-error', 'xlsm', { extension: 'xlsm', detected: 'xlsm' }),
  );
});

test('a workbook carrying xl/vbaProject.bin is refused as .xlsm even when named .xlsx', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('macros-named.xlsx')),
    isError('format-error', 'xlsm', { extension: 'xlsx', detected: 'xlsm' }),
  );
});

test('a workbook named .xlsm is refused even without macros (the name says macro-enabled)', async () => {
  await assert.rejects(openSpreadsheet(renamed('xlsx-named.csv', 'seizures.xlsm')), isError('format-error', 'xlsm', { extension: 'xlsm' }));
});

test('an OpenDocument spreadsheet is refused as .ods', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('opendocument.ods')),
    isError('format-error', 'ods', { extension: 'ods', detected: 'ods' }),
  );
});

test('an .ods renamed .xlsx is still refused as .ods', async () => {
  await assert.rejects(
    openSpreadsheet(renamed('opendocument.ods', 'seizures.xlsx')),
    isError('format-error', 'ods', { extension: 'xlsx', detected: 'ods' }),
  );
});

test('a workbook sent inside a zip is an unsupported format', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('zipped.zip')),
    isError('format-error', 'unsupported', { extension: 'zip', detected: 'zip' }),
  );
});

test('an empty zip is an unsupported format', async () => {
  const empty = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
  await assert.rejects(openSpreadsheet(bufferByteSource('x.xlsx', empty)), isError('format-error', 'unsupported', { detected: 'zip' }));
});

test('zip entry names are read from the central directory', async () => {
  const names = await zipEntryNames(await fixture('macros.xlsm'));
  assert.ok(names?.has('xl/workbook.xml'));
  assert.ok(names?.has('xl/vbaproject.bin'));
});

// --- OLE2 compound files ------------------------------------------------------------------------------------------

test('a password-protected workbook (OLE2 with EncryptionInfo) is a source error, not an .xls', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('encrypted.xlsx')),
    isError('source-error', 'encrypted', { extension: 'xlsx', detected: 'encrypted-ooxml' }),
  );
});

test('the encrypted fixture holds the streams Excel writes', async () => {
  const names = await compoundFileNames(await fixture('encrypted.xlsx'));
  assert.ok(names.has('EncryptionInfo'));
  assert.ok(names.has('EncryptedPackage'));
});

test('an Excel 97-2003 workbook is refused as .xls', async () => {
  await assert.rejects(openSpreadsheet(await fixture('legacy.xls')), isError('format-error', 'xls', { extension: 'xls', detected: 'xls' }));
});

test('an .xls renamed .xlsx is still refused as .xls', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('legacy-named.xlsx')),
    isError('format-error', 'xls', { extension: 'xlsx', detected: 'xls' }),
  );
});

test('a compound file whose directory cannot be read is a damaged file', async () => {
  const head = readFileSync(path('legacy.xls')).subarray(0, 600);
  await assert.rejects(openSpreadsheet(bufferByteSource('cut.xls', head)), isError('source-error', 'corrupt', { detected: 'ole2' }));
});

// --- other binaries -----------------------------------------------------------------------------------------------

test('a PDF named .xlsx is refused as a PDF', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('pdf-named.xlsx')),
    isError('format-error', 'pdf', { extension: 'xlsx', detected: 'pdf' }),
  );
});

test('an image is an unsupported format named by what it is', async () => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
  await assert.rejects(
    openSpreadsheet(bufferByteSource('scan.xlsx', png)),
    isError('format-error', 'unsupported', { extension: 'xlsx', detected: 'png' }),
  );
});

test('unknown binary content named .csv is an unsupported format, not read as text', async () => {
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  await assert.rejects(
    openSpreadsheet(bufferByteSource('data.csv', junk)),
    isError('format-error', 'unsupported', { extension: 'csv', detected: 'binary' }),
  );
});

// --- text ---------------------------------------------------------------------------------------------------------

test('a CSV fixture opens as CSV', async () => {
  const wb = await openSpreadsheet(await fixture('windows-1252.csv'));
  assert.equal(wb.format, 'csv');
  assert.ok((await cells(wb)).includes('Jeringas estériles'));
});

test('text named .txt or .tsv opens as CSV', async () => {
  assert.equal((await detectFormat(await fixture('unicode-text.txt'))).open, 'csv');
  assert.equal((await detectFormat(await fixture('tab-separated.tsv'))).open, 'csv');
});

test('a CSV named .xlsx is refused as misnamed text (the Member believes it is a workbook)', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('csv-named.xlsx')),
    isError('format-error', 'misnamed-text', { extension: 'xlsx', detected: 'csv' }),
  );
});

test('an HTML table named .xls ("export to Excel") is refused as misnamed text', async () => {
  await assert.rejects(
    openSpreadsheet(await fixture('html-named.xls')),
    isError('format-error', 'misnamed-text', { extension: 'xls', detected: 'html' }),
  );
});

test('text without an extension is refused as misnamed text', async () => {
  await assert.rejects(
    openSpreadsheet(bufferByteSource('seizures', Buffer.from('a,b\n1,2\n'))),
    isError('format-error', 'misnamed-text', { extension: '' }),
  );
});

test('an HTML page named .csv is not read as CSV', async () => {
  await assert.rejects(
    openSpreadsheet(renamed('html-named.xls', 'seizures.csv')),
    isError('format-error', 'unsupported', { extension: 'csv', detected: 'html' }),
  );
});

test('Excel 2003 XML (SpreadsheetML) is recognised', async () => {
  const xml =
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>\n';
  await assert.rejects(
    openSpreadsheet(bufferByteSource('s.xls', Buffer.from(xml))),
    isError('format-error', 'misnamed-text', { extension: 'xls', detected: 'spreadsheetml' }),
  );
});

test('UTF-16 text without a byte order mark named .csv is an encoding error', async () => {
  const buf = Buffer.from('Case,Qty\r\nFR-1,2\r\n', 'utf16le');
  await assert.rejects(
    openSpreadsheet(bufferByteSource('u.csv', buf)),
    isError('encoding-error', 'utf16-without-bom', { extension: 'csv' }),
  );
});

test('extensions are compared in lower case, from the last dot of the base name', () => {
  assert.equal(extensionOf('Saisies.XLSX'), 'xlsx');
  assert.equal(extensionOf('dir.v2/seizures'), '');
  assert.equal(extensionOf('C:\\a.b\\STOP II.final.csv'), 'csv');
  assert.equal(extensionOf('.csv'), '');
});
