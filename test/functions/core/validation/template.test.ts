import { test } from 'vitest';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { loadOperationConfig, type Lang } from '../../../../functions/core/operation/config.ts';
import { FIELDS } from '../../../../functions/core/vocabulary/schema.ts';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { buildTemplate, SHEET_NAMES } from '../../../../functions/core/validation/template.ts';
import { exitCodeOf, validateSpreadsheet } from '../../../../functions/core/validation/validate.ts';
import { VOCABS } from '../../../../functions/core/vocabulary/vocab.ts';

const config = loadOperationConfig();

/** Fills the template as a Member would: labels from the dropdown lists, a date cell, numbers. */
async function filledTemplate(lang: Lang): Promise<Buffer> {
  const wb = buildTemplate(config, lang);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const filled = new ExcelJS.Workbook();
  await filled.xlsx.load(buf as unknown as ExcelJS.Buffer);
  const ws = filled.getWorksheet(SHEET_NAMES[lang].data)!;
  const col = (key: string) => FIELDS.findIndex((f) => f.key === key) + 1;
  const label = (vocab: keyof typeof VOCABS, code: string) => VOCABS[vocab].label(code, lang);
  const rows = [
    {
      member: 'FR',
      case: 'C-1',
      date: new Date(Date.UTC(2021, 5, 15)),
      category: 'medicine',
      product: 'ivermectin',
      qty: 1200,
      unit: 'pieces',
    },
    {
      member: 'FR',
      case: 'C-1',
      date: new Date(Date.UTC(2021, 5, 15)),
      category: 'medical_device',
      product: 'oxygen_cylinder',
      qty: 40,
      unit: 'pieces',
    },
    {
      member: 'FR',
      case: 'C-2',
      date: new Date(Date.UTC(2022, 1, 3)),
      category: 'vaccine',
      product: 'covid19_vaccine',
      qty: 500,
      unit: 'doses',
    },
  ];
  rows.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    row.getCell(col('reporting_member')).value = r.member;
    row.getCell(col('case_ref')).value = r.case;
    row.getCell(col('seizure_date')).value = r.date;
    row.getCell(col('category')).value = label('category', r.category);
    row.getCell(col('product')).value = label('product', r.product);
    row.getCell(col('quantity')).value = r.qty;
    row.getCell(col('unit')).value = label('unit', r.unit);
    row.getCell(col('transport_mode')).value = label('transport_mode', 'express_courier');
    row.getCell(col('infringement_type')).value = label('infringement_type', 'counterfeit');
    row.getCell(col('hs_code')).value = '3004.90';
    row.getCell(col('estimated_value')).value = 99.5;
    row.getCell(col('currency')).value = 'EUR';
    row.commit();
  });
  return Buffer.from(await filled.xlsx.writeBuffer());
}

for (const lang of ['en', 'fr', 'es'] as const) {
  test(`a template filled with valid rows validates with exit 0 (${lang})`, async () => {
    const buf = await filledTemplate(lang);
    const report = await validateSpreadsheet(bufferByteSource(`template-${lang}.xlsx`, buf), { config, member: 'FR', today: '2026-11-28' });
    assert.deepEqual(report.errors, []);
    assert.equal(exitCodeOf(report), 0);
    assert.equal(report.stats.validRows, 3);
    assert.equal(report.language, lang);
    assert.equal(report.sheet, SHEET_NAMES[lang].data);
  });
}

test('the template has dropdowns on every vocabulary column, a frozen header and a note on each header', async () => {
  const wb = buildTemplate(config, 'fr');
  const ws = wb.getWorksheet(SHEET_NAMES.fr.data)!;
  assert.equal(ws.views[0]!.state, 'frozen');
  const dv = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
  const vocabCols = FIELDS.map((f, i) => [f, i] as const).filter(([f]) => f.vocab);
  assert.equal(Object.keys(dv).length, vocabCols.length);
  for (const [f, i] of vocabCols) {
    const letter = ws.getColumn(i + 1).letter;
    const rule = dv[`${letter}2:${letter}5001`];
    assert.ok(rule, `dropdown on ${f.key}`);
    assert.equal(rule.type, 'list');
    assert.match(rule.formulae[0]!, /^'Listes'!\$[A-Z]+\$2:\$[A-Z]+\$\d+$/);
  }
  FIELDS.forEach((f, i) => assert.equal(ws.getCell(1, i + 1).note, f.rule.fr));
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Saisies', 'Instructions', 'Listes'],
  );
});
