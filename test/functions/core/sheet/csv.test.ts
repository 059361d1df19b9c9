import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import {
  detectDelimiter,
  detectEncoding,
  openCsv,
  PREFIX_BYTES,
  sheetNameOf,
  type CsvWorkbook,
} from '../../../../functions/core/sheet/csv.ts';
import { bufferByteSource, fileByteSource } from '../../../../functions/core/sheet/source.ts';
import { SpreadsheetError, type ByteSource, type Row } from '../../../../functions/core/sheet/types.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/bad/${name}`, import.meta.url));

/** Each row as [rowNumber, ...cell values] ('' for an empty cell inside the row). */
async function readAll(wb: CsvWorkbook): Promise<Array<[number, ...string[]]>> {
  const out: Array<[number, ...string[]]> = [];
  for await (const sheet of wb.sheets()) {
    for await (const row of sheet.rows()) out.push([row.rowNumber, ...row.cells.map((c) => (c ? String(c.v) : ''))]);
  }
  await wb.close();
  return out;
}

const fromText = (text: string, chunk?: number, name = 'upload.csv'): ByteSource =>
  bufferByteSource(name, Buffer.from(text, 'utf8'), chunk);

async function rowsOf(text: string, chunk?: number): Promise<Array<[number, ...string[]]>> {
  return readAll(await openCsv(fromText(text, chunk)));
}

async function firstRows(wb: CsvWorkbook): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const sheet of wb.sheets()) for await (const r of sheet.rows()) rows.push(r);
  return rows;
}

const isError = (type: string, reason: string, params?: Record<string, unknown>) => (e: unknown) => {
  assert.ok(e instanceof SpreadsheetError, `expected a SpreadsheetError, got ${String(e)}`);
  assert.equal(e.type, type);
  assert.equal(e.reason, reason);
  for (const [k, v] of Object.entries(params ?? {})) assert.equal(e.params[k], v, `params.${k}`);
  return true;
};

// --- fixtures ---------------------------------------------------------------------------------------------------

test('a Windows-1252 CSV (Excel "CSV (Comma delimited)") is decoded with its accents, ñ and €', async () => {
  const wb = await openCsv(await fileByteSource(fixture('windows-1252.csv')));
  assert.equal(wb.encoding, 'windows-1252');
  const rows = await readAll(wb);
  assert.deepEqual(rows[1], [
    2,
    'ES',
    'ES-2021-0042',
    '1',
    '2021-07-19',
    'Jeringas estériles',
    '300',
    '1.250,00',
    'EUR',
    'Año 2021: señal de alarma',
  ]);
  assert.equal(rows[2]![5], 'Sérum physiologique');
  assert.equal(rows[2]![9], 'Colis déclaré « cadeau » – 12 €');
});

test('a semicolon CSV with decimal commas is split on semicolons and keeps the numbers as written', async () => {
  const wb = await openCsv(await fileByteSource(fixture('semicolon-decimal-comma.csv')));
  assert.equal(wb.delimiter, ';');
  assert.equal(wb.encoding, 'utf-8');
  assert.deepEqual(await readAll(wb), [
    [1, 'Référence du cas', 'Ligne', 'Date de saisie', 'Produit', 'Quantité', 'Valeur estimée', 'Devise'],
    [2, 'FR-2021-0003', '1', '03/05/2021', 'Gants chirurgicaux', '1500', '2 450,75', 'EUR'],
    [3, 'FR-2021-0003', '2', '03/05/2021', 'Tests antigéniques', '200', '1,5', 'EUR'],
  ]);
});

test('the UTF-8 byte order mark is not part of the first header cell', async () => {
  const wb = await openCsv(await fileByteSource(fixture('utf8-bom.csv')));
  assert.equal(wb.encoding, 'utf-8');
  assert.deepEqual(await readAll(wb), [
    [1, 'Case reference', 'Product', 'Quantity'],
    [2, 'GB-2021-0100', 'Ibuprofen 200 mg', '600'],
    [3, 'GB-2021-0101', 'Naïve test kit', '12'],
  ]);
});

const TAB_ROWS = [
  [1, 'Case reference', 'Product', 'Quantity', 'Remarks'],
  [2, 'DE-2021-0009', 'Insulin pens, 3 ml', '40', 'found in a car; driver arrested'],
  [3, 'DE-2021-0010', 'Masks', '1000'],
];

test('a tab-separated file is split on tabs, its commas and semicolons staying inside cells', async () => {
  const wb = await openCsv(await fileByteSource(fixture('tab-separated.tsv')));
  assert.equal(wb.delimiter, '\t');
  assert.deepEqual(await readAll(wb), TAB_ROWS);
});

test('UTF-16 with a byte order mark (Excel "Unicode Text") is decoded', async () => {
  const wb = await openCsv(await fileByteSource(fixture('unicode-text.txt')));
  assert.equal(wb.encoding, 'utf-16le');
  assert.equal(wb.delimiter, '\t');
  assert.deepEqual(await readAll(wb), TAB_ROWS);
});

test('quoted fields keep their line breaks and doubled quotes; each row is numbered by the line it starts on', async () => {
  const rows = await readAll(await openCsv(await fileByteSource(fixture('quoted-newlines.csv'))));
  assert.deepEqual(rows, [
    [1, 'Case reference', 'Remarks', 'Quantity'],
    [2, 'IT-2021-0001', 'Hidden in a parcel\r\nlabelled "gift"', '10'],
    [4, 'IT-2021-0002', 'two\nlines, one comma', '20'],
    [6, 'IT-2021-0003', 'plain', '30'],
  ]);
});

test('the sheet is named after the file, without directories or extension', async () => {
  const wb = await openCsv(await fileByteSource(fixture('windows-1252.csv')));
  const names: string[] = [];
  for await (const s of wb.sheets()) names.push(s.name);
  await wb.close();
  assert.deepEqual(names, ['windows-1252']);
  assert.equal(sheetNameOf('uploads/FR/STOP II v2.final.csv'), 'STOP II v2.final');
  assert.equal(sheetNameOf('C:\\Users\\douane\\saisies.CSV'), 'saisies');
  assert.equal(sheetNameOf('noextension'), 'noextension');
});

// --- cells ------------------------------------------------------------------------------------------------------

test('cells are strings exactly as written: spaces, leading zeros and number formats are kept', async () => {
  const wb = await openCsv(fromText('a,b,c,d\n  FR-1 ,007,"1,5",2021-05-03\n'));
  const rows = await firstRows(wb);
  assert.deepEqual(rows[1]!.cells, [
    { t: 'string', v: '  FR-1 ' },
    { t: 'string', v: '007' },
    { t: 'string', v: '1,5' },
    { t: 'string', v: '2021-05-03' },
  ]);
});

test('empty fields are undefined and trailing empty fields are dropped', async () => {
  const rows = await firstRows(await openCsv(fromText('a,b,c,d\nx,,"",y,,\nz,,,\n')));
  assert.deepEqual(rows[1]!.cells, [{ t: 'string', v: 'x' }, undefined, undefined, { t: 'string', v: 'y' }]);
  assert.deepEqual(rows[2]!.cells, [{ t: 'string', v: 'z' }]);
});

test('blank lines and rows of empty fields are skipped but still counted in row numbers', async () => {
  assert.deepEqual(await rowsOf('a,b\n\n,,\n\r\n1,2\n'), [
    [1, 'a', 'b'],
    [5, '1', '2'],
  ]);
});

test('CRLF, LF and old-Mac CR line ends each end one line', async () => {
  assert.deepEqual(await rowsOf('a,b\r\n1,2\n3,4\r5,6'), [
    [1, 'a', 'b'],
    [2, '1', '2'],
    [3, '3', '4'],
    [4, '5', '6'],
  ]);
});

test('a stray quote inside a field is kept; text after a closing quote is appended (as Excel reads it)', async () => {
  assert.deepEqual(await rowsOf('a,b\n12" screen,"abc"def\n'), [
    [1, 'a', 'b'],
    [2, '12" screen', 'abcdef'],
  ]);
});

test('records, quotes and multi-byte characters split across one-byte chunks read the same as whole', async () => {
  const text = 'Référence;Remarque\r\n"FR-1";"a ""b""\r\nc ; d"\r\nFR-2;€ 5\r\n';
  const whole = await rowsOf(text);
  assert.deepEqual(await rowsOf(text, 1), whole);
  assert.deepEqual(whole, [
    [1, 'Référence', 'Remarque'],
    [2, 'FR-1', 'a "b"\r\nc ; d'],
    [4, 'FR-2', '€ 5'],
  ]);
});

test('a Windows-1252 file read one byte at a time decodes the same', async () => {
  const buf = Buffer.from('Produit,Quantité\r\nSérum,3\r\n', 'latin1');
  const rows = await readAll(await openCsv(bufferByteSource('x.csv', buf, 1)));
  assert.deepEqual(rows, [
    [1, 'Produit', 'Quantité'],
    [2, 'Sérum', '3'],
  ]);
});

test('a file with no line break at the end still yields its last row', async () => {
  assert.deepEqual(await rowsOf('a,b\n1,'), [
    [1, 'a', 'b'],
    [2, '1'],
  ]);
});

test('any records written with RFC 4180 quoting read back as written, however the bytes are chunked', async () => {
  const char = fc.constantFrom('a', 'é', '€', ' ', ',', ';', '\t', '"', '\r', '\n', '\r\n', '1', '😀');
  const field = fc.array(char, { maxLength: 6 }).map((cs) => cs.join(''));
  const record = fc.array(field, { minLength: 1, maxLength: 5 }).filter((r) => r.some((f) => f !== ''));
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { minLength: 1, maxLength: 8 }),
      fc.constantFrom(',', ';', '\t'),
      fc.constantFrom('\r\n', '\n'),
      fc.integer({ min: 1, max: 40 }),
      async (records, delim, eol, chunk) => {
        const quote = (f: string): string => (/[",;\t\r\n]/.test(f) || f.startsWith(' ') ? `"${f.replace(/"/g, '""')}"` : f);
        let text = `sep=${delim}${eol}`;
        let line = 2;
        const expected: Array<[number, ...string[]]> = [];
        for (const r of records) {
          const trimmed = [...r];
          while (trimmed.at(-1) === '') trimmed.pop();
          expected.push([line, ...trimmed]);
          const written = r.map(quote).join(delim) + eol;
          line += (written.match(/\r\n|\r|\n/g) ?? []).length;
          text += written;
        }
        assert.deepEqual(await rowsOf(text, chunk), expected);
      },
    ),
    { numRuns: 300 },
  );
});

// --- delimiter detection ------------------------------------------------------------------------------------------

test('Excel\'s "sep=;" first line sets the delimiter and is not a row', async () => {
  const wb = await openCsv(fromText('sep=;\r\nCase;Value\r\nFR-1;1,5\r\n'));
  assert.equal(wb.delimiter, ';');
  assert.deepEqual(await readAll(wb), [
    [2, 'Case', 'Value'],
    [3, 'FR-1', '1,5'],
  ]);
});

test('semicolons win over decimal commas even when the rows are ragged', () => {
  const text = 'Case;Qty;Value;Currency;Remarks\nFR-1;1;2,5;EUR\nFR-2;3;4,75\nFR-3;5;6,5;EUR;x\n';
  assert.equal(detectDelimiter(text, true), ';');
});

test('commas win over semicolons that appear in free text', () => {
  const text = 'Case,Transit,Qty\nFR-1,"DE;BE",1\nFR-2,NL;BE,2\nFR-3,,3\n';
  assert.equal(detectDelimiter(text, true), ',');
});

test('a quoted delimiter does not count when choosing the delimiter', () => {
  const text = 'Case;Remarks\n"FR-1";"a, b, c"\n"FR-2";"d, e"\n';
  assert.equal(detectDelimiter(text, true), ';');
});

test('a one-column file is read with commas', async () => {
  const wb = await openCsv(fromText('Case reference\nFR-1\nFR-2\n'));
  assert.equal(wb.delimiter, ',');
  assert.deepEqual(await readAll(wb), [
    [1, 'Case reference'],
    [2, 'FR-1'],
    [3, 'FR-2'],
  ]);
});

// --- encoding -----------------------------------------------------------------------------------------------------

test('the encoding is decided from the first bytes: valid UTF-8 is UTF-8, anything else Windows-1252', () => {
  assert.equal(detectEncoding(Buffer.from('Quantité', 'utf8'), true).encoding, 'utf-8');
  assert.equal(detectEncoding(Buffer.from('Quantité', 'latin1'), true).encoding, 'windows-1252');
  // A prefix cut inside a character is still UTF-8, unless it is the whole file.
  const cut = Buffer.from('Quantité', 'utf8').subarray(0, 8);
  assert.equal(detectEncoding(cut, false).encoding, 'utf-8');
  assert.equal(detectEncoding(cut, true).encoding, 'windows-1252');
  // Overlong forms and UTF-16 surrogates are not UTF-8.
  assert.equal(detectEncoding(Buffer.from([0x41, 0xc0, 0xaf]), true).encoding, 'windows-1252');
  assert.equal(detectEncoding(Buffer.from([0x41, 0xed, 0xa0, 0x80]), true).encoding, 'windows-1252');
});

/** A UTF-8 file longer than the prefix, with `bad` bytes in line `line` (1-based). */
function lateBytes(bad: Buffer, lines = 3000): { buf: Buffer; line: number } {
  const head = Buffer.from(
    'Case,Product\n' + Array.from({ length: lines }, (_, i) => `FR-${i},Masques chirurgicaux ordinaires\n`).join(''),
    'utf8',
  );
  assert.ok(head.length > PREFIX_BYTES);
  return { buf: Buffer.concat([head, Buffer.from('FR-x,S'), bad, Buffer.from('rum\nFR-y,ok\n')]), line: lines + 2 };
}

test('a byte that is not UTF-8 after the first 64 KiB of a UTF-8 file is an encoding error naming its line', async () => {
  const { buf, line } = lateBytes(Buffer.from([0xe9])); // é in Windows-1252
  const wb = await openCsv(bufferByteSource('late.csv', buf));
  assert.equal(wb.encoding, 'utf-8');
  let seen = 0;
  await assert.rejects(
    async () => {
      for await (const sheet of wb.sheets()) for await (const _ of sheet.rows()) seen++;
    },
    isError('encoding-error', 'invalid-utf8', { line }),
  );
  assert.equal(seen, line - 1, 'the rows before the bad line were read');
});

test('the line of a bad byte is right when the file arrives in small chunks', async () => {
  const { buf, line } = lateBytes(Buffer.from([0xe9]), 2500);
  const wb = await openCsv(bufferByteSource('late.csv', buf, 7));
  await assert.rejects(readAll(wb), isError('encoding-error', 'invalid-utf8', { line }));
});

test('a UTF-8 file ending inside a multi-byte character is an encoding error', async () => {
  const { buf } = lateBytes(Buffer.alloc(0));
  const cut = Buffer.concat([buf, Buffer.from([0xe2, 0x82])]); // the first two bytes of €
  await assert.rejects(readAll(await openCsv(bufferByteSource('cut.csv', cut))), isError('encoding-error', 'invalid-utf8'));
});

test('a file with a UTF-8 byte order mark and Windows-1252 bytes is an encoding error, not guessed', async () => {
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\nS\xe9rum,3\n', 'latin1')]);
  const wb = await openCsv(bufferByteSource('bom.csv', buf));
  assert.equal(wb.encoding, 'utf-8');
  await assert.rejects(readAll(wb), isError('encoding-error', 'invalid-utf8', { line: 3 }));
});

test('UTF-16 with an odd number of bytes is an encoding error', async () => {
  const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\r\n1,2\r\n', 'utf16le'), Buffer.from([0x41])]);
  await assert.rejects(readAll(await openCsv(bufferByteSource('u16.csv', buf))), isError('encoding-error', 'invalid-utf16'));
});

test('UTF-16 big-endian with a byte order mark is decoded', async () => {
  const le = Buffer.from('a;b\r\nñ;€\r\n', 'utf16le');
  const be = Buffer.from(le).swap16();
  const wb = await openCsv(bufferByteSource('be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be])));
  assert.equal(wb.encoding, 'utf-16be');
  assert.deepEqual(await readAll(wb), [
    [1, 'a', 'b'],
    [2, 'ñ', '€'],
  ]);
});

// --- quoting errors -----------------------------------------------------------------------------------------------

test('a quote never closed is a format error naming the line where it opens', async () => {
  await assert.rejects(rowsOf('a,b\n1,2\n3,"never closed\n4,5\n6,7\n'), isError('format-error', 'csv-unclosed-quote', { line: 3 }));
});

// --- streaming ----------------------------------------------------------------------------------------------------

/** A ByteSource that counts the bytes its streams have produced and remembers them. */
function countingSource(buf: Buffer): ByteSource & { read: number; streams: Readable[] } {
  const inner = bufferByteSource('big.csv', buf, 16 * 1024);
  const s = {
    name: inner.name,
    size: inner.size,
    read: 0,
    streams: [] as Readable[],
    createReadStream(start: number, end: number): Readable {
      const r = inner.createReadStream(start, end);
      r.on('data', (c: Buffer) => (s.read += c.length));
      s.streams.push(r);
      return r;
    },
  };
  return s;
}

const bigCsv = (): Buffer => Buffer.from('Case,Qty\n' + Array.from({ length: 100_000 }, (_, i) => `FR-${i},${i}\n`).join(''), 'utf8');

test('opening reads only about the first 64 KiB; the rest is read as rows are consumed', async () => {
  const buf = bigCsv();
  const src = countingSource(buf);
  const wb = await openCsv(src);
  assert.ok(src.read < PREFIX_BYTES + 64 * 1024, `read ${src.read} of ${buf.length} bytes on open`);
  let n = 0;
  for await (const sheet of wb.sheets()) for await (const _ of sheet.rows()) n++;
  assert.equal(n, 100_001);
  assert.equal(src.read, buf.length);
});

test('stopping after a few rows stops reading and releases the stream', async () => {
  const buf = bigCsv();
  const src = countingSource(buf);
  const wb = await openCsv(src);
  for await (const sheet of wb.sheets()) {
    let n = 0;
    for await (const _ of sheet.rows()) if (++n === 10) break;
  }
  assert.ok(src.read < buf.length / 2);
  assert.ok(src.streams.every((r) => r.destroyed));
});

test('closing an unread workbook releases its stream', async () => {
  const src = countingSource(bigCsv());
  const wb = await openCsv(src);
  await wb.close();
  assert.ok(src.streams.every((r) => r.destroyed));
});
