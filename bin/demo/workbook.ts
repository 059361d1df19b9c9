/** The demo's files as the Members send them: the upload template of their language, filled row by row. */
import ExcelJS from 'exceljs';
import type { Lang, OperationConfig } from '../../functions/core/operation/config.ts';
import { FIELDS, type FieldKey } from '../../functions/core/vocabulary/schema.ts';
import { buildTemplate } from '../../functions/core/validation/template.ts';
import { VOCABS, type VocabName } from '../../functions/core/vocabulary/vocab.ts';
import type { DemoFile, DemoRow } from './targets.ts';

// ---------------------------------------------------------------------------------------------------------------
// Spreadsheets

/**
 * The upload template of a language without its 5,000 pre-formatted empty rows (the dropdowns, header notes, frozen
 * header, instructions and lists stay): writing those rows costs seconds per file, and 270 files are written.
 */
const templateModels = new WeakMap<OperationConfig, Map<Lang, ExcelJS.WorkbookModel>>();
function templateModel(config: OperationConfig, lang: Lang): ExcelJS.WorkbookModel {
  let byLang = templateModels.get(config);
  if (!byLang) templateModels.set(config, (byLang = new Map()));
  let model = byLang.get(lang);
  if (!model) {
    const m = buildTemplate(config, lang).model;
    // exceljs types a workbook model's worksheets as Worksheets; they are worksheet models (rows as plain data).
    const sheets = m.worksheets as unknown as Array<{ id: number; rows: unknown[] }>;
    sheets[0]!.rows = sheets[0]!.rows.slice(0, 1);
    // `sheets` repeats every worksheet (rows included); setting a model only reads their ids.
    model = { ...m, sheets: sheets.map((w) => ({ id: w.id }) as ExcelJS.WorksheetModel) };
    byLang.set(lang, model);
  }
  return model;
}

/** Column formats as the template sets them on its data rows. */
const NUM_FMT: Partial<Record<string, string>> = { date: 'yyyy-mm-dd', number: '#,##0.###', integer: '0', hs: '@', text: '@', member: '@' };

function cellValue(key: FieldKey, r: DemoRow, lang: Lang): ExcelJS.CellValue {
  const label = (vocab: VocabName, code: string | undefined) => (code === undefined ? null : VOCABS[vocab].label(code, lang));
  switch (key) {
    case 'reporting_member':
      return r.reporting_member;
    case 'case_ref':
      return r.case_ref;
    case 'line_no':
      return r.line_no;
    case 'seizure_date':
      return new Date(`${r.seizure_date}T00:00:00Z`);
    case 'location':
      return r.location ?? null;
    case 'location_type':
      return label('location_type', r.location_type);
    case 'direction':
      return label('direction', r.direction);
    case 'category':
      return label('category', r.category);
    case 'product':
      return label('product', r.product);
    case 'description':
      return r.description ?? null;
    case 'brand':
      return r.brand ?? null;
    case 'hs_code':
      return r.hs_code ? `${r.hs_code.slice(0, 4)}.${r.hs_code.slice(4)}` : null;
    case 'quantity':
      return r.quantity;
    case 'unit':
      return label('unit', r.unit);
    case 'estimated_value':
      return r.estimated_value ?? null;
    case 'currency':
      return r.currency ?? null;
    case 'origin_country':
      return r.origin_country ?? null;
    case 'departure_country':
      return r.departure_country ?? null;
    case 'destination_country':
      return r.destination_country ?? null;
    case 'transit_countries':
      return r.transit_countries?.join(' ') ?? null;
    case 'transport_mode':
      return label('transport_mode', r.transport_mode);
    case 'concealment_method':
      return label('concealment_method', r.concealment_method);
    case 'detection_method':
      return label('detection_method', r.detection_method);
    case 'infringement_type':
      return label('infringement_type', r.infringement_type);
    case 'remarks':
      return r.remarks ?? null;
  }
}

/** The file as the Member sends it: the template of its language, one row per line, labels in that language. */
export async function demoWorkbook(config: OperationConfig, file: DemoFile): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.model = structuredClone(templateModel(config, file.lang));
  const ws = wb.worksheets[0]!;
  file.rows.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    FIELDS.forEach((d, c) => {
      const value = cellValue(d.key, r, file.lang);
      if (value === null) return;
      const cell = row.getCell(c + 1);
      cell.value = value;
      const fmt = NUM_FMT[d.kind];
      if (fmt) cell.numFmt = fmt;
    });
    row.commit();
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
