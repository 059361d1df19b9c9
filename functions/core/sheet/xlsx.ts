/**
 * The streaming .xlsx reader.
 *
 * The zip is read through its central directory (yauzl over a ByteSource, so a local file, a buffer and an S3 object
 * read with ranged GETs all work, and the order of entries in the file does not matter). The small parts are read
 * first, whole: the package and workbook relationships, workbook.xml (sheet names and order, the 1904 date system),
 * styles.xml (which cell styles show dates) and sharedStrings.xml (kept in memory: cells refer to it by index). Then
 * each worksheet is inflated and scanned as it streams, one chunk at a time, and its rows are yielded as they complete:
 * no worksheet is ever held in memory, nothing is written to disk.
 *
 * XML: relationships, workbook and styles are parsed with saxes. Worksheets and shared strings, which are big, are
 * scanned with `XmlScanner` (xlsx/xml.ts), a small streaming tokenizer over the same decoded text.
 *
 * The parts: xlsx/zip.ts (the zip over a ByteSource, inflating and decoding entries), xlsx/parts.ts (relationships,
 * workbook), xlsx/dates.ts (date styles and serials), xlsx/xml.ts (the scanner), xlsx/shared-strings.ts,
 * xlsx/sheet-scanner.ts (rows of cells), xlsx/errors.ts (what a failure is blamed on). This module is the API.
 *
 * Limits: the file size before anything is read; the declared size and compression ratio of every entry from the
 * central directory; and the bytes actually inflated from every entry read, counted as they stream (a lying header
 * gains nothing). Damage is a SpreadsheetError('source-error', 'corrupt'); errors of the ByteSource itself (network,
 * disk) are passed through unchanged so that the caller can retry.
 */
import { DEFAULT_LIMITS, type ByteSource, type ReadLimits, type Sheet, type Workbook } from './types.ts';
import { readDateStyles } from './xlsx/dates.ts';
import { classify } from './xlsx/errors.ts';
import { readWorkbookInfo } from './xlsx/parts.ts';
import { readSharedStrings } from './xlsx/shared-strings.ts';
import { sheetRows } from './xlsx/sheet-scanner.ts';
import { openPackage } from './xlsx/zip.ts';

export { isDateFormatCode, serialToCell } from './xlsx/dates.ts';
export { decodeXml, XmlScanner } from './xlsx/xml.ts';

// ---------------------------------------------------------------------------------------------------------------
// API

/**
 * Opens an .xlsx workbook. Reads the directory, the workbook, its styles and its shared strings now; each sheet's
 * rows are read when iterated. Throws SpreadsheetError for a file that is too big, damaged, or not a workbook.
 */
export async function openXlsx(source: ByteSource, limits?: Partial<ReadLimits>): Promise<Workbook> {
  const pkg = await openPackage(source, { ...DEFAULT_LIMITS, ...limits });
  try {
    const book = await readWorkbookInfo(pkg);
    const dateStyles = await readDateStyles(pkg, book.styles);
    const strings = await readSharedStrings(pkg, book.sharedStrings);
    return {
      format: 'xlsx',
      date1904: book.date1904,
      async *sheets(): AsyncGenerator<Sheet> {
        for (const info of book.sheets) {
          yield { name: info.name, rows: (opts) => sheetRows(pkg, info, strings, dateStyles, book.date1904, opts?.columns) };
        }
      },
      close(): Promise<void> {
        pkg.zip.close();
        return Promise.resolve();
      },
    };
  } catch (e) {
    pkg.zip.close();
    throw classify(e, 'workbook');
  }
}
