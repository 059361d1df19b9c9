import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { bufferByteSource, fileByteSource } from '../../../../functions/core/sheet/source.ts';
import { SpreadsheetError, type ByteSource, type Cell, type Row } from '../../../../functions/core/sheet/types.ts';
import { XmlScanner, decodeXml, isDateFormatCode, openXlsx, serialToCell } from '../../../../functions/core/sheet/xlsx.ts';
import { scanFloor } from '../../../bench/scan-floor.ts';
import { zip, type ZipPart } from '../../../fixtures/zip.ts';

// ---------------------------------------------------------------------------------------------------------------
// Helpers: xlsx parts over the zip writer of test/fixtures/zip.ts (entry order, compression, lying headers), reading

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

const sheetXml = (rows: string, prefix = ''): string => {
  const p = prefix ? `${prefix}:` : '';
  const ns = prefix ? `xmlns:${prefix}="${MAIN}"` : `xmlns="${MAIN}"`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}worksheet ${ns} xmlns:r="${REL}"><${p}dimension ref="A1"/><${p}sheetData>${rows}</${p}sheetData><${p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></${p}worksheet>`;
};

const sstXml = (items: readonly string[]): string =>
  `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" count="${items.length}" uniqueCount="${items.length}">${items.map((i) => `<si>${i}</si>`).join('')}</sst>`;

/** styles.xml with custom formats and one cellXfs <xf> per number format id, in order (style index = position). */
const stylesXml = (xfNumFmtIds: readonly number[], custom: ReadonlyArray<readonly [number, string]> = []): string =>
  `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${MAIN}">` +
  (custom.length
    ? `<numFmts count="${custom.length}">${custom.map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${escapeAttr(code)}"/>`).join('')}</numFmts>`
    : '') +
  `<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>` +
  `<cellStyleXfs count="1"><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
  `<cellXfs count="${xfNumFmtIds.length}">${xfNumFmtIds.map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"/>`).join('')}</cellXfs>` +
  `<dxfs count="1"><dxf><numFmt numFmtId="200" formatCode="yyyy"/></dxf></dxfs></styleSheet>`;

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

interface BookSpec {
  readonly sheets: ReadonlyArray<{ readonly name: string; readonly xml: string | Buffer; readonly state?: string; readonly path?: string }>;
  readonly sst?: string;
  readonly styles?: string;
  readonly workbookPr?: string;
  /** Zip entry order: 'office' (workbook parts first, like Excel) or 'sheets-first' (worksheets before everything). */
  readonly order?: 'office' | 'sheets-first';
  readonly prefix?: string;
  readonly extra?: readonly ZipPart[];
  readonly store?: boolean;
}

function xlsxParts(spec: BookSpec): ZipPart[] {
  const p = spec.prefix ? `${spec.prefix}:` : '';
  const ns = spec.prefix ? `xmlns:${spec.prefix}="${MAIN}"` : `xmlns="${MAIN}"`;
  const sheetPath = (i: number): string => spec.sheets[i]!.path ?? `worksheets/sheet${i + 1}.xml`;
  const workbook =
    `<?xml version="1.0" encoding="UTF-8"?><${p}workbook ${ns} xmlns:r="${REL}">${spec.workbookPr ?? ''}<${p}sheets>` +
    spec.sheets
      .map(
        (s, i) => `<${p}sheet name="${escapeAttr(s.name)}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`,
      )
      .join('') +
    `</${p}sheets></${p}workbook>`;
  const rels =
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL}">` +
    spec.sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="${sheetPath(i)}"/>`).join('') +
    (spec.styles ? `<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/>` : '') +
    (spec.sst ? `<Relationship Id="rIdT" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
    `</Relationships>`;
  const root = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const store = spec.store ?? false;
  const head: ZipPart[] = [
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      store,
    },
    { name: '_rels/.rels', data: root, store },
    { name: 'xl/workbook.xml', data: workbook, store },
    { name: 'xl/_rels/workbook.xml.rels', data: rels, store },
    ...(spec.styles ? [{ name: 'xl/styles.xml', data: spec.styles, store }] : []),
    ...(spec.sst ? [{ name: 'xl/sharedStrings.xml', data: spec.sst, store }] : []),
  ];
  const sheets: ZipPart[] = spec.sheets.map((s, i) => ({ name: `xl/${sheetPath(i)}`, data: s.xml, store }));
  return spec.order === 'sheets-first'
    ? [...sheets, ...head.reverse(), ...(spec.extra ?? [])]
    : [...head, ...sheets, ...(spec.extra ?? [])];
}

const xlsx = (spec: BookSpec): Buffer => zip(xlsxParts(spec));

/** A one-sheet workbook from <row> XML. */
const book = (rows: string, more: Omit<BookSpec, 'sheets'> = {}): Buffer =>
  xlsx({ sheets: [{ name: 'Sheet1', xml: sheetXml(rows) }], ...more });

interface ReadSheet {
  readonly name: string;
  readonly rows: Row[];
}

async function readAll(source: ByteSource, limits?: Parameters<typeof openXlsx>[1]): Promise<ReadSheet[]> {
  const wb = await openXlsx(source, limits);
  try {
    const out: ReadSheet[] = [];
    for await (const sheet of wb.sheets()) {
      const rows: Row[] = [];
      for await (const row of sheet.rows()) rows.push(row);
      out.push({ name: sheet.name, rows });
    }
    return out;
  } finally {
    await wb.close();
  }
}

const readBuffer = (buf: Buffer, limits?: Parameters<typeof openXlsx>[1]): Promise<ReadSheet[]> =>
  readAll(bufferByteSource('t.xlsx', buf), limits);

/** The cells of the first sheet's rows, as plain arrays (holes as undefined). */
async function cellsOf(buf: Buffer): Promise<Array<Array<Cell | undefined>>> {
  const [sheet] = await readBuffer(buf);
  return sheet!.rows.map((r) => [...r.cells]);
}

const str = (v: string): Cell => ({ t: 'string', v });
const num = (v: number): Cell => ({ t: 'number', v });
const bool = (v: boolean): Cell => ({ t: 'boolean', v });
const err = (v: string): Cell => ({ t: 'error', v });
const date = (iso: string): Cell => ({ t: 'date', v: new Date(iso) });

async function rejects(promise: Promise<unknown>, type: string, reason: string): Promise<SpreadsheetError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(e)}`);
    assert.equal(e.type, type, e.message);
    assert.equal(e.reason, reason, e.message);
    return e;
  }
  assert.fail(`expected SpreadsheetError ${type}/${reason}`);
}

const fixture = (name: string): Promise<ByteSource> =>
  fileByteSource(fileURLToPath(new URL(`../../../fixtures/xlsx/${name}`, import.meta.url)));

/** Entry names of a zip in the order they are stored. */
async function entryOrder(buf: Buffer): Promise<string[]> {
  const z = await yauzl.fromBufferPromise(buf);
  const names: string[] = [];
  for await (const e of z.eachEntry()) names.push(e.fileName);
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// Real files: LibreOffice

test('LibreOffice: the title row merged above the header, then the header and the seizure rows, exactly', async () => {
  const [sheet] = await readAll(await fixture('libreoffice-report.xlsx'));
  assert.equal(sheet!.name, 'Saisies');
  const rows = sheet!.rows.slice(0, 5).map((r) => [r.rowNumber, ...r.cells]);
  assert.deepEqual(rows, [
    // A1:F1 is merged: the value sits in A1, the covered cells hold nothing; row 2 is blank and not yielded.
    [1, str('Opération STOP II – saisies')],
    [3, str('Reporting Member'), str('Case reference'), str('Seizure date'), str('Product'), str('Quantity'), str('Unit')],
    [4, str('France'), str('FR-2021-0001'), date('2021-05-03'), str('Paracétamol 500 mg'), num(1200), str('boîtes')],
    [5, str('España'), str('ES/2021/0077'), date('2021-06-15'), str('Mascarillas quirúrgicas — niños'), num(5000), str('unidades')],
    [6, str('中国'), str('CN-上海-0009'), date('2021-09-30T14:30:00Z'), str('医用口罩 😷'), num(0.1), str('千克')],
  ]);
});

test('LibreOffice: formulas give their cached 0, FALSE, #DIV/0!, "" (an empty cell) and "ab"', async () => {
  const [sheet] = await readAll(await fixture('libreoffice-report.xlsx'));
  const row = sheet!.rows.find((r) => r.rowNumber === 7)!;
  assert.deepEqual([...row.cells], [str('Formulas'), num(0), bool(false), err('#DIV/0!'), undefined, str('ab')]);
});

test('LibreOffice: rich text runs, an escaped entity, leading/trailing and lone spaces, a line break', async () => {
  const [sheet] = await readAll(await fixture('libreoffice-report.xlsx'));
  const row = sheet!.rows.find((r) => r.rowNumber === 8)!;
  assert.deepEqual(
    [...row.cells],
    [str('Saisie à l’aéroport CDG – 3 colis'), str('A &lt; B'), str(' espace  '), str(' '), num(-1234.5678), str('ligne 1\nligne 2')],
  );
});

test('LibreOffice: all worksheets in workbook order, the non-ASCII name and the hidden sheet included', async () => {
  const sheets = await readAll(await fixture('libreoffice-report.xlsx'));
  assert.deepEqual(
    sheets.map((s) => [s.name, s.rows.map((r) => [r.rowNumber, ...r.cells])]),
    [
      ['Saisies', sheets[0]!.rows.map((r) => [r.rowNumber, ...r.cells])],
      ['Notes é 中', [[1, str('Note'), num(42)]]],
      ['Listes', [[1, str('Unités')]]],
    ],
  );
});

test('LibreOffice stores worksheets before sharedStrings.xml, and the reader does not mind', async () => {
  const buf = await readFile(fileURLToPath(new URL('../../../fixtures/xlsx/libreoffice-report.xlsx', import.meta.url)));
  const order = await entryOrder(buf);
  assert.ok(order.indexOf('xl/worksheets/sheet1.xml') < order.indexOf('xl/sharedStrings.xml'), order.join(' '));
  const [sheet] = await readBuffer(buf);
  assert.deepEqual(sheet!.rows[0]!.cells, [str('Opération STOP II – saisies')]);
});

test('LibreOffice in the 1904 date system (date1904="true"): dates from 1904-01-01, plain numbers stay numbers', async () => {
  const source = await fixture('libreoffice-1904.xlsx');
  const wb = await openXlsx(source);
  assert.equal(wb.date1904, true);
  await wb.close();
  const [sheet] = await readAll(source);
  assert.deepEqual(
    sheet!.rows.map((r) => [r.rowNumber, ...r.cells]),
    [
      [1, str('Seizure date'), str('Quantity')],
      [2, date('2021-05-03'), num(100)],
      [3, date('1904-01-01')],
      [4, date('2022-02-28T23:59:59Z')],
    ],
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Real files: Gnumeric and exceljs

test('Gnumeric (1904, date1904="1", indented XML, inline strings, custom date formats): exact cells', async () => {
  const source = await fixture('gnumeric-1904.xlsx');
  const sheets = await readAll(source);
  assert.deepEqual(
    sheets.map((s) => [s.name, s.rows.map((r) => [r.rowNumber, ...r.cells])]),
    [
      [
        'Saisies été',
        [
          [1, str('Opération STOP II – saisies')],
          [3, str('Reporting Member'), str('Case reference'), str('Seizure date'), str('Product'), str('Quantity'), str('Unit')],
          [4, str('France'), str('FR-2021-0001'), date('2021-05-03'), str('Paracétamol 500 mg'), num(1200), str('boîtes')],
          // d/m/yyyy h:mm (id 101); an entity-laden string; "0.00 kg" is not a date format
          [
            5,
            str('España'),
            str('ES/2021/0077'),
            date('2021-06-15T18:00:00Z'),
            str('Jeringas & agujas <estériles>'),
            num(0.1),
            str('boîtes'),
          ],
          // [$-409]d\-mmm\-yyyy;@ (id 102) is a date format
          [6, str('中国'), str('CN-上海-0009'), date('2021-09-28'), str('医用口罩 😷'), num(2.5), bool(true)],
          // Gnumeric stores ="" as a shared empty string: a formula's empty text is an empty cell
          [7, str('Formulas'), num(0), bool(false), err('#DIV/0!'), undefined, str('ab')],
        ],
      ],
      ['日本語', [[1, str('東京'), num(1.0000000000000002)]]],
    ],
  );
});

test('exceljs: cached formula results (0, FALSE, error, "", text, TRUE, shared formulas), rich text, hidden sheet', async () => {
  const sheets = await readAll(await fixture('exceljs-formulas.xlsx'));
  assert.deepEqual(
    sheets.map((s) => [s.name, s.rows.map((r) => [r.rowNumber, ...r.cells])]),
    [
      [
        'Formules',
        [
          [1, str('Zero'), str('False'), str('Error'), str('Empty'), str('Text'), str('True'), str('Row'), str('Shared')],
          [2, num(0), bool(false), err('#DIV/0!'), undefined, str('ab'), bool(true), num(2), num(20)],
          [3, undefined, undefined, undefined, undefined, undefined, undefined, num(3), num(30)],
          [
            4,
            str('Saisie à CDG – 3 colis'),
            str('A &lt; B'),
            str(' '),
            bool(true),
            bool(false),
            date('2021-05-03'),
            num(0.1),
            num(-1.5e-7),
          ],
        ],
      ],
      ['Caché', [[2, undefined, str('caché')]]],
    ],
  );
});

// ---------------------------------------------------------------------------------------------------------------
// 1. UTF-8 split across chunks

const MULTI = ['é', 'ñ', '中', '文', '😷', '🇫🇷', 'Ω', 'ß', '€', 'ǅ'];
const multiText = (r: number, c: number): string => {
  let s = '';
  for (let k = 0; k < 7 + ((r * 7 + c) % 13); k++) s += MULTI[(r * 3 + c * 5 + k) % MULTI.length];
  return s;
};

test('multi-byte characters split across every chunk boundary (stored sheet, 1-7 byte chunks) decode exactly', async () => {
  const rowsXml: string[] = [];
  for (let r = 1; r <= 60; r++) {
    rowsXml.push(
      `<row r="${r}">${[0, 1, 2].map((c) => `<c r="${'ABC'[c]}${r}" t="inlineStr"><is><t>${multiText(r, c)}</t></is></c>`).join('')}</row>`,
    );
  }
  const buf = book(rowsXml.join(''), { store: true, sst: sstXml(['<t>中文 é 😷</t>']) });
  for (const chunk of [1, 2, 3, 5, 7]) {
    const [sheet] = await readAll(bufferByteSource('t.xlsx', buf, chunk));
    assert.equal(sheet!.rows.length, 60);
    for (const row of sheet!.rows) {
      assert.deepEqual(
        row.cells,
        [0, 1, 2].map((c) => str(multiText(row.rowNumber, c))),
        `chunk ${chunk} row ${row.rowNumber}`,
      );
    }
  }
});

test('a large exceljs sheet full of é, 中 and emoji, inflated in many chunks, reads back exactly with no U+FFFD', async () => {
  const rows = 4000;
  const cols = 5;
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => out.on('end', resolve));
  // Without shared strings the text is in the worksheet itself (t="str").
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
  const ws = wb.addWorksheet('Multi');
  for (let r = 1; r <= rows; r++) ws.addRow(Array.from({ length: cols }, (_, c) => multiText(r, c))).commit();
  await ws.commit();
  await wb.commit();
  await done;
  const buf = Buffer.concat(parts);
  const [sheet] = await readBuffer(buf);
  assert.equal(sheet!.rows.length, rows);
  let chars = 0;
  for (const row of sheet!.rows) {
    for (let c = 0; c < cols; c++) {
      const cell = row.cells[c];
      assert.deepEqual(cell, str(multiText(row.rowNumber, c)));
      assert.ok(!(cell!.v as string).includes('\uFFFD'));
      chars += (cell!.v as string).length;
    }
  }
  assert.ok(chars > 100_000 && (await scanFloor(bufferByteSource('m.xlsx', buf))).inflatedBytes > 10 * 64 * 1024);
});

test('shared strings full of multi-byte characters, over many chunks, read back exactly', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('S');
  const rows = 3000;
  for (let r = 1; r <= rows; r++) ws.addRow([multiText(r, 0), multiText(r, 1), r]);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const [sheet] = await readBuffer(buf);
  assert.equal(sheet!.rows.length, rows);
  for (const row of sheet!.rows) {
    assert.deepEqual(row.cells, [str(multiText(row.rowNumber, 0)), str(multiText(row.rowNumber, 1)), num(row.rowNumber)]);
  }
});

test('bytes that are not UTF-8 in a worksheet are an encoding error, not replacement characters', async () => {
  const xml = Buffer.concat([
    Buffer.from(sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>XX</t></is></c></row>').split('XX')[0]!, 'utf8'),
    Buffer.from([0x43, 0x61, 0x66, 0xe9]), // "Café" in Latin-1
    Buffer.from(sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>XX</t></is></c></row>').split('XX')[1]!, 'utf8'),
  ]);
  await rejects(readBuffer(xlsx({ sheets: [{ name: 'S', xml }] })), 'encoding-error', 'invalid-utf8');
});

// ---------------------------------------------------------------------------------------------------------------
// 2. and 3. Dates

test('built-in number formats 14-22, 27-36, 45-47 and 50-58 are dates; the others are numbers', async () => {
  const ids = Array.from({ length: 60 }, (_, i) => i);
  const dateIds = new Set([
    14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
  ]);
  const row = ids.map((id) => `<c s="${id}"><v>44319.5</v></c>`).join('');
  const [cells] = await cellsOf(book(`<row r="1">${row}</row>`, { styles: stylesXml(ids) }));
  ids.forEach((id) => {
    assert.deepEqual(cells![id], dateIds.has(id) ? date('2021-05-03T12:00:00Z') : num(44319.5), `numFmtId ${id}`);
  });
});

test('custom number formats are dates when d/m/y/h/s appear outside quotes, escapes and [..] sections', () => {
  const dates = [
    'yyyy-mm-dd',
    'dd/mm/yyyy',
    'd-mmm-yy',
    '[$-409]d\\-mmm\\-yyyy;@',
    '[$-F800]dddd, mmmm dd, yyyy',
    'hh:mm:ss',
    '[h]:mm',
    'mmm yy',
    'yyyy"年"m"月"d"日"',
    '[Red]dd/mm/yy',
    'm/d/yy h:mm AM/PM',
  ];
  const numbers = [
    'General',
    '0.00',
    '#,##0',
    '[Red]0.00',
    '[$€-407]#,##0.00',
    '0.00" days"',
    '0.00\\h',
    '_-* #,##0_-;-* #,##0_-',
    '0%',
    '@',
    '0.00E+00',
    '"Date:" 0',
    '[$-409]General',
    '#,##0 "ms"',
  ];
  for (const code of dates) assert.equal(isDateFormatCode(code), true, code);
  for (const code of numbers) assert.equal(isDateFormatCode(code), false, code);
});

test('custom numFmts from styles.xml decide: a date code makes dates, a number code keeps numbers, dxf formats are ignored', async () => {
  const styles = stylesXml(
    [0, 164, 165, 14, 200],
    [
      [164, 'dd/mm/yyyy'],
      [165, '0.00" kg"'],
      [14, '0.0'],
    ],
  );
  const [cells] = await cellsOf(
    book(`<row r="1"><c s="1"><v>44319</v></c><c s="2"><v>44319</v></c><c s="3"><v>44319</v></c><c s="4"><v>44319</v></c></row>`, {
      styles,
    }),
  );
  // s=3 is id 14 redefined as "0.0" by the file; s=4 uses id 200, which only a dxf defines: not a date.
  assert.deepEqual(cells, [date('2021-05-03'), num(44319), num(44319), num(44319)]);
});

test('t="d" cells (ISO 8601 text) are dates, UTC when no zone is given', async () => {
  const [cells] = await cellsOf(
    book(
      '<row r="1"><c t="d"><v>2021-05-03</v></c><c t="d"><v>2021-05-03T10:20:30</v></c><c t="d"><v>2021-05-03T10:20:30.250Z</v></c><c t="d"><v>2021-05-03T12:20:30+02:00</v></c><c t="d"><v>not a date</v></c></row>',
    ),
  );
  assert.deepEqual(cells, [
    date('2021-05-03'),
    date('2021-05-03T10:20:30Z'),
    date('2021-05-03T10:20:30.250Z'),
    date('2021-05-03T10:20:30Z'),
    str('not a date'),
  ]);
});

test("the 1900 date system keeps Excel's leap-year bug: serial 60 is the fictitious 1900-02-29, 61 is 1 March", async () => {
  const serials = [1, 59, 60, 61, 44319, 44319.75, 2958465];
  const row = serials.map((v) => `<c s="1"><v>${v}</v></c>`).join('');
  const [cells] = await cellsOf(book(`<row r="1">${row}</row>`, { styles: stylesXml([0, 14]) }));
  assert.deepEqual(cells, [
    date('1900-01-01'),
    date('1900-02-28'),
    str('1900-02-29'), // no such day: left as text for the date check to refuse
    date('1900-03-01'),
    date('2021-05-03'),
    date('2021-05-03T18:00:00Z'),
    date('9999-12-31'),
  ]);
});

test('date1904="1" and date1904="true" both select the 1904 date system; "0" and "false" do not', async () => {
  const rows = '<row r="1"><c s="1"><v>0</v></c><c s="1"><v>42857</v></c><c s="1"><v>42857.5</v></c></row>';
  for (const flag of ['1', 'true']) {
    const wb = await openXlsx(
      bufferByteSource('t.xlsx', book(rows, { styles: stylesXml([0, 14]), workbookPr: `<workbookPr date1904="${flag}"/>` })),
    );
    assert.equal(wb.date1904, true, flag);
    await wb.close();
    const [cells] = await cellsOf(book(rows, { styles: stylesXml([0, 14]), workbookPr: `<workbookPr date1904="${flag}"/>` }));
    assert.deepEqual(cells, [date('1904-01-01'), date('2021-05-03'), date('2021-05-03T12:00:00Z')], flag);
  }
  for (const flag of ['0', 'false']) {
    const [cells] = await cellsOf(book(rows, { styles: stylesXml([0, 14]), workbookPr: `<workbookPr date1904="${flag}"/>` }));
    assert.deepEqual(cells![1], date('2017-05-02'), flag);
  }
});

test('serials no calendar shows (negative, past 9999-12-31) stay numbers', () => {
  assert.deepEqual(serialToCell(-1, false), num(-1));
  assert.deepEqual(serialToCell(2958466, false), num(2958466));
  assert.deepEqual(serialToCell(-0.5, true), num(-0.5));
  assert.deepEqual(serialToCell(0.25, true), date('1904-01-01T06:00:00Z'));
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Formula cells

test('formula cells give their cached value with its type, falsy ones included', async () => {
  const [cells] = await cellsOf(
    book(
      '<row r="1">' +
        '<c r="A1"><f>1-1</f><v>0</v></c>' +
        '<c r="B1" t="b"><f>1&gt;2</f><v>0</v></c>' +
        '<c r="C1" t="b"><f>1&lt;2</f><v>1</v></c>' +
        '<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' +
        '<c r="E1" t="str"><f>""</f><v></v></c>' +
        '<c r="F1" t="str"><f>"x"</f><v>x</v></c>' +
        '<c r="G1" t="str"><f>"0"</f><v>0</v></c>' +
        '<c r="H1" t="e"><f>NA()</f><v>#N/A</v></c>' +
        '<c r="I1"><f>A1</f></c>' +
        '<c r="J1" t="str"><f>""</f><v/></c>' +
        '</row>',
    ),
  );
  assert.deepEqual(cells, [num(0), bool(false), bool(true), err('#DIV/0!'), undefined, str('x'), str('0'), err('#N/A')]);
});

test('shared formulas: the dependent cells (<f t="shared" si="0"/>) still give their cached values', async () => {
  const [cells] = await cellsOf(
    book(
      '<row r="1"><c r="A1"><f t="shared" ref="A1:C1" si="0">ROW()*2</f><v>2</v></c><c r="B1"><f t="shared" si="0"/><v>0</v></c><c r="C1" t="b"><f t="shared" si="0"/><v>0</v></c></row>',
    ),
  );
  assert.deepEqual(cells, [num(2), num(0), bool(false)]);
});

test('a formula whose cached text is an empty shared string is an empty cell; a plain empty shared string is a string', async () => {
  const sst = sstXml(['<t></t>', '<t xml:space="preserve">   </t>']);
  const [cells] = await cellsOf(
    book('<row r="1"><c r="A1" t="s"><f>""</f><v>0</v></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>', { sst }),
  );
  assert.deepEqual(cells, [undefined, str(''), str('   ')]);
});

// ---------------------------------------------------------------------------------------------------------------
// 5. and 6. Text: entities once, rich text, xml:space, _xHHHH_

test('entities are decoded exactly once in t="str", inline and shared strings', async () => {
  const sst = sstXml(['<t>A &amp;lt; B</t>', '<r><t>C &amp;amp;</t></r><r><t> D&#233;&#x4E2D;</t></r>']);
  const [cells] = await cellsOf(
    book(
      '<row r="1"><c t="str"><f>"A"</f><v>A &amp;lt; B</v></c><c t="inlineStr"><is><t>A &amp;lt; B &quot;&apos;&gt;</t></is></c><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>',
      { sst },
    ),
  );
  assert.deepEqual(cells, [str('A &lt; B'), str('A &lt; B "\'>'), str('A &lt; B'), str('C &amp;D\u00e9\u4e2d')]);
});

test('rich text: the runs of a shared or inline string are concatenated, phonetic runs (<rPh>) left out', async () => {
  const sst = sstXml([
    '<r><rPr><b/><sz val="11"/></rPr><t>東京</t></r><r><t xml:space="preserve"> 都</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/>',
  ]);
  const inline =
    '<c t="inlineStr"><is><r><rPr><i/></rPr><t xml:space="preserve">Saisie </t></r><r><t>CDG</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c>';
  const [cells] = await cellsOf(book(`<row r="1"><c t="s"><v>0</v></c>${inline}</row>`, { sst }));
  assert.deepEqual(cells, [str('東京 都'), str('Saisie CDG')]);
});

test('xml:space="preserve" keeps white space; without it a <t> is trimmed like Excel does, unless it is all white space', async () => {
  const sst = sstXml([
    '<t xml:space="preserve">  both  </t>',
    '<t>  trimmed\t</t>',
    '<t> </t>',
    '<r><t>hello</t></r><r><t> </t></r><r><t>world</t></r>',
    '<t>\u00a0nbsp\u00a0</t>',
  ]);
  const [cells] = await cellsOf(
    book('<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>', {
      sst,
    }),
  );
  assert.deepEqual(cells, [str('  both  '), str('trimmed'), str(' '), str('hello world'), str('\u00a0nbsp\u00a0')]);
});

test('_xHHHH_ escapes: _x000D_ is a carriage return, _x005F_ escapes an underscore, others stay text', async () => {
  const sst = sstXml(['<t>a_x000D_b_x000A_c</t>', '<t>_x005F_x000D_</t>', '<t>_x00e9_ _xZZZZ_ _x12_</t>']);
  const [cells] = await cellsOf(
    book('<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="str"><v>x_x0009_y</v></c></row>', { sst }),
  );
  assert.deepEqual(cells, [str('a\rb\nc'), str('_x000D_'), str('é _xZZZZ_ _x12_'), str('x\ty')]);
});

test('literal CR LF in text is read as LF (XML end-of-line handling); &#13; stays a CR', async () => {
  const [cells] = await cellsOf(
    book('<row r="1"><c t="inlineStr"><is><t>a\r\nb\rc</t></is></c><c t="inlineStr"><is><t>a&#13;&#10;b</t></is></c></row>'),
  );
  assert.deepEqual(cells, [str('a\nb\nc'), str('a\r\nb')]);
});

test('CDATA sections and comments inside cell text are read as XML says', async () => {
  const [cells] = await cellsOf(
    book(
      '<row r="1"><c t="str"><v><![CDATA[a <b> & c]]></v></c><c t="inlineStr"><is><t>x<!-- note -->y</t></is></c><c><v><!-- n -->12</v></c></row>',
    ),
  );
  assert.deepEqual(cells, [str('a <b> & c'), str('xy'), num(12)]);
});

test('empty and white-space-only shared strings stay strings (the validator trims)', async () => {
  const sst = sstXml(['<t/>', '<t></t>', '<t xml:space="preserve">\t</t>']);
  const [cells] = await cellsOf(book('<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>', { sst }));
  assert.deepEqual(cells, [str(''), str(''), str('\t')]);
});

// ---------------------------------------------------------------------------------------------------------------
// Numbers, booleans, layout

test('numbers keep full double precision', async () => {
  const values = [
    '0.1',
    '1.0000000000000002',
    '-0.30000000000000004',
    '123456789012345680000',
    '1E-7',
    '-1.5e+300',
    '5e-324',
    '9007199254740993',
    '0.000001',
    '100',
    '-42',
  ];
  const [cells] = await cellsOf(book(`<row r="1">${values.map((v) => `<c><v>${v}</v></c>`).join('')}</row>`));
  assert.deepEqual(
    cells,
    values.map((v) => num(Number(v))),
  );
  assert.equal((cells![1] as { v: number }).v, 1.0000000000000002);
});

test('booleans are booleans, not 1/0', async () => {
  const [cells] = await cellsOf(book('<row r="1"><c t="b"><v>1</v></c><c t="b"><v>0</v></c><c><v>1</v></c></row>'));
  assert.deepEqual(cells, [bool(true), bool(false), num(1)]);
});

test('rows and cells without r are numbered by position', async () => {
  const [sheet] = await readBuffer(
    book(
      '<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="C2"><v>3</v></c><c><v>4</v></c></row><row r="5"><c><v>5</v></c></row><row><c t="inlineStr"><is><t>x</t></is></c></row>',
    ),
  );
  assert.deepEqual(
    sheet!.rows.map((r) => [r.rowNumber, ...r.cells]),
    [
      [1, num(1), num(2)],
      [2, undefined, undefined, num(3), num(4)],
      [5, num(5)],
      [6, str('x')],
    ],
  );
});

test('rows with spans, styled empty cells and empty rows: only cells with values, only rows with cells', async () => {
  const [sheet] = await readBuffer(
    book(
      '<row r="1" spans="1:5" ht="20" customHeight="1"><c r="A1" s="1"/><c r="C1"><v>7</v></c><c r="E1" s="2"/></row><row r="2" spans="1:5"><c r="B2" s="1"/></row><row r="3"/><row r="4"><c r="AA4"><v>1</v></c></row>',
    ),
  );
  assert.deepEqual(
    sheet!.rows.map((r) => [r.rowNumber, r.cells.length, r.cells.findIndex((c) => c !== undefined)]),
    [
      [1, 3, 2],
      [4, 27, 26],
    ],
  );
});

test('elements with a namespace prefix (x:worksheet, x:c, x:v ...) read like unprefixed ones', async () => {
  const rows =
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>2.5</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:r><x:t>in</x:t></x:r><x:r><x:t>line</x:t></x:r></x:is></x:c><x:c r="D1" s="1"><x:v>44319</x:v></x:c></x:row>';
  const sst = `<?xml version="1.0"?><x:sst xmlns:x="${MAIN}"><x:si><x:t>shared</x:t></x:si></x:sst>`;
  const styles = stylesXml([0, 14])
    .replace(/<(\/?)([a-zA-Z])/g, '<$1x:$2')
    .replace(`xmlns="${MAIN}"`, `xmlns:x="${MAIN}"`);
  const buf = xlsx({ prefix: 'x', sheets: [{ name: 'Prefixed', xml: sheetXml(rows, 'x') }], sst, styles });
  const [sheet] = await readBuffer(buf);
  assert.equal(sheet!.name, 'Prefixed');
  assert.deepEqual(sheet!.rows[0]!.cells, [str('shared'), num(2.5), str('inline'), date('2021-05-03')]);
});

test('sheets come in workbook order, whatever their part names; chartsheets are left out, hidden sheets are not', async () => {
  const chart: ZipPart = { name: 'xl/chartsheets/sheet1.xml', data: `<chartsheet xmlns="${MAIN}"/>` };
  const spec: BookSpec = {
    sheets: [
      { name: 'Données', xml: sheetXml('<row r="1"><c><v>1</v></c></row>'), path: 'worksheets/sheet2.xml' },
      { name: 'Caché', xml: sheetXml('<row r="1"><c><v>2</v></c></row>'), state: 'veryHidden', path: 'worksheets/sheet1.xml' },
    ],
  };
  const parts = xlsxParts(spec).map((p) =>
    p.name === 'xl/workbook.xml'
      ? { ...p, data: (p.data as string).replace('</sheets>', '<sheet name="Graphique" sheetId="9" r:id="rId9"/></sheets>') }
      : p.name === 'xl/_rels/workbook.xml.rels'
        ? {
            ...p,
            data: (p.data as string).replace(
              '</Relationships>',
              `<Relationship Id="rId9" Type="${REL}/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
            ),
          }
        : p,
  );
  const sheets = await readBuffer(zip([...parts, chart]));
  assert.deepEqual(
    sheets.map((s) => [s.name, s.rows[0]!.cells[0]]),
    [
      ['Données', num(1)],
      ['Caché', num(2)],
    ],
  );
});

test('part names are matched case-insensitively and relationship targets may be absolute', async () => {
  const parts = xlsxParts({
    sheets: [{ name: 'S', xml: sheetXml('<row r="1"><c t="s"><v>0</v></c></row>') }],
    sst: sstXml(['<t>ok</t>']),
  }).map((p) =>
    p.name === 'xl/sharedStrings.xml'
      ? { ...p, name: 'xl/SharedStrings.xml' }
      : p.name === 'xl/_rels/workbook.xml.rels'
        ? { ...p, data: (p.data as string).replace('Target="worksheets/sheet1.xml"', 'Target="/xl/worksheets/sheet1.xml"') }
        : p,
  );
  const [sheet] = await readBuffer(zip(parts));
  assert.deepEqual(sheet!.rows[0]!.cells, [str('ok')]);
});

// ---------------------------------------------------------------------------------------------------------------
// 7. Entry order and streaming

test('zip entry order does not matter: worksheets first, workbook and shared strings last', async () => {
  const buf = xlsx({
    order: 'sheets-first',
    sheets: [{ name: 'S', xml: sheetXml('<row r="1"><c t="s"><v>1</v></c><c s="1"><v>44319</v></c></row>') }],
    sst: sstXml(['<t>a</t>', '<t>b</t>']),
    styles: stylesXml([0, 14]),
  });
  const order = await entryOrder(buf);
  assert.equal(order[0], 'xl/worksheets/sheet1.xml');
  assert.ok(order.indexOf('xl/sharedStrings.xml') > order.indexOf('xl/workbook.xml') || order.indexOf('xl/sharedStrings.xml') > 0);
  const [sheet] = await readBuffer(buf);
  assert.deepEqual(sheet!.rows[0]!.cells, [str('b'), date('2021-05-03')]);
});

/** A ByteSource over `buf` that counts the bytes its streams have been asked for (read, not merely opened). */
function countingSource(buf: Buffer): ByteSource & { delivered: number } {
  const src = {
    name: 't.xlsx',
    size: buf.length,
    delivered: 0,
    createReadStream(start: number, end: number): Readable {
      let at = start;
      return new Readable({
        read() {
          if (at >= end) return void this.push(null);
          const next = Math.min(end, at + 16 * 1024);
          src.delivered += next - at;
          this.push(buf.subarray(at, next));
          at = next;
        },
      });
    },
  };
  return src;
}

/** A one-sheet workbook of `rows` rows of pseudo-random numbers: it barely compresses (about 2.5 MB per 100,000). */
function randomBook(rows: number): Buffer {
  let x = 12345;
  const rnd = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const xml: string[] = [];
  for (let r = 1; r <= rows; r++) xml.push(`<row r="${r}"><c><v>${rnd()}</v></c><c><v>${rnd()}</v></c></row>`);
  return book(xml.join(''));
}

test('rows are yielded while the worksheet streams: the first row comes after a bounded read-ahead, not the whole sheet', async () => {
  const buf = randomBook(150_000);
  const src = countingSource(buf);
  const wb = await openXlsx(src);
  const afterOpen = src.delivered;
  let atFirstRow = -1;
  let count = 0;
  for await (const sheet of wb.sheets()) {
    for await (const row of sheet.rows()) {
      if (count++ === 0) atFirstRow = src.delivered;
      assert.equal(row.rowNumber, count);
    }
  }
  await wb.close();
  assert.equal(count, 150_000);
  const readAhead = atFirstRow - afterOpen;
  assert.ok(buf.length > 3_000_000 && readAhead < 1024 * 1024, `${readAhead} of ${buf.length} bytes read before the first row`);
});

test('leaving a sheet early stops reading it, and the workbook still closes', async () => {
  const buf = randomBook(150_000);
  const src = countingSource(buf);
  const wb = await openXlsx(src);
  for await (const sheet of wb.sheets()) {
    for await (const row of sheet.rows()) if (row.rowNumber === 3) break;
  }
  await wb.close();
  assert.ok(src.delivered < 1024 * 1024 && buf.length > 3_000_000, `${src.delivered} of ${buf.length}`);
});

test('maxRows is not enforced by the reader (the validator counts data rows)', async () => {
  const rows = Array.from({ length: 12 }, (_, i) => `<row r="${i + 1}"><c><v>${i}</v></c></row>`).join('');
  const [sheet] = await readBuffer(book(rows), { maxRows: 5 });
  assert.equal(sheet!.rows.length, 12);
});

// ---------------------------------------------------------------------------------------------------------------
// 8. Limits and damage

test('a file over maxFileBytes is refused from its size, before a byte is read', async () => {
  const source: ByteSource = {
    name: 'big.xlsx',
    size: 30 * 1024 * 1024,
    createReadStream() {
      throw new Error('must not read');
    },
  };
  const e = await rejects(openXlsx(source), 'size-error', 'too-large');
  assert.deepEqual(e.params, { size: 30 * 1024 * 1024, max: 25 * 1024 * 1024 });
});

test('an entry whose declared size is over maxEntryBytes is a zip bomb, from the central directory', async () => {
  const buf = book('<row r="1"><c><v>1</v></c></row>', { extra: [{ name: 'xl/media/blob.bin', data: Buffer.alloc(3 * 1024 * 1024) }] });
  const e = await rejects(readBuffer(buf, { maxEntryBytes: 2 * 1024 * 1024, maxCompressionRatio: 1e9 }), 'size-error', 'zip-bomb');
  assert.equal(e.params.entry, 'xl/media/blob.bin');
  assert.equal(e.params.measured, 'declared');
  assert.equal(e.params.uncompressedBytes, 3 * 1024 * 1024);
});

test('an entry over 1 MiB whose declared compression ratio is over the limit is a zip bomb', async () => {
  const buf = book('<row r="1"><c><v>1</v></c></row>', { extra: [{ name: 'xl/media/zeros.bin', data: Buffer.alloc(2 * 1024 * 1024) }] });
  const e = await rejects(readBuffer(buf), 'size-error', 'zip-bomb');
  assert.equal(e.params.measured, 'declared');
  assert.ok((e.params.ratio as number) > 200);
  // The same ratio under 1 MiB is fine.
  await readBuffer(book('<row r="1"><c><v>1</v></c></row>', { extra: [{ name: 'xl/media/zeros.bin', data: Buffer.alloc(512 * 1024) }] }));
});

test('a worksheet whose header lies about its size is stopped by counting the bytes actually inflated', async () => {
  const row = '<row><c><v>0</v></c></row>';
  const xml = sheetXml(row.repeat(300_000)); // ~8 MB that deflates ~1000:1
  const parts = xlsxParts({ sheets: [{ name: 'S', xml }] }).map((p) =>
    p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 4000 } : p,
  );
  const buf = zip(parts);
  // The directory declares 4000 bytes: within every limit.
  const wb = await openXlsx(bufferByteSource('t.xlsx', buf), { maxEntryBytes: 4 * 1024 * 1024 });
  let rows = 0;
  const e = await rejects(
    (async () => {
      for await (const sheet of wb.sheets()) for await (const _ of sheet.rows()) rows++;
    })(),
    'size-error',
    'zip-bomb',
  );
  await wb.close();
  assert.equal(e.params.measured, 'inflated');
  assert.ok(rows > 0 && rows < 300_000, `${rows} rows before the limit`);
});

test('a lying header is also caught by the compression ratio of the bytes inflated', async () => {
  const xml = sheetXml('<row><c><v>0</v></c></row>'.repeat(100_000));
  const parts = xlsxParts({ sheets: [{ name: 'S', xml }] }).map((p) =>
    p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 2000 } : p,
  );
  const e = await rejects(readBuffer(zip(parts)), 'size-error', 'zip-bomb');
  assert.equal(e.params.measured, 'inflated');
  assert.ok((e.params.uncompressedBytes as number) > 1024 * 1024 && (e.params.ratio as number) > 200);
});

test('a truncated zip (no central directory) is corrupt', async () => {
  const good = book('<row r="1"><c><v>1</v></c></row>');
  await rejects(readBuffer(good.subarray(0, Math.floor(good.length / 2))), 'source-error', 'corrupt');
});

test('bytes that only start like a zip are corrupt', async () => {
  await rejects(readBuffer(Buffer.from('PK\x03\x04 this is not really a zip file at all, just text')), 'source-error', 'corrupt');
});

test('an empty file is a source error "empty"', async () => {
  await rejects(readBuffer(Buffer.alloc(0)), 'source-error', 'empty');
});

test('a zip without xl/workbook.xml is not a workbook: corrupt', async () => {
  await rejects(readBuffer(zip([{ name: 'word/document.xml', data: '<document/>' }])), 'source-error', 'corrupt');
});

test('a worksheet whose deflate data is damaged is corrupt when read', async () => {
  const buf = zip(xlsxParts({ sheets: [{ name: 'S', xml: sheetXml('<row r="1"><c><v>1</v></c></row>'.repeat(50)) }] }));
  const sheetName = Buffer.from('xl/worksheets/sheet1.xml');
  const at = buf.indexOf(sheetName) + sheetName.length + 20; // inside the compressed data
  const damaged = Buffer.from(buf);
  for (let k = 0; k < 16; k++) damaged[at + k] = 0xff;
  await rejects(readBuffer(damaged), 'source-error', 'corrupt');
});

test('a worksheet whose XML ends before </sheetData> is corrupt', async () => {
  const cut = sheetXml('<row r="1"><c><v>1</v></c></row>').split('</sheetData>')[0]!;
  await rejects(readBuffer(xlsx({ sheets: [{ name: 'S', xml: cut }] })), 'source-error', 'corrupt');
});

test('a cell that refers to a shared string that does not exist is corrupt', async () => {
  await rejects(
    readBuffer(book('<row r="1"><c t="s"><v>3</v></c></row>', { sst: sstXml(['<t>only one</t>']) })),
    'source-error',
    'corrupt',
  );
});

test('a DTD in a worksheet is refused (no entity expansion)', async () => {
  const xml = `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet xmlns="${MAIN}"><sheetData><row r="1"><c t="str"><v>&a;</v></c></row></sheetData></worksheet>`;
  await rejects(readBuffer(xlsx({ sheets: [{ name: 'S', xml }] })), 'source-error', 'corrupt');
});

/** A workbook and the offset where its worksheet's data starts (right after its local header: 30 bytes and the name). */
function bookWithSheetOffset(): { buf: Buffer; sheetData: number } {
  const buf = book('<row r="1"><c><v>1</v></c></row>'.repeat(2000));
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  return { buf, sheetData: buf.indexOf(name) + name.length };
}

test('a failing ByteSource passes its own error through (the caller may retry), not a verdict on the file', async () => {
  const { buf, sheetData } = bookWithSheetOffset();
  const inner = bufferByteSource('t.xlsx', buf);
  const boom = new Error('socket hang up');
  const source: ByteSource = {
    name: 't.xlsx',
    size: buf.length,
    createReadStream(start, end) {
      if (start !== sheetData) return inner.createReadStream(start, end);
      const s = new Readable({ read() {} });
      setImmediate(() => s.destroy(boom));
      return s;
    },
  };
  await assert.rejects(readAll(source), (e) => e === boom);
});

test('a ByteSource that returns a short range fails as the source, not as a damaged file', async () => {
  const { buf, sheetData } = bookWithSheetOffset();
  const inner = bufferByteSource('t.xlsx', buf);
  const short: ByteSource = {
    name: 't.xlsx',
    size: buf.length,
    createReadStream: (start, end) => inner.createReadStream(start, start === sheetData ? start + Math.floor((end - start) / 2) : end),
  };
  await assert.rejects(
    readAll(short),
    (e) => !(e instanceof SpreadsheetError) && /gave \d+ bytes for a range of/.test((e as Error).message),
  );
});

test('a ByteSource that throws when asked for a range passes that error through', async () => {
  const { buf, sheetData } = bookWithSheetOffset();
  const inner = bufferByteSource('t.xlsx', buf);
  const thrown = new Error('no credentials');
  const throwing: ByteSource = {
    name: 't.xlsx',
    size: buf.length,
    createReadStream(start, end) {
      if (start === sheetData) throw thrown;
      return inner.createReadStream(start, end);
    },
  };
  await assert.rejects(readAll(throwing), (e) => e === thrown);
});

// ---------------------------------------------------------------------------------------------------------------
// The scanner against saxes; exceljs round trips; the benchmark floor

/** Records what XmlScanner reports, in the shape saxes reports it. */
class Recorder extends XmlScanner {
  readonly events: string[] = [];
  constructor() {
    super();
    this.capturing = true;
  }
  private flush(): void {
    if (this.text !== '') this.events.push(`text ${decodeXml(this.text)}`);
    this.text = '';
  }
  protected open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number {
    this.flush();
    const attrs: string[] = [];
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      attrs.push(`${s.slice(this.attrs[k]!, this.attrs[k + 1]!)}=${decodeXml(s.slice(this.attrs[k + 2]!, this.attrs[k + 3]!))}`);
    }
    this.events.push(`open ${s.slice(local, nameEnd)} ${attrs.join(' ')}`);
    if (selfClosing) this.events.push(`close ${s.slice(local, nameEnd)}`);
    return after;
  }
  protected close(s: string, local: number, nameEnd: number): void {
    this.flush();
    this.events.push(`close ${s.slice(local, nameEnd)}`);
  }
  finish(): string[] {
    this.end();
    this.flush();
    return this.events;
  }
}

function saxesEvents(xml: string): string[] {
  const events: string[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') events.push(`text ${text}`);
    text = '';
  };
  const local = (n: string): string => n.slice(n.indexOf(':') + 1);
  const p = new SaxesParser<{ xmlns: false }>({ xmlns: false });
  p.on('text', (t) => (text += t));
  p.on('cdata', (t) => (text += t));
  p.on('opentag', (tag: SaxesTagPlain) => {
    flush();
    events.push(
      `open ${local(tag.name)} ${Object.entries(tag.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  });
  p.on('closetag', (tag: SaxesTagPlain) => {
    flush();
    events.push(`close ${local(tag.name)}`);
  });
  p.write(xml).close();
  flush();
  return events;
}

// Characters XML 1.0 can hold, with the awkward ones over-represented.
const xmlChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']', ']]>', '\t', '\n', '\r\n', '\r', ' ', 'é', '中', '😷', '_x000D_', ';', '#', ':'),
  fc
    .integer({ min: 0x20, max: 0x10ffff })
    .filter((c) => c < 0xd800 || (c > 0xdfff && c < 0xfffe) || c > 0xffff)
    .map((c) => String.fromCodePoint(c)),
);
const xmlString = fc.oneof(
  { weight: 12, arbitrary: fc.array(xmlChar, { maxLength: 12 }).map((a) => a.join('')) },
  // Now and then longer than the scanner's first look into the next chunk (256 characters).
  { weight: 1, arbitrary: fc.array(xmlChar, { minLength: 200, maxLength: 700 }).map((a) => a.join('')) },
);
const escText = (s: string, refs: boolean): string =>
  s
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : refs ? '&#62;' : '>'))
    .replace(/]]>/g, ']]&gt;') // not allowed as such in text,
    .replace(/]$/, '&#93;') // nor across two adjacent texts
    .replace(/é/g, refs ? '&#xE9;' : 'é');
const escAttr = (s: string, q: string): string =>
  s
    .replace(/[\t\n\r]/g, ' ')
    .replace(/[&<]/g, (c) => (c === '&' ? '&amp;' : '&lt;'))
    .replace(q === '"' ? /"/g : /'/g, q === '"' ? '&quot;' : '&apos;');

interface XNode {
  name: string;
  attrs: Array<[string, string, string]>;
  children: Array<XNode | { text: string; kind: 'text' | 'cdata' | 'comment' | 'pi'; refs: boolean }>;
}
const names = fc.constantFrom('c', 'v', 'row', 'x:c', 'x:row', 'is', 't', 'si', 'a-b.c', 'x14ac:dyDescent', 'sheetData');
const attrsArb = fc.uniqueArray(
  fc.tuple(fc.constantFrom('r', 's', 't', 'x:t', 'xml:space', 'spans', 'ht', 'x14ac:dyDescent'), xmlString, fc.constantFrom('"', "'")),
  { selector: (a) => a[0], maxLength: 4 },
);
const leaf = fc.record({
  text: xmlString,
  kind: fc.constantFrom('text', 'text', 'cdata', 'comment', 'pi') as fc.Arbitrary<'text' | 'cdata' | 'comment' | 'pi'>,
  refs: fc.boolean(),
});
const tree = fc.letrec<{ node: XNode }>((tie) => ({
  node: fc.record({
    name: names,
    attrs: attrsArb,
    children: fc.array(fc.oneof({ depthSize: 'small' }, leaf, tie('node')), { maxLength: 5 }),
  }),
})).node;

function serialize(n: XNode): string {
  const attrs = n.attrs.map(([k, v, q]) => ` ${k}=${q}${escAttr(v, q)}${q}`).join('');
  if (n.children.length === 0) return `<${n.name}${attrs}/>`;
  const body = n.children
    .map((c) => {
      if ('name' in c) return serialize(c);
      if (c.kind === 'text') return escText(c.text, c.refs);
      if (c.kind === 'cdata') return `<![CDATA[${c.text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
      if (c.kind === 'comment') return `<!--${c.text.replace(/-/g, '_')}-->`;
      return `<?pi ${c.text.replace(/\?>/g, '')}?>`;
    })
    .join('');
  return `<${n.name}${attrs}>${body}</${n.name}>`;
}

test('property: XmlScanner reports the same elements, attributes and text as saxes, however the text is chunked', () => {
  fc.assert(
    fc.property(tree, fc.oneof(fc.array(fc.nat(), { maxLength: 8 }), fc.constant('every' as const)), (root, cuts) => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- head -->${serialize({ ...root, name: 'root' })}\n`;
      const expected = saxesEvents(xml);
      const rec = new Recorder();
      const points =
        cuts === 'every'
          ? Array.from({ length: xml.length }, (_, k) => k)
          : [...new Set(cuts.map((c) => c % (xml.length + 1)))].sort((a, b) => a - b);
      let last = 0;
      for (const p of [...points, xml.length]) {
        rec.write(xml.slice(last, p));
        last = p;
      }
      // Outside elements saxes reports no text; neither need the scanner (it is the prolog's white space).
      const got = rec.finish().filter((e, i, all) => !(e.startsWith('text ') && (i === 0 || i === all.length - 1)));
      assert.deepEqual(
        got,
        expected.filter((e, i, all) => !(e.startsWith('text ') && (i === 0 || i === all.length - 1))),
      );
    }),
    { numRuns: 300 },
  );
});

// Cells exceljs can write and an xlsx can hold exactly: XML 1.0 characters (exceljs drops or mangles the others), no
// literal _xHHHH_ (which Excel itself would read as an escape), dates within the system's calendar.
const cellText = fc
  .array(fc.oneof(xmlChar, fc.constantFrom('\t', 'a', ' ', 'ü')), { maxLength: 20 })
  .map((a) => a.join(''))
  .filter((s) => !/_x[0-9a-fA-F]{4}_/i.test(s));
const cellValue = (date1904: boolean): fc.Arbitrary<string | number | boolean | Date | null> =>
  fc.oneof(
    cellText,
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.date({
      min: new Date(date1904 ? '1904-01-01T00:00:00Z' : '1900-03-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
    fc.constant(null),
  );

/** What the reader must give for what exceljs was told to write. `inline`: the streaming writer's t="str" cells. */
function expectedCell(v: string | number | boolean | Date | null, inline: boolean): Cell | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') {
    const s = v.replace(/\r\n?/g, '\n');
    return inline && s === '' ? undefined : str(s);
  }
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return bool(v);
  return { t: 'date', v };
}

function expectedRows(
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | Date | null>>,
  inline: boolean,
): Array<[number, ...Array<Cell | undefined>]> {
  const out: Array<[number, ...Array<Cell | undefined>]> = [];
  rows.forEach((row, i) => {
    const cells = row.map((v) => expectedCell(v, inline));
    while (cells.length > 0 && cells[cells.length - 1] === undefined) cells.pop();
    if (cells.length > 0) out.push([i + 1, ...cells]);
  });
  return out;
}

test('property: cells written by exceljs (shared strings) read back exactly, in both date systems', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc
        .boolean()
        .chain((date1904) =>
          fc.tuple(fc.constant(date1904), fc.array(fc.array(cellValue(date1904), { maxLength: 8 }), { minLength: 1, maxLength: 8 })),
        ),
      async ([date1904, rows]) => {
        const wb = new ExcelJS.Workbook();
        wb.properties.date1904 = date1904;
        const ws = wb.addWorksheet('P');
        rows.forEach((row, i) => {
          row.forEach((v, c) => {
            if (v !== null) ws.getCell(i + 1, c + 1).value = v;
          });
        });
        const buf = Buffer.from(await wb.xlsx.writeBuffer());
        const [sheet] = await readBuffer(buf);
        assert.deepEqual(
          sheet!.rows.map((r) => [r.rowNumber, ...r.cells]),
          expectedRows(rows, false),
        );
      },
    ),
    { numRuns: 120 },
  );
});

test('property: cells written by the exceljs streaming writer (inline t="str" text) read back exactly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(cellValue(false), { maxLength: 8 }), { minLength: 1, maxLength: 8 }), async (rows) => {
      const out = new PassThrough();
      const parts: Buffer[] = [];
      out.on('data', (b: Buffer) => parts.push(b));
      const ended = new Promise((resolve) => out.on('end', resolve));
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
      const ws = wb.addWorksheet('P');
      rows.forEach((row, i) => {
        const r = ws.getRow(i + 1);
        row.forEach((v, c) => {
          if (v !== null) r.getCell(c + 1).value = v;
        });
        r.commit();
      });
      await ws.commit();
      await wb.commit();
      await ended;
      const [sheet] = await readBuffer(Buffer.concat(parts));
      assert.deepEqual(
        sheet!.rows.map((r) => [r.rowNumber, ...r.cells]),
        expectedRows(rows, true),
      );
    }),
    { numRuns: 80 },
  );
});

test('scanFloor inflates the first worksheet and counts its "<" bytes', async () => {
  const xml = sheetXml('<row r="1"><c><v>1</v></c></row><row r="2"><c t="inlineStr"><is><t>&lt;</t></is></c></row>');
  const buf = xlsx({
    sheets: [
      { name: 'A', xml },
      { name: 'B', xml: sheetXml('') },
    ],
  });
  const floor = await scanFloor(bufferByteSource('t.xlsx', buf));
  assert.deepEqual(floor, { sheet: 'A', inflatedBytes: Buffer.byteLength(xml), lessThan: xml.split('<').length - 1 });
  assert.equal((await scanFloor(bufferByteSource('t.xlsx', buf), 1)).sheet, 'B');
});
