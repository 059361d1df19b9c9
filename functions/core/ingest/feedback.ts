/**
 * The annotated copy of a Member's own file: every row of the data sheet where it was (so row numbers in the report
 * match), each bad cell highlighted and carrying its error as a note, and an Errors sheet listing them all. The
 * Member fixes the file in place and uploads it again. Written with our streaming writer (sheet/xlsx-writer.ts), read
 * with our reader: neither holds the sheet in memory.
 */
import type { Writable } from 'node:stream';
import type { Lang } from '../operation/config.ts';
import { openSpreadsheet } from '../sheet/open.ts';
import { SpreadsheetError, type ByteSource, type Cell, type ColumnWindow, type Row, type Workbook } from '../sheet/types.ts';
import { columnLimit } from '../validation/header.ts';
import { columnIndex, columnLetter } from '../sheet/columns.ts';
import { XlsxWriter, type XCell, type XStyle } from '../sheet/xlsx-writer.ts';
import { outcomeLines } from './outcome.ts';
import { cellText } from '../validation/parse.ts';
import { EXCEL_MAX_ROW, isRejected, type ValidationIssue, type ValidationReport } from '../validation/validate.ts';
import { echo } from '../validation/report.ts';

const WORDS: Record<
  Lang,
  {
    errors: string;
    row: string;
    column: string;
    field: string;
    value: string;
    type: string;
    message: string;
    none: string;
    rejected: string;
    checked: string;
    summary: string;
  }
> = {
  en: {
    errors: 'Errors',
    row: 'Row',
    column: 'Column',
    field: 'Field',
    value: 'Value',
    type: 'Type',
    message: 'What to fix',
    none: 'No errors: every row was accepted.',
    rejected: 'The file was rejected as a whole:',
    checked: 'checked',
    summary: 'Summary',
  },
  fr: {
    errors: 'Erreurs',
    row: 'Ligne',
    column: 'Colonne',
    field: 'Champ',
    value: 'Valeur',
    type: 'Type',
    message: 'À corriger',
    none: 'Aucune erreur : toutes les lignes ont été acceptées.',
    rejected: 'Le fichier a été rejeté dans son ensemble :',
    checked: 'vérifié',
    summary: 'Résumé',
  },
  es: {
    errors: 'Errores',
    row: 'Fila',
    column: 'Columna',
    field: 'Campo',
    value: 'Valor',
    type: 'Tipo',
    message: 'Qué corregir',
    none: 'Sin errores: se aceptaron todas las filas.',
    rejected: 'El archivo se ha rechazado en su totalidad:',
    checked: 'revisado',
    summary: 'Resumen',
  },
};

/** Width of the copied columns: the writer streams, so widths are set before the first row is known. */
const COPY_WIDTH = 18;

/**
 * Width of the Summary's one column, in characters: it fits an A4 or Letter portrait page at full size within the
 * default margins, in Calibri and in the wider fonts a program without Calibri falls back to (LibreOffice ignores
 * the fit-to-width setting when it prints an xlsx); longer sentences wrap.
 */
const SUMMARY_WIDTH = 70;

/** Excel cannot hold more than 32,767 characters in a cell, nor a few control characters. */
function safeText(s: string): string {
  const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  return clean.length > 32_767 ? clean.slice(0, 32_767) : clean;
}

function cellValue(c: Cell | undefined): XCell {
  if (!c) return null;
  switch (c.t) {
    case 'string':
      // A string stays a string cell: text that starts with = + - @ is never turned into a formula.
      return safeText(c.v);
    case 'number':
    case 'boolean':
    case 'date':
      return c.v;
    case 'error':
      return { error: c.v };
  }
}

export interface FeedbackOptions {
  /**
   * Copy the Member's rows (the annotated data sheet). False: the Errors sheet alone, for a file that cannot be read
   * again (a failure on our side). @default true
   */
  readonly copy?: boolean;
  /**
   * The workbook validation read, still open (the caller closes it): an xlsx's directory, styles and shared strings
   * are then read once for both. A CSV is opened again (its rows can be iterated once; it has nothing to share), from
   * the same source: over S3 its bytes were fetched once, by validation's first read (core/platform/s3.ts).
   */
  readonly workbook?: Workbook;
}

/** Writes the annotated workbook to `out` (ended when done). Without a `source`, only the Errors sheet is written. */
export async function writeFeedbackWorkbook(
  source: ByteSource | undefined,
  report: ValidationReport,
  out: Writable,
  opts: FeedbackOptions = {},
): Promise<void> {
  const w = WORDS[report.language];
  const wb = new XlsxWriter(out);
  const byCell = new Map<number, Map<number, ValidationIssue[]>>();
  for (const e of report.errors) {
    if (e.rowNumber === null) continue;
    const col = e.column ? columnIndex(e.column) : 0;
    const row = byCell.get(e.rowNumber) ?? new Map<number, ValidationIssue[]>();
    row.set(col, [...(row.get(col) ?? []), e]);
    byCell.set(e.rowNumber, row);
  }

  if (source !== undefined && opts.copy !== false && report.sheet !== null && !isRejected(report)) {
    const notes = new Map<string, string>();
    for (const [rowNumber, cols] of [...byCell].sort(([a], [b]) => a - b)) {
      for (const [col, issues] of [...cols].sort(([a], [b]) => a - b))
        notes.set(`${columnLetter(col)}${rowNumber}`, issues.map((i) => i.message).join('\n'));
    }
    // The columns validation read (the header's and a margin): cells beyond were ignored, and are not copied either.
    const window: ColumnWindow = { limit: columnLimit(report.columns), ignored: 0 };
    const lastColumn = Math.max(
      0,
      ...Object.values(report.columns),
      ...report.warnings.map((w) => (w.column && w.type === 'extra-label' ? columnIndex(w.column) : 0)),
    );
    const sheet = {
      name: `${report.sheet} (${w.checked})`,
      frozenRows: report.headerRow ?? 0,
      widths: Array.from({ length: lastColumn + 1 }, () => COPY_WIDTH),
      notes,
    };
    await wb.sheet(sheet, async (rows) => {
      const write = async (row: Row): Promise<void> => {
        // Validation rejects such a file; a file changed since then still gets no row Excel would call damaged.
        if (row.rowNumber > EXCEL_MAX_ROW) return;
        const bad = byCell.get(row.rowNumber);
        const normal: XStyle = row.rowNumber === report.headerRow ? 'head' : 'normal';
        const cells = row.cells.map(cellValue);
        // A bad cell past the last one written still gets its highlight (and its note's anchor).
        if (bad) for (const col of bad.keys()) while (cells.length <= col) cells.push(null);
        await rows.row(row.rowNumber, cells, bad ? (col) => (bad.has(col) ? 'bad' : normal) : () => normal);
      };
      const reuse = opts.workbook?.format === 'xlsx' ? opts.workbook : undefined;
      const input = reuse ?? (await openSpreadsheet(source));
      try {
        for await (const sheet of input.sheets()) {
          if (echo(sheet.name) !== report.sheet) continue;
          if (report.rowsUnordered) {
            // The producer wrote rows out of order (or one row twice): a worksheet must list them in order, so they
            // are gathered, merged by row number and written sorted. Rare, and bounded by the file's own content.
            for (const row of await sortedRows(sheet.rows({ columns: window }))) await write(row);
          } else {
            let last = 0;
            for await (const row of sheet.rows({ columns: window })) {
              // The file changed since validation (or validation and this read disagree): skip rather than fail.
              if (row.rowNumber <= last) continue;
              last = row.rowNumber;
              await write(row);
            }
          }
          break;
        }
      } catch (e) {
        // The file was read once already; if it changed under us, the report and the Errors sheet still stand.
        if (!(e instanceof SpreadsheetError)) throw e;
      } finally {
        if (input !== reuse) await input.close();
      }
    });
  }

  // The value and the message wrap, in columns that together fit a landscape page (some programs ignore fit-to-width
  // when they print): a Member who prints the Errors sheet, or reads it on a phone, sees every word of what to fix.
  const errorsSheet = {
    name: w.errors,
    frozenRows: 1,
    widths: [7, 8, 18, 20, 17, 54],
    // Every column wraps (and so aligns to the top), so a row's number, field and type stand beside its first line.
    wrapColumns: [0, 1, 2, 3, 4, 5],
    fitToWidth: true,
    orientation: 'landscape',
  } as const;
  await wb.sheet(errorsSheet, async (rows) => {
    let n = 1;
    await rows.row(n++, [w.row, w.column, w.field, w.value, w.type, w.message], () => 'head');
    if (isRejected(report)) await rows.row(n++, [null, null, null, null, null, w.rejected]);
    if (report.errors.length === 0) await rows.row(n++, [null, null, null, null, null, w.none]);
    for (const e of report.errors) {
      await rows.row(n++, [e.rowNumber, e.column ?? null, e.fieldName, e.cell === null ? null : safeText(e.cell), e.type, e.message]);
    }
    if (report.errorsNotListed) await rows.row(n++, [null, null, null, null, null, `+${report.errorsNotListed}`]);
  });
  // What storing did (cases stored, replaced, withdrawn, the earlier files) and a nil return: after the Errors sheet,
  // so the sheets a Member already knows keep their places. Its sentences wrap at the column's width and print
  // fitted to a portrait page, so neither a printout nor a phone's viewer cuts them at the edge.
  const outcome = outcomeLines(report);
  if (outcome.length > 0) {
    const sheet = { name: w.summary, frozenRows: 0, widths: [SUMMARY_WIDTH], wrapColumns: [0], fitToWidth: true };
    await wb.sheet(sheet, async (rows) => {
      let n = 1;
      for (const line of outcome) await rows.row(n++, [safeText(line)]);
    });
  }
  await wb.close();
}

/**
 * The rows of a sheet that hold a value, ascending, rows of one number merged (a later cell replaces an earlier one in
 * its column). Blank rows are left out: a sheet can list a million of them, and a copy without them reads the same.
 */
async function sortedRows(rows: AsyncIterable<Row>): Promise<Row[]> {
  const byNumber = new Map<number, Array<Cell | undefined>>();
  for await (const row of rows) {
    const cells = byNumber.get(row.rowNumber);
    if (cells === undefined) {
      if (row.rowNumber > EXCEL_MAX_ROW || row.cells.every((c) => cellText(c) === undefined)) continue;
      byNumber.set(row.rowNumber, [...row.cells]);
      continue;
    }
    row.cells.forEach((c, i) => {
      if (c !== undefined) cells[i] = c;
    });
  }
  return [...byNumber].sort(([a], [b]) => a - b).map(([rowNumber, cells]) => ({ rowNumber, cells }));
}
