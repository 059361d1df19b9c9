/**
 * The floor the xlsx reader is measured against: inflates the `sheetIndex`-th worksheet (workbook order) the way
 * openXlsx does and counts its '<' bytes, building nothing. Bench-only.
 */
import { DEFAULT_LIMITS, type ByteSource } from '../../functions/core/sheet/types.ts';
import { readWorkbookInfo } from '../../functions/core/sheet/xlsx/parts.ts';
import { entryBytes, openPackage } from '../../functions/core/sheet/xlsx/zip.ts';

const C_LT = 60;

export async function scanFloor(
  source: ByteSource,
  sheetIndex = 0,
): Promise<{ readonly sheet: string; readonly inflatedBytes: number; readonly lessThan: number }> {
  const pkg = await openPackage(source, DEFAULT_LIMITS);
  try {
    const book = await readWorkbookInfo(pkg);
    const info = book.sheets[sheetIndex];
    if (!info) throw new RangeError(`the workbook has no worksheet ${sheetIndex}`);
    let inflatedBytes = 0;
    let lessThan = 0;
    for await (const chunk of entryBytes(pkg, info.entry)) {
      inflatedBytes += chunk.length;
      for (let i = chunk.indexOf(C_LT); i !== -1; i = chunk.indexOf(C_LT, i + 1)) lessThan++;
    }
    return { sheet: info.name, inflatedBytes, lessThan };
  } finally {
    pkg.zip.close();
  }
}
