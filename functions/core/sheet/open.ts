/**
 * Opens an uploaded spreadsheet, deciding what it is from its bytes, not its name. This is the one place where files
 * are sniffed: a PDF named .xlsx is a PDF, an .xlsx named .csv is read as a workbook, and a workbook the pipeline
 * cannot read (.xls, .xlsm, .xlsb, .ods, an encrypted .xlsx) is refused with what it is, so the report can tell the
 * Member what to send instead.
 *
 * Every SpreadsheetError raised here carries `extension` (of the uploaded name, lower case, no dot; '' if none) and
 * `detected` (what the bytes are: xlsx, xlsm, xlsb, ods, odf, docx, pptx, zip, xls, doc, ppt, ole2, encrypted-ooxml,
 * pdf, png, jpeg, gif, tiff, rar, 7z, gzip, binary, csv, html, xml, spreadsheetml, rtf, utf-16-without-bom).
 */
import { extname } from 'node:path';
import { BlockReader } from './blocks.ts';
import { openCsv } from './csv.ts';
import { openXlsx } from './xlsx.ts';
import { DEFAULT_LIMITS, SpreadsheetError, type ByteSource, type ReadLimits, type Workbook } from './types.ts';

/** Bytes read from the start of the file to sniff it. */
const HEAD_BYTES = 8 * 1024;
/** Names under which text is read as CSV. */
const TEXT_EXTENSIONS: ReadonlySet<string> = new Set(['csv', 'txt', 'tsv']);
/** Names of macro-enabled Excel workbooks, templates and add-ins. */
const MACRO_EXTENSIONS: ReadonlySet<string> = new Set(['xlsm', 'xltm', 'xlam']);

export type Detection =
  /** A workbook for openXlsx (or a zip whose directory could not be read: openXlsx reports how it is damaged). */
  | { readonly open: 'xlsx'; readonly extension: string; readonly detected: 'xlsx' | 'zip' }
  | { readonly open: 'csv'; readonly extension: string; readonly detected: 'csv' };

/** Extension of an uploaded name, lower case, without the dot ('' if none). */
export function extensionOf(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const ext = extname(base);
  return ext && ext !== base ? ext.slice(1).toLowerCase() : '';
}

/**
 * Opens `source` as a workbook: checks its size, sniffs its bytes (`detectFormat`) and hands it to the xlsx or CSV
 * reader. Throws SpreadsheetError for files that cannot be read; the readers throw it for damage found later.
 */
export async function openSpreadsheet(source: ByteSource, limits?: Partial<ReadLimits>): Promise<Workbook> {
  const d = await detectFormat(source, limits);
  return d.open === 'xlsx' ? openXlsx(source, limits) : openCsv(source, limits);
}

/** Decides what `source` is, or throws the SpreadsheetError that says why it cannot be read. */
export async function detectFormat(source: ByteSource, limits?: Partial<ReadLimits>): Promise<Detection> {
  const max = limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const extension = extensionOf(source.name);
  if (source.size > max) {
    throw new SpreadsheetError('size-error', 'too-large', `file is ${source.size} bytes, more than ${max}`, {
      size: source.size,
      max,
      extension,
    });
  }
  if (source.size === 0) {
    throw new SpreadsheetError('source-error', 'empty', 'the file is empty', { extension, detected: 'empty' });
  }
  const head = await readRange(source, 0, Math.min(source.size, HEAD_BYTES));
  const formatError = (reason: string, detected: string, detail: string): SpreadsheetError =>
    new SpreadsheetError('format-error', reason, detail, { extension, detected });

  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY)) {
    const detected = await classifyZip(source, head, extension);
    switch (detected) {
      case 'xlsx':
      case 'zip-unreadable':
        return { open: 'xlsx', extension, detected: detected === 'xlsx' ? 'xlsx' : 'zip' };
      case 'xlsm':
        throw formatError('xlsm', 'xlsm', 'macro-enabled workbook (.xlsm) is not accepted');
      case 'xlsb':
        throw formatError('xlsb', 'xlsb', 'binary Excel workbook (.xlsb) is not accepted');
      case 'ods':
        throw formatError('ods', 'ods', 'OpenDocument spreadsheet (.ods) is not accepted');
      default:
        throw formatError('unsupported', detected, `a ${detected} archive, not a workbook`);
    }
  }

  if (startsWith(head, OLE2)) {
    const names = await compoundFileNames(source).catch((e: unknown) => {
      if (e instanceof CorruptCompoundFile) return undefined;
      throw e;
    });
    if (!names) {
      throw new SpreadsheetError('source-error', 'corrupt', 'an OLE2 compound file whose directory cannot be read', {
        extension,
        detected: 'ole2',
      });
    }
    if (names.has('EncryptionInfo') || names.has('EncryptedPackage')) {
      throw new SpreadsheetError('source-error', 'encrypted', 'the workbook is encrypted with a password', {
        extension,
        detected: 'encrypted-ooxml',
      });
    }
    if (names.has('Workbook') || names.has('Book')) {
      throw formatError('xls', 'xls', 'legacy Excel 97-2003 workbook (.xls) is not accepted');
    }
    const other = names.has('WordDocument') ? 'doc' : names.has('PowerPoint Document') ? 'ppt' : 'ole2';
    throw formatError('unsupported', other, `an OLE2 compound file (${other}), not a workbook`);
  }

  for (const [magic, kind] of MAGIC) {
    if (startsWith(head, magic)) {
      throw formatError(kind === 'pdf' ? 'pdf' : 'unsupported', kind, `a ${kind} file, not a spreadsheet`);
    }
  }

  const text = sniffText(head);
  if (text === 'binary') throw formatError('unsupported', 'binary', 'binary content that is not a spreadsheet');
  if (!TEXT_EXTENSIONS.has(extension)) {
    throw formatError('misnamed-text', text, `text (${text}) under the name .${extension}, not a workbook`);
  }
  if (text === 'utf-16-without-bom') {
    throw new SpreadsheetError('encoding-error', 'utf16-without-bom', 'UTF-16 text without a byte order mark', {
      extension,
      detected: text,
    });
  }
  if (text !== 'csv') throw formatError('unsupported', text, `${text} text, not CSV`);
  return { open: 'csv', extension, detected: 'csv' };
}

// ---------------------------------------------------------------------------------------------------------------
// Magic numbers

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/** Binary formats Members have been seen to send instead of a spreadsheet, named for logs and the report. */
const MAGIC: ReadonlyArray<readonly [readonly number[], string]> = [
  [ascii('%PDF-'), 'pdf'],
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'png'],
  [[0xff, 0xd8, 0xff], 'jpeg'],
  [ascii('GIF8'), 'gif'],
  [[0x49, 0x49, 0x2a, 0x00], 'tiff'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'tiff'],
  [ascii('Rar!\x1a\x07'), 'rar'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], '7z'],
  [[0x1f, 0x8b], 'gzip'],
];

function startsWith(b: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (b.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[at + i] !== magic[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

type TextKind = 'csv' | 'html' | 'xml' | 'spreadsheetml' | 'rtf' | 'utf-16-without-bom' | 'binary';

/**
 * Whether the first bytes are text, and which: CSV-like text in UTF-8, Windows-1252 or UTF-16 with a BOM; or text that
 * a CSV reader must not read (HTML pages and Excel 2003 XML that old "export to Excel" features name .xls, RTF).
 */
export function sniffText(head: Uint8Array): TextKind {
  let text: string;
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    const le = head[0] === 0xff;
    text = new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(head.subarray(0, head.length & ~1));
  } else {
    if (head.includes(0)) return utf16WithoutBom(head) ? 'utf-16-without-bom' : 'binary';
    let controls = 0;
    for (const c of head) {
      // Tab, LF, FF, CR and DOS end-of-file are at home in text; other C0 controls and DEL are not.
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d && c !== 0x1a) || c === 0x7f) controls++;
    }
    if (controls > head.length / 100) return 'binary';
    // Markers are ASCII: Latin-1 keeps byte offsets and never fails.
    text = new TextDecoder('latin1').decode(head.subarray(0, 1024));
    if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  }
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (start.startsWith('{\\rtf')) return 'rtf';
  if (start.startsWith('<?xml')) return start.includes('urn:schemas-microsoft-com:office:spreadsheet') ? 'spreadsheetml' : 'xml';
  if (/^<(!doctype html|html|head|body|table|meta)\b/.test(start)) return 'html';
  return 'csv';
}

/** UTF-16 text without a BOM: one byte of every pair is zero, the other is not. */
function utf16WithoutBom(head: Uint8Array): boolean {
  const n = Math.min(head.length, 2048) & ~1;
  if (n < 4) return false;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  return (zeroOdd >= 0.9 * pairs && zeroEven <= 0.1 * pairs) || (zeroEven >= 0.9 * pairs && zeroOdd <= 0.1 * pairs);
}

// ---------------------------------------------------------------------------------------------------------------
// Zip

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';
const ODF_MIME = 'application/vnd.oasis.opendocument.';

/**
 * What a zip holds, from its stored `mimetype` (ODF puts it first, uncompressed) and its central directory's entry
 * names. 'zip-unreadable' when the directory cannot be found or read (truncated or damaged file).
 */
async function classifyZip(source: ByteSource, head: Uint8Array, extension: string): Promise<string> {
  // ODF: local header of "mimetype" at 0, its stored content right after the 30-byte header and the 8-byte name.
  if (startsWith(head, ascii('mimetype'), 30)) {
    const mime = new TextDecoder('latin1').decode(head.subarray(38, 38 + 80));
    if (mime.startsWith(ODS_MIME)) return 'ods';
    if (mime.startsWith(ODF_MIME)) return 'odf';
  }
  const names = await zipEntryNames(source);
  if (!names) return 'zip-unreadable';
  const has = (n: string): boolean => names.has(n);
  if (has('content.xml') && has('meta-inf/manifest.xml')) return 'ods';
  if (has('xl/workbook.bin')) return 'xlsb';
  if (has('xl/workbook.xml')) return has('xl/vbaproject.bin') || MACRO_EXTENSIONS.has(extension) ? 'xlsm' : 'xlsx';
  if (has('word/document.xml')) return 'docx';
  if (has('ppt/presentation.xml')) return 'pptx';
  return 'zip';
}

/**
 * Entry names (lower case) from a zip's central directory, read from the end of the file: the end-of-central-
 * directory record (and the Zip64 one when the sizes overflow), then the directory itself. Undefined when it cannot be
 * found or does not parse.
 */
export async function zipEntryNames(source: ByteSource): Promise<Set<string> | undefined> {
  const size = source.size;
  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await readRange(source, tailStart, size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const eocdAt = tailStart + eocd;
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || !startsWith(tail, [0x50, 0x4b, 0x06, 0x07], loc)) return undefined;
    const z64At = Number(tail.readBigUInt64LE(loc + 8));
    if (z64At + 56 > eocdAt) return undefined;
    const z64 = await readRange(source, z64At, z64At + 56);
    if (z64.length < 56 || !startsWith(z64, [0x50, 0x4b, 0x06, 0x06])) return undefined;
    entries = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > eocdAt) return undefined;
  const cd = await readRange(source, cdOffset, cdOffset + cdSize);
  if (cd.length !== cdSize) return undefined;
  const names = new Set<string>();
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || !startsWith(cd, [0x50, 0x4b, 0x01, 0x02], p)) return undefined;
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLen > cd.length) return undefined;
    names.add(
      cd
        .toString('utf8', p + 46, p + 46 + nameLen)
        .replace(/\\/g, '/')
        .replace(/^\//, '')
        .toLowerCase(),
    );
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// OLE2 compound file (MS-CFB)

const END_OF_CHAIN = 0xfffffffe;
/**
 * Most directory sectors walked. Every directory entry takes 128 bytes: 128 sectors hold 512 entries (2,048 in
 * 4 KiB sectors), where a real .xls has a handful to a few tens (its streams, a VBA project's modules, embedded
 * objects) and an encrypted package about ten. Over S3 each sector may cost a GET for itself and one for its FAT
 * sector: at most about 260 GETs, seconds, where a chain through every sector of a 25 MB file took 51,000.
 */
export const MAX_DIRECTORY_SECTORS = 128;

/** The compound file's structure is inconsistent (as opposed to the source failing to deliver its bytes). */
class CorruptCompoundFile extends Error {}

/**
 * Names of the storages and streams in an OLE2 compound file: the header, the FAT sectors holding the directory's
 * chain (looked up through the DIFAT, as far as needed), then the directory sectors, all read through 64 KiB blocks.
 * Throws CorruptCompoundFile when the structure is inconsistent or the directory is longer than a real one.
 */
export async function compoundFileNames(source: ByteSource): Promise<Set<string>> {
  if (source.size < 512) throw new CorruptCompoundFile('short compound file header');
  const blocks = new BlockReader(source);
  const header = await blocks.read(0, 512);
  const shift = header.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) throw new CorruptCompoundFile(`sector shift ${shift}`);
  const ss = 1 << shift;
  const perSector = ss / 4;
  const numFat = header.readUInt32LE(0x2c);
  const firstDir = header.readUInt32LE(0x30);
  const numDifat = header.readUInt32LE(0x48);
  const maxSectors = Math.ceil(source.size / ss);
  // Counts in the header are the file's word only: none can exceed the sectors the file has, and no chain may visit a
  // sector twice (a chain pointing back to itself would otherwise be walked for ever, one ranged GET a step on S3).
  if (numFat > maxSectors || numDifat > maxSectors) {
    throw new CorruptCompoundFile(`the header claims ${numFat} FAT and ${numDifat} DIFAT sectors in a file of ${maxSectors}`);
  }

  const sector = (id: number): Promise<Buffer> => {
    const start = (id + 1) * ss;
    if (start + ss > source.size) throw new CorruptCompoundFile(`sector ${id} beyond the end of the file`);
    return blocks.read(start, ss);
  };

  // FAT sector ids: 109 in the header, the rest in the DIFAT chain, read only as far as a lookup needs (a sector id
  // is below maxSectors, so its FAT sector's index is too, divided by the ids a sector holds).
  const fatIds: number[] = [];
  for (let i = 0; i < 109 && fatIds.length < numFat; i++) fatIds.push(header.readUInt32LE(0x4c + 4 * i));
  let difatNext = header.readUInt32LE(0x44);
  let difatRead = 0;
  const difatSeen = new Set<number>();
  const fatId = async (f: number): Promise<number | undefined> => {
    while (f >= fatIds.length && fatIds.length < numFat && difatRead < numDifat) {
      if (difatSeen.has(difatNext)) throw new CorruptCompoundFile('the DIFAT chain loops');
      difatSeen.add(difatNext);
      const b = await sector(difatNext);
      difatRead++;
      for (let i = 0; i < perSector - 1 && fatIds.length < numFat; i++) fatIds.push(b.readUInt32LE(4 * i));
      difatNext = b.readUInt32LE(ss - 4);
    }
    return fatIds[f];
  };

  const next = async (id: number): Promise<number> => {
    const f = Math.floor(id / perSector);
    const at = await fatId(f);
    if (at === undefined) throw new CorruptCompoundFile(`sector ${id} is not in the FAT`);
    return (await sector(at)).readUInt32LE(4 * (id % perSector));
  };

  const names = new Set<string>();
  let id = firstDir;
  const dirSeen = new Set<number>();
  while (id !== END_OF_CHAIN) {
    if (dirSeen.has(id)) throw new CorruptCompoundFile('the directory chain loops');
    if (dirSeen.size >= MAX_DIRECTORY_SECTORS) {
      throw new CorruptCompoundFile(`the directory is longer than ${MAX_DIRECTORY_SECTORS} sectors`);
    }
    dirSeen.add(id);
    const b = await sector(id);
    for (let e = 0; e + 128 <= ss; e += 128) {
      const type = b[e + 0x42];
      const nameLen = b.readUInt16LE(e + 0x40);
      if (type === 0 || nameLen < 2 || nameLen > 64) continue;
      names.add(b.toString('utf16le', e, e + nameLen - 2));
    }
    id = await next(id);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------------------------

/** Bytes [start, end) of `source` (fewer if the source ends first). */
async function readRange(source: ByteSource, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const chunk of source.createReadStream(start, end))
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}
