import { test } from 'vitest';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { writeFeedbackWorkbook } from '../../../../functions/core/ingest/feedback.ts';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { openXlsx } from '../../../../functions/core/sheet/xlsx.ts';
import { validateSpreadsheet } from '../../../../functions/core/validation/validate.ts';

const config = loadOperationConfig();
const CSV =
  'Title line\n' +
  'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type,Remarks\n' +
  'FR,"=HYPERLINK(""http://x"")",2021-06-15,Medicines,Ivermectin,10,Pieces,Air cargo,Falsified,@SUM(A1)\n' +
  'FR,B,2021-06-15,Medicines,Aspirin,-3,Pieces,Air cargo,Falsified,+ok\n';

async function feedback(): Promise<Buffer> {
  const source = bufferByteSource('week.csv', Buffer.from(CSV));
  const report = await validateSpreadsheet(source, { config, member: 'FR', today: '2026-11-28' });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeFeedbackWorkbook(source, report, out);
  return Buffer.concat(chunks);
}

test("the annotated copy keeps the Member's rows at their row numbers, title rows included", async () => {
  const wb = await openXlsx(bufferByteSource('f.xlsx', await feedback()));
  const sheets: string[] = [];
  for await (const s of wb.sheets()) {
    sheets.push(s.name);
    if (sheets.length === 1) {
      const rows: Array<[number, unknown]> = [];
      for await (const r of s.rows()) rows.push([r.rowNumber, r.cells[1]?.v]);
      assert.deepEqual(
        rows.map(([n]) => n),
        [1, 2, 3, 4],
      );
      assert.equal(rows[2]![1], '=HYPERLINK("http://x")');
    }
  }
  await wb.close();
  assert.deepEqual(sheets, ['week (checked)', 'Errors']);
});

test('text that looks like a formula is written as a string cell, never as a formula', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await feedback()) as unknown as ExcelJS.Buffer);
  const data = wb.worksheets[0]!;
  for (const addr of ['B3', 'J3', 'J4']) {
    assert.equal(data.getCell(addr).type, ExcelJS.ValueType.String, addr);
    assert.equal(data.getCell(addr).formula, undefined, addr);
  }
  assert.equal(data.getCell('J3').value, '@SUM(A1)');
});

test('each bad cell carries all of its errors as one note', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await feedback()) as unknown as ExcelJS.Buffer);
  const data = wb.worksheets[0]!;
  assert.match(String(data.getCell('E4').note), /Unknown product 'Aspirin'/);
  assert.match(String(data.getCell('F4').note), /must be greater than 0/);
  assert.equal(data.getCell('E3').note, undefined);
});

test('the Summary wraps its sentences at the column and prints fitted to a portrait page, so no word is cut', async () => {
  const source = bufferByteSource('semaine.csv', Buffer.from(CSV));
  const report = await validateSpreadsheet(source, { config, member: 'FR', today: '2026-11-28', lang: 'fr' });
  report.stored = { written: 3, withdrawn: 2, supersededCases: 1, storedCases: 2, replacedCases: 1, withdrawnCases: 1 };
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeFeedbackWorkbook(source, report, out);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ExcelJS.Buffer);
  const summary = wb.getWorksheet('Résumé');
  assert.ok(summary, wb.worksheets.map((s) => s.name).join(', '));
  assert.equal(summary.getColumn(1).width, 70);
  assert.equal(summary.getColumn(1).alignment?.wrapText, true);
  const lines: string[] = [];
  summary.eachRow((row) => {
    const cell = row.getCell(1);
    lines.push(String(cell.value));
    assert.equal(cell.alignment?.wrapText, true, String(cell.value));
    assert.equal(cell.alignment?.vertical, 'top');
  });
  assert.equal(lines[0], 'Enregistré : 2 affaires, 3 lignes.');
  // A sentence longer than the column wraps rather than running past the page edge, its row as tall as its lines.
  const long = lines.findIndex((l) => l.startsWith('Retiré'));
  assert.ok(lines[long]!.length > 70 && lines[long]!.length <= 140, lines[long]);
  assert.equal(summary.getRow(long + 1).height, 30);
  assert.equal(summary.getRow(1).height, undefined);
  assert.equal(summary.pageSetup.orientation, 'portrait');
  assert.equal(summary.pageSetup.fitToPage, true);
  assert.equal(summary.pageSetup.fitToWidth, 1);
  assert.equal(summary.pageSetup.fitToHeight, 0);
  // The Errors sheet: what to fix wraps, and prints fitted to a landscape page.
  const errors = wb.getWorksheet('Erreurs');
  assert.ok(errors);
  assert.equal(errors.getColumn(6).alignment?.wrapText, true);
  assert.equal(errors.pageSetup.orientation, 'landscape');
  assert.equal(errors.pageSetup.fitToWidth, 1);
  const message = errors.getRow(2).getCell(6);
  assert.equal(message.alignment?.wrapText, true, String(message.value));
});
