/**
 * The annotated copy of a Member's own file: every row of the data sheet where it was (so row numbers in the report
 * match), each bad cell highlighted and carrying its error as a note, and an Errors sheet listing them all. The
 * Member fixes the file in place and uploads it again. Written with exceljs' streaming writer, read with our reader:
 * neither holds the sheet in memory.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Lang } from './config.ts';
import { openSpreadsheet } from './sheet/open.ts';
import { SpreadsheetError, type ByteSource, type Cell } from './sheet/types.ts';
import { isRejected, type ValidationIssue, type ValidationReport } from './validate.ts';

const WORDS: Record<Lang, { errors: string; row: string; column: string; field: string; value: string; type: string; message: string; none: string; rejected: string; checked: string }> = {
  en: { errors: 'Errors', row: 'Row', column: 'Column', field: 'Field', value: 'Value', type: 'Type', message: 'What to fix', none: 'No errors: every row was accepted.', rejected: 'The file was rejected as a whole:', checked: 'checked' },
  fr: { errors: 'Erreurs', row: 'Ligne', column: 'Colonne', field: 'Champ', value: 'Valeur', type: 'Type', message: 'À corriger', none: 'Aucune erreur : toutes les lignes ont été acceptées.', rejected: 'Le fichier a été rejeté dans son ensemble :', checked: 'vérifié' },
  es: { errors: 'Errores', row: 'Fila', column: 'Columna', field: 'Campo', value: 'Valor', type: 'Tipo', message: 'Qué corregir', none: 'Sin errores: se aceptaron todas las filas.', rejected: 'El archivo se ha rechazado en su totalidad:', checked: 'revisado' },
};

const BAD_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
// A font given in full: a partial one makes spreadsheet programs fall back to their own default face.
const BAD_FONT: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11, color: { argb: 'FF9C0006' } };
const HEAD_FONT: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11, bold: true };
/** Width of the copied columns: the writer streams, so widths are set before the first row is known. */
const COPY_WIDTH = 18;

function letterIndex(letter: string): number {
  let n = 0;
  for (const ch of letter) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** Excel cannot hold more than 32,767 characters in a cell, nor a few control characters. */
function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  return clean.length > 32_767 ? clean.slice(0, 32_767) : clean;
}

function cellValue(c: Cell | undefined): ExcelJS.CellValue {
  if (!c) return null;
  switch (c.t) {
    case 'string':
      // A string stays a string cell: text that starts with = + - @ is never turned into a formula.
      return safeText(c.v);
    case 'number':
    case 'boolean':
      return c.v;
    case 'date':
      return c.v;
    case 'error':
      return { error: c.v } as ExcelJS.CellErrorValue;
  }
}

/** Writes the annotated workbook to `out` (ended when done). */
export async function writeFeedbackWorkbook(source: ByteSource, report: ValidationReport, out: Writable): Promise<void> {
  const w = WORDS[report.language];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const byCell = new Map<number, Map<number, ValidationIssue[]>>();
  for (const e of report.errors) {
    if (e.rowNumber === null) continue;
    const col = e.column ? letterIndex(e.column) : 0;
    const row = byCell.get(e.rowNumber) ?? new Map<number, ValidationIssue[]>();
    row.set(col, [...(row.get(col) ?? []), e]);
    byCell.set(e.rowNumber, row);
  }

  if (report.sheet !== null && !isRejected(report)) {
    const ws = wb.addWorksheet(`${report.sheet} (${w.checked})`.slice(0, 31), {
      views: report.headerRow ? [{ state: 'frozen', ySplit: report.headerRow }] : [],
    });
    const lastColumn = Math.max(0, ...Object.values(report.columns), ...report.warnings.map((w) => (w.column ? letterIndex(w.column) : 0)));
    ws.columns = Array.from({ length: lastColumn + 1 }, () => ({ width: COPY_WIDTH }));
    const input = await openSpreadsheet(source);
    try {
      for await (const sheet of input.sheets()) {
        if (sheet.name !== report.sheet) continue;
        for await (const row of sheet.rows()) {
          const r = ws.getRow(row.rowNumber);
          r.values = row.cells.map(cellValue);
          if (row.rowNumber === report.headerRow) r.font = HEAD_FONT;
          for (const [col, issues] of byCell.get(row.rowNumber) ?? []) {
            const cell = r.getCell(col + 1);
            cell.fill = BAD_FILL;
            cell.font = BAD_FONT;
            cell.note = issues.map((i) => i.message).join('\n');
          }
          for (let i = 0; i < row.cells.length; i++) {
            if (row.cells[i]?.t === 'date') r.getCell(i + 1).numFmt = 'yyyy-mm-dd';
          }
          r.commit();
        }
        break;
      }
    } catch (e) {
      // The file was read once already; if it changed under us, the report and the Errors sheet still stand.
      if (!(e instanceof SpreadsheetError)) throw e;
    } finally {
      await input.close();
    }
    ws.commit();
  }

  const errs = wb.addWorksheet(w.errors, { views: [{ state: 'frozen', ySplit: 1 }] });
  errs.columns = [
    { header: w.row, width: 8 },
    { header: w.column, width: 9 },
    { header: w.field, width: 20 },
    { header: w.value, width: 24 },
    { header: w.type, width: 18 },
    { header: w.message, width: 100 },
  ];
  errs.getRow(1).font = HEAD_FONT;
  if (isRejected(report)) errs.addRow([null, null, null, null, null, w.rejected]).commit();
  if (report.errors.length === 0) errs.addRow([null, null, null, null, null, w.none]).commit();
  for (const e of report.errors) {
    errs.addRow([e.rowNumber, e.column ?? null, e.fieldName, e.cell === null ? null : safeText(e.cell), e.type, e.message]).commit();
  }
  if (report.errorsNotListed) errs.addRow([null, null, null, null, null, `+${report.errorsNotListed}`]).commit();
  errs.commit();
  await wb.commit();
}
