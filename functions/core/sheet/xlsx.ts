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
 * scanned with `XmlScanner` below, a small streaming tokenizer over the same decoded text: saxes alone takes about 3x
 * the time of inflating a worksheet, before any cell is built, which is more than the whole budget of this reader.
 * The scanner reads elements, attributes, text, CDATA, comments and processing instructions, decodes entities exactly
 * once, and refuses DTDs; it checks less well-formedness than saxes (end tags are not matched against start tags).
 *
 * Limits: the file size before anything is read; the declared size and compression ratio of every entry from the
 * central directory; and the bytes actually inflated from every entry read, counted as they stream (a lying header
 * gains nothing). Damage is a SpreadsheetError('source-error', 'corrupt'); errors of the ByteSource itself (network,
 * disk) are passed through unchanged so that the caller can retry.
 */
import { posix } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import zlib from 'node:zlib';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import {
  DEFAULT_LIMITS,
  SpreadsheetError,
  type ByteSource,
  type Cell,
  type ReadLimits,
  type Row,
  type Sheet,
  type Workbook,
} from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Limits and errors

/** Size of the chunks inflated from an entry (and so of the text chunks scanned). */
const INFLATE_CHUNK = 64 * 1024;
/** The compression-ratio limit applies to entries above this size (ReadLimits.maxCompressionRatio). */
const RATIO_APPLIES_ABOVE = 1024 * 1024;
/** Most entries accepted in a zip (an xlsx has tens): each costs memory before any limit on bytes can act. */
const MAX_ENTRIES = 10_000;
/** Longest tag, comment or CDATA section the scanner holds while waiting for its end. */
const MAX_MARKUP = 1024 * 1024;
/** Columns in a worksheet (A..XFD). */
const MAX_COLUMNS = 16_384;

/** Errors of the ByteSource itself (not of the file's content): rethrown as they are. */
const sourceFailures = new WeakSet<object>();

/** Malformed XML found by the scanner or the part readers. */
class XmlError extends Error {}

function corrupt(detail: string, params: Record<string, string | number> = {}): SpreadsheetError {
  return new SpreadsheetError('source-error', 'corrupt', detail, params);
}

/**
 * What an error met while reading `part` becomes: SpreadsheetErrors and failures of the source stay as they are;
 * invalid UTF-8 is an encoding error; malformed XML, zip and zlib errors (plain Errors) mean a damaged file. Anything
 * else (TypeError, RangeError...) is a bug here and is rethrown unchanged rather than blamed on the file.
 */
function classify(e: unknown, part: string): unknown {
  if (e instanceof SpreadsheetError) return e;
  if (typeof e === 'object' && e !== null && sourceFailures.has(e)) return e;
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    return new SpreadsheetError('encoding-error', 'invalid-utf8', `${part} is not valid UTF-8`, { part });
  }
  if (e instanceof XmlError) return corrupt(`${part}: ${e.message}`, { part });
  if (e instanceof Error && (e.constructor === Error || typeof (e as NodeJS.ErrnoException).code === 'string')) {
    return corrupt(`${part}: ${e.message}`, { part });
  }
  return e;
}

function zipBomb(
  entry: yauzl.Entry,
  uncompressed: number,
  measured: 'declared' | 'inflated',
  limits: ReadLimits,
): SpreadsheetError {
  const ratio = Math.round((uncompressed / Math.max(1, entry.compressedSize)) * 10) / 10;
  return new SpreadsheetError(
    'size-error',
    'zip-bomb',
    `zip entry ${entry.fileName} ${measured === 'declared' ? 'declares' : 'inflates to'} ${uncompressed} bytes from ${entry.compressedSize} (ratio ${ratio}); limits are ${limits.maxEntryBytes} bytes and ratio ${limits.maxCompressionRatio}`,
    {
      entry: entry.fileName,
      measured,
      uncompressedBytes: uncompressed,
      compressedBytes: entry.compressedSize,
      ratio,
      maxEntryBytes: limits.maxEntryBytes,
      maxCompressionRatio: limits.maxCompressionRatio,
    },
  );
}

/** Throws if `uncompressed` bytes from `entry` break the entry size or compression ratio limit. */
function checkEntrySize(entry: yauzl.Entry, uncompressed: number, measured: 'declared' | 'inflated', limits: ReadLimits): void {
  if (
    uncompressed > limits.maxEntryBytes ||
    (uncompressed > RATIO_APPLIES_ABOVE && uncompressed > limits.maxCompressionRatio * Math.max(1, entry.compressedSize))
  ) {
    throw zipBomb(entry, uncompressed, measured, limits);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The zip, over a ByteSource

/** Bytes fetched at once for yauzl's small reads (end of central directory, directory, local headers). */
const BLOCK = 64 * 1024;
const CACHED_BLOCKS = 16;

/**
 * yauzl's random access over a ByteSource. Entry data is streamed range by range (`_readStreamForRange`); the small
 * reads yauzl makes for the directory and the local headers (two per entry) are served from 64 KiB blocks, so that
 * over S3 opening a workbook costs a few GETs, not one per read.
 */
class SourceReader extends yauzl.RandomAccessReader {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  constructor(private readonly source: ByteSource) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const expected = end - start;
    let got = 0;
    // The file is `size` bytes long by definition: a range that comes back short (or long) is the source failing,
    // not the file being damaged. Checked here, before yauzl's own count calls it a bad zip.
    const checked = new Transform({
      transform(chunk: Buffer, _enc, done) {
        got += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        done(got === expected ? null : sourceFailure(new Error(`the source gave ${got} bytes for a range of ${expected}`)));
      },
    });
    let stream: Readable;
    try {
      stream = this.source.createReadStream(start, end);
    } catch (e) {
      process.nextTick(() => checked.destroy(sourceFailure(e)));
      return checked;
    }
    stream.on('error', (e: unknown) => checked.destroy(sourceFailure(e)));
    return stream.pipe(checked);
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readInto(buffer, offset, length, position).then(
      () => callback(null),
      (e: Error) => callback(e),
    );
  }

  private async readInto(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const at = position + done;
      const index = Math.floor(at / BLOCK);
      const block = await this.block(index);
      const from = at - index * BLOCK;
      if (from >= block.length) throw new Error('unexpected end of file');
      const n = Math.min(length - done, block.length - from);
      block.copy(buffer, offset + done, from, from + n);
      done += n;
    }
  }

  private block(index: number): Promise<Buffer> {
    let b = this.blocks.get(index);
    if (b) {
      this.blocks.delete(index); // most recently used last
      this.blocks.set(index, b);
      return b;
    }
    const start = index * BLOCK;
    const end = Math.min(this.source.size, start + BLOCK);
    b = start >= end ? Promise.resolve(Buffer.alloc(0)) : readAll(this.source, start, end);
    b.catch(() => this.blocks.delete(index));
    this.blocks.set(index, b);
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    return b;
  }
}

/** The error `e` of the ByteSource, marked as such (see `classify`). */
function sourceFailure(e: unknown): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  sourceFailures.add(error);
  return error;
}

async function readAll(source: ByteSource, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of source.createReadStream(start, end)) parts.push(chunk as Buffer);
  } catch (e) {
    throw sourceFailure(e);
  }
  const data = Buffer.concat(parts);
  if (data.length !== end - start) throw sourceFailure(new Error(`the source gave ${data.length} bytes for a range of ${end - start}`));
  return data;
}

interface Package {
  readonly zip: yauzl.ZipFile;
  /** Entries by lower-case name (OPC part names are case-insensitive). */
  readonly entries: ReadonlyMap<string, yauzl.Entry>;
  readonly limits: ReadLimits;
}

async function openPackage(source: ByteSource, limits: ReadLimits): Promise<Package> {
  if (source.size > limits.maxFileBytes) {
    throw new SpreadsheetError('size-error', 'too-large', `file is ${source.size} bytes, more than ${limits.maxFileBytes}`, {
      size: source.size,
      max: limits.maxFileBytes,
    });
  }
  if (source.size === 0) throw new SpreadsheetError('source-error', 'empty', 'the file is empty', {});
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new SourceReader(source), source.size, {
      autoClose: false,
      lazyEntries: true,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (e) {
    throw classify(e, 'zip directory');
  }
  try {
    if (zip.entryCount > MAX_ENTRIES) {
      throw new SpreadsheetError('size-error', 'zip-bomb', `the zip has ${zip.entryCount} entries, more than ${MAX_ENTRIES}`, {
        entries: zip.entryCount,
        maxEntries: MAX_ENTRIES,
      });
    }
    const entries = new Map<string, yauzl.Entry>();
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      checkEntrySize(entry, entry.uncompressedSize, 'declared', limits);
      const key = entry.fileName.toLowerCase();
      if (entries.has(key)) throw corrupt(`the zip holds ${entry.fileName} twice`, { entry: entry.fileName });
      entries.set(key, entry);
    }
    return { zip, entries, limits };
  } catch (e) {
    zip.close();
    throw classify(e, 'zip directory');
  }
}

/**
 * The inflated bytes of `entry`, chunk by chunk, with backpressure (nothing is read ahead of the consumer beyond the
 * stream buffers). Counts the bytes inflated against the limits; stopping early (return) destroys the streams.
 */
async function* entryBytes(pkg: Package, entry: yauzl.Entry): AsyncGenerator<Buffer> {
  if (entry.isEncrypted()) throw corrupt(`zip entry ${entry.fileName} is encrypted`, { entry: entry.fileName });
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw corrupt(`zip entry ${entry.fileName} uses compression method ${entry.compressionMethod}`, { entry: entry.fileName });
  }
  const raw = await pkg.zip.openReadStreamPromise(entry, { decodeFileData: false });
  let stream: Readable = raw;
  if (entry.compressionMethod === 8) {
    const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
    pipeline(raw, inflate, () => {
      // errors reach the consumer through `inflate`
    });
    stream = inflate;
  }
  let inflated = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      checkEntrySize(entry, inflated, 'inflated', pkg.limits);
      yield chunk;
    }
  } finally {
    stream.destroy();
    if (stream !== raw) raw.destroy();
  }
  if (inflated !== entry.uncompressedSize) {
    throw corrupt(`zip entry ${entry.fileName} inflates to ${inflated} bytes, not the ${entry.uncompressedSize} its header says`, {
      entry: entry.fileName,
    });
  }
}

/**
 * Where the UTF-8 character that `b` ends in starts, if `b` ends before that character does (a valid lead byte
 * 0xC2-0xF4 with fewer continuation bytes after it than it needs); else b.length.
 */
function completeUtf8(b: Buffer): number {
  const n = b.length;
  const stop = Math.max(0, n - 4);
  let i = n - 1;
  while (i >= stop && (b[i]! & 0xc0) === 0x80) i--;
  if (i < stop) return n;
  const lead = b[i]!;
  if (lead < 0xc2 || lead > 0xf4) return n;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return n - i < need ? i : n;
}

/**
 * The text of an XML part, decoded as it streams (UTF-8, or UTF-16 with a BOM); invalid UTF-8 throws. UTF-8 is decoded
 * whole characters at a time, a character split across chunks being held back until its last byte comes: a TextDecoder
 * used without `stream` takes Node's fast UTF-8 path (about 4x faster than its streaming one, which goes through ICU).
 * Only the first call strips a byte order mark, as a streaming decoder would.
 */
async function* entryText(pkg: Package, entry: yauzl.Entry): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let utf8: TextDecoder | undefined;
  let started = false;
  /** Fewer than two bytes before the encoding is known; after, the start of a UTF-8 character split across chunks. */
  let head: Buffer | undefined;
  for await (let chunk of entryBytes(pkg, entry)) {
    if (head) {
      chunk = Buffer.concat([head, chunk]);
      head = undefined;
    }
    if (!decoder && !utf8) {
      if (chunk.length < 2) {
        head = chunk;
        continue;
      }
      if (chunk[0] === 0xff && chunk[1] === 0xfe) decoder = new TextDecoder('utf-16le', { fatal: true });
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) decoder = new TextDecoder('utf-16be', { fatal: true });
      else utf8 = new TextDecoder('utf-8', { fatal: true });
    }
    if (decoder) {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) yield text;
      continue;
    }
    const end = completeUtf8(chunk);
    if (end < chunk.length) head = Buffer.from(chunk.subarray(end));
    if (end === 0) continue;
    const text = utf8!.decode(end < chunk.length ? chunk.subarray(0, end) : chunk);
    if (!started) {
      started = true;
      utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    }
    if (text.length > 0) yield text;
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  } else if (head) {
    // A part of fewer than two bytes, or one that ends inside a character (which throws).
    const text = (utf8 ?? new TextDecoder('utf-8', { fatal: true })).decode(head);
    if (text.length > 0) yield text;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small parts (saxes)

const localName = (name: string): string => {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
};

/** Parses a whole part with saxes, calling `onOpen` for each start tag with its local name and attributes. */
async function parseSmallPart(
  pkg: Package,
  entry: yauzl.Entry,
  onOpen: (local: string, attrs: Record<string, string>) => void,
  onClose?: (local: string) => void,
): Promise<void> {
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  parser.on('opentag', (tag: SaxesTagPlain) => onOpen(localName(tag.name), tag.attributes));
  if (onClose) parser.on('closetag', (tag: SaxesTagPlain) => onClose(localName(tag.name)));
  try {
    for await (const text of entryText(pkg, entry)) parser.write(text);
    parser.close();
  } catch (e) {
    throw classify(e, entry.fileName);
  }
}

interface Relationship {
  readonly type: string;
  /** Part name, resolved against the source part, without the leading slash. */
  readonly target: string;
}

function resolveTarget(fromPart: string, target: string): string {
  if (target.startsWith('/')) return posix.normalize(target).slice(1);
  return posix.normalize(posix.join(posix.dirname(fromPart), target)).replace(/^(\.\.\/)+/, '');
}

/** The relationships of `part` (e.g. xl/workbook.xml -> xl/_rels/workbook.xml.rels), by Id; empty if none. */
async function readRelationships(pkg: Package, part: string): Promise<Map<string, Relationship>> {
  const relsPart = posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
  const rels = new Map<string, Relationship>();
  const entry = pkg.entries.get(relsPart.toLowerCase());
  if (!entry) return rels;
  await parseSmallPart(pkg, entry, (local, a) => {
    if (local !== 'Relationship' || a.TargetMode === 'External' || !a.Id || !a.Target) return;
    rels.set(a.Id, { type: a.Type ?? '', target: resolveTarget(part, a.Target) });
  });
  return rels;
}

/** The zip entry of a part name, tolerating case and percent-encoding differences. */
function findPart(pkg: Package, name: string): yauzl.Entry | undefined {
  const e = pkg.entries.get(name.toLowerCase());
  if (e) return e;
  try {
    return pkg.entries.get(decodeURIComponent(name).toLowerCase());
  } catch {
    return undefined;
  }
}

const typeIs = (rel: Relationship, kind: string): boolean => rel.type.endsWith(`/${kind}`);

interface SheetInfo {
  readonly name: string;
  readonly state: string;
  readonly entry: yauzl.Entry;
}

interface WorkbookInfo {
  readonly date1904: boolean;
  /** Worksheets in workbook order (chartsheets, dialog and macro sheets left out). */
  readonly sheets: readonly SheetInfo[];
  readonly styles: yauzl.Entry | undefined;
  readonly sharedStrings: yauzl.Entry | undefined;
}

async function readWorkbookInfo(pkg: Package): Promise<WorkbookInfo> {
  const root = await readRelationships(pkg, '');
  const office = [...root.values()].find((r) => typeIs(r, 'officeDocument'));
  const workbookPart = office?.target ?? 'xl/workbook.xml';
  const workbookEntry = findPart(pkg, workbookPart) ?? findPart(pkg, 'xl/workbook.xml');
  if (!workbookEntry) throw corrupt('the zip has no workbook part (xl/workbook.xml): not an xlsx workbook', { part: workbookPart });
  const part = workbookEntry.fileName;

  let date1904 = false;
  const listed: Array<{ name: string; state: string; rid: string }> = [];
  await parseSmallPart(pkg, workbookEntry, (local, a) => {
    if (local === 'workbookPr') {
      const v = (a.date1904 ?? '').trim().toLowerCase();
      date1904 = v === '1' || v === 'true';
    } else if (local === 'sheet') {
      let rid = '';
      for (const k in a) if (k.endsWith(':id')) rid = a[k]!;
      listed.push({ name: a.name ?? '', state: a.state ?? 'visible', rid });
    }
  });

  const rels = await readRelationships(pkg, part);
  const sheets: SheetInfo[] = [];
  for (const s of listed) {
    const rel = rels.get(s.rid);
    if (!rel || !typeIs(rel, 'worksheet')) continue;
    const entry = findPart(pkg, rel.target);
    if (!entry) throw corrupt(`sheet "${s.name}" is missing from the zip (${rel.target})`, { sheet: s.name, part: rel.target });
    sheets.push({ name: s.name, state: s.state, entry });
  }
  const relOf = (kind: string, fallback: string): yauzl.Entry | undefined => {
    const rel = [...rels.values()].find((r) => typeIs(r, kind));
    return rel ? findPart(pkg, rel.target) : findPart(pkg, posix.join(posix.dirname(part), fallback));
  };
  return { date1904, sheets, styles: relOf('styles', 'styles.xml'), sharedStrings: relOf('sharedStrings', 'sharedStrings.xml') };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates

/** Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ones). */
const BUILTIN_DATE_FORMATS: ReadonlySet<number> = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

/**
 * Whether a number format code shows a date or time: a d, m, y, h or s outside quoted text, escaped characters,
 * fill/space characters (`*x`, `_x`) and bracketed sections ([Red], [$-409], [$€-407]). "General" is not a date.
 */
export function isDateFormatCode(code: string): boolean {
  let plain = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '"') {
      const j = code.indexOf('"', i + 1);
      if (j === -1) break;
      i = j;
    } else if (ch === '\\' || ch === '_' || ch === '*') {
      i++;
    } else if (ch === '[') {
      const j = code.indexOf(']', i + 1);
      if (j === -1) break;
      i = j;
    } else {
      plain += ch;
    }
  }
  return /[dmyhs]/i.test(plain.replace(/general|standard/gi, ''));
}

/** Whether cells of each style (cellXfs index) show dates: 1 for yes. */
async function readDateStyles(pkg: Package, entry: yauzl.Entry | undefined): Promise<Uint8Array> {
  if (!entry) return new Uint8Array(0);
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inNumFmts = false;
  let inCellXfs = false;
  await parseSmallPart(
    pkg,
    entry,
    (local, a) => {
      if (local === 'numFmts') inNumFmts = true;
      else if (local === 'cellXfs') inCellXfs = true;
      else if (local === 'numFmt' && inNumFmts) custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (local === 'xf' && inCellXfs) xfFormats.push(Number(a.numFmtId ?? 0));
    },
    (local) => {
      if (local === 'numFmts') inNumFmts = false;
      else if (local === 'cellXfs') inCellXfs = false;
    },
  );
  const dates = new Uint8Array(xfFormats.length);
  xfFormats.forEach((id, i) => {
    const code = custom.get(id);
    dates[i] = (code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id)) ? 1 : 0;
  });
  return dates;
}

const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 date system for serials >= 61 (Excel counts a 29 February 1900 that never was). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
/** Day 0 of the 1904 date system. */
const EPOCH_1904 = Date.UTC(1904, 0, 1);
const LAST_DATE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The cell a serial date number shows. 1900 system: serials 1-59 are 1900-01-01..1900-02-28 and serials >= 61 are one
 * day earlier than a plain count from 1899-12-31 (Excel's leap-year bug); serial 60, the 29 February 1900 that does not
 * exist, is returned as the text '1900-02-29' so that the date check reports it. Negative serials and serials past
 * 9999-12-31 show no date in Excel and stay numbers. The time of day is rounded to the millisecond.
 */
export function serialToCell(serial: number, date1904: boolean): Cell {
  if (!(serial >= 0)) return { t: 'number', v: serial };
  let ms: number;
  if (date1904) ms = EPOCH_1904 + Math.round(serial * MS_PER_DAY);
  else if (serial >= 61) ms = EPOCH_1900 + Math.round(serial * MS_PER_DAY);
  else if (serial >= 60) return { t: 'string', v: '1900-02-29' };
  else ms = EPOCH_1900 + MS_PER_DAY + Math.round(serial * MS_PER_DAY);
  if (ms > LAST_DATE) return { t: 'number', v: serial };
  return { t: 'date', v: new Date(ms) };
}

/** A t="d" cell: ISO 8601 text; without a zone it is read as UTC. Text that is no date stays text. */
function isoToCell(text: string): Cell | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const zoned = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(s) || !s.includes('T');
  const ms = Date.parse(zoned ? s : `${s}Z`);
  return Number.isNaN(ms) ? { t: 'string', v: s } : { t: 'date', v: new Date(ms) };
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** Decodes the five predefined entities and character references, once. */
function decodeEntities(s: string): string {
  let i = s.indexOf('&');
  if (i === -1) return s;
  let out = '';
  let last = 0;
  while (i !== -1) {
    const semi = s.indexOf(';', i + 1);
    if (semi === -1 || semi - i > 12) throw new XmlError(`an unterminated entity in "${s.slice(i, i + 16)}"`);
    let ch: string;
    switch (s.slice(i + 1, semi)) {
      case 'amp':
        ch = '&';
        break;
      case 'lt':
        ch = '<';
        break;
      case 'gt':
        ch = '>';
        break;
      case 'quot':
        ch = '"';
        break;
      case 'apos':
        ch = "'";
        break;
      default: {
        const ref = s.slice(i + 1, semi);
        const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
        const cp = m ? (m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10)) : -1;
        if (cp < 1 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError(`an unknown entity &${ref};`);
        ch = String.fromCodePoint(cp);
      }
    }
    out += s.slice(last, i) + ch;
    last = semi + 1;
    i = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** XML end-of-line handling: literal CR LF and CR become LF (character references &#13; are not touched). */
const normalizeNewlines = (s: string): string => (s.indexOf('\r') === -1 ? s : s.replace(/\r\n?/g, '\n'));

/** OOXML's escape for characters XML cannot hold: _xHHHH_ is the UTF-16 code unit HHHH (_x005F_ escapes "_"). */
const unescapeOoxml = (s: string): string =>
  s.indexOf('_x') === -1 ? s : s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Raw XML character data (text or an attribute value) as a parser reports it: newlines normalized, entities decoded.
 * Exported for the tests that hold XmlScanner against saxes. */
export const decodeXml = (raw: string): string => decodeEntities(normalizeNewlines(raw));

/** The string value of raw element text (<v> of t="str", t="e", t="d" cells). */
const decodeText = (raw: string): string => unescapeOoxml(decodeEntities(normalizeNewlines(raw)));

const isXmlSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The string value of a <t> element. Without xml:space="preserve", leading and trailing XML white space is dropped, as
 * Excel does, except when the text is nothing but white space (a run holding one space between two words).
 */
function tText(raw: string, preserve: boolean): string {
  let s = decodeEntities(normalizeNewlines(raw));
  if (!preserve && s.length > 0 && (isXmlSpace(s.charCodeAt(0)) || isXmlSpace(s.charCodeAt(s.length - 1)))) {
    let a = 0;
    let b = s.length;
    while (a < b && isXmlSpace(s.charCodeAt(a))) a++;
    while (b > a && isXmlSpace(s.charCodeAt(b - 1))) b--;
    if (a < b) s = s.slice(a, b);
  }
  return unescapeOoxml(s);
}

// ---------------------------------------------------------------------------------------------------------------
// The streaming scanner

const C_LT = 60;
const C_GT = 62;
const C_SLASH = 47;
const C_BANG = 33;
const C_QUESTION = 63;
const C_COLON = 58;
const C_EQ = 61;
const C_DQUOTE = 34;
const C_SQUOTE = 39;

/**
 * A minimal streaming XML tokenizer over text chunks. Subclasses get `open` and `close` with the element's local name
 * as a span of `s` (prefixes such as `x:` dropped), the attributes of a start tag as spans in `attrs` (name start,
 * name end, value start, value end: raw, entities not decoded), and, while they set `capturing`, the raw text content
 * in `text` (entities not decoded; CDATA sections escaped so that decoding restores them). Text outside capture is
 * skipped unread. Exported for the tests, which check it against saxes.
 */
export abstract class XmlScanner {
  private carry = '';
  protected attrs = new Int32Array(64);
  protected attrCount = 0;
  protected capturing = false;
  protected text = '';
  /** Start of the current tag's qualified name (after the '<'). */
  protected nameStart = 0;
  /** After `plainContent` found one: the index just past the end tag. */
  protected contentEnd = 0;

  /**
   * A start tag (or an empty-element tag, `selfClosing`) whose local name is s[local, nameEnd); `after` is the index
   * just past its '>'. Returns where scanning goes on: `after`, or further if the subclass consumed the content.
   */
  protected abstract open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number;
  /** An end tag whose local name is s[local, nameEnd). */
  protected abstract close(s: string, local: number, nameEnd: number): void;

  /** Scans the next chunk of the document. */
  write(chunk: string): void {
    let from = 0;
    if (this.carry.length > 0) {
      // Finish the markup the last chunk ended in on a small string (the carry and the head of this chunk), so that
      // the chunk itself is scanned as it is: concatenating would make every character access go through a rope.
      const carry = this.carry;
      this.carry = '';
      for (let take = Math.min(chunk.length, 256); ; take = Math.min(chunk.length, take * 8)) {
        const head = carry + chunk.slice(0, take);
        const stop = this.scan(head, 0, carry.length);
        if (stop >= carry.length) {
          from = stop - carry.length;
          break;
        }
        if (take === chunk.length) {
          this.keep(head, stop);
          return;
        }
      }
    }
    this.keep(chunk, this.scan(chunk, from, chunk.length));
  }

  /** Keeps s[from..] (unfinished markup) for the next chunk. */
  private keep(s: string, from: number): void {
    this.carry = from < s.length ? s.slice(from) : '';
    if (this.carry.length > MAX_MARKUP) throw new XmlError(`markup longer than ${MAX_MARKUP} characters`);
  }

  /**
   * Scans s from `from` until markup is left unfinished at the end of s or, once `until` is reached, at the next
   * markup boundary. Returns where it stopped: s[result..] is unfinished markup, or the unread rest after `until`.
   */
  private scan(s: string, from: number, until: number): number {
    const n = s.length;
    let i = from;
    while (i < until) {
      // Markup mostly follows markup ("><"): look before calling indexOf.
      const lt = i < n && s.charCodeAt(i) === C_LT ? i : s.indexOf('<', i);
      if (lt === -1) {
        if (this.capturing && i < n) this.text += s.slice(i);
        i = n;
        break;
      }
      if (this.capturing && lt > i) this.text += s.slice(i, lt);
      i = lt;
      if (lt + 1 >= n) break;
      const c = s.charCodeAt(lt + 1);
      if (c === C_SLASH) {
        let p = lt + 2;
        let local = p;
        for (; p < n; p++) {
          const ch = s.charCodeAt(p);
          if (ch <= 32 || ch === C_GT) break;
          if (ch === C_COLON) local = p + 1;
        }
        const gt = p < n && s.charCodeAt(p) === C_GT ? p : s.indexOf('>', p);
        if (gt === -1) break;
        this.close(s, local, p);
        i = gt + 1;
      } else if (c === C_BANG) {
        const next = this.markupDeclaration(s, lt);
        if (next === -1) break;
        i = next;
      } else if (c === C_QUESTION) {
        const end = s.indexOf('?>', lt + 2);
        if (end === -1) break;
        if (this.capturing) this.interruptText();
        i = end + 2;
      } else {
        let p = lt + 1;
        let local = p;
        for (; p < n; p++) {
          const ch = s.charCodeAt(p);
          if (ch <= 32 || ch === C_GT || ch === C_SLASH) break;
          if (ch === C_COLON) local = p + 1;
        }
        if (p >= n) break;
        if (p === lt + 1) throw new XmlError('a tag without a name');
        const nameEnd = p;
        let count = 0;
        let selfClosing = false;
        let complete = false;
        while (p < n) {
          const ch = s.charCodeAt(p);
          if (ch <= 32) {
            p++;
            continue;
          }
          if (ch === C_GT) {
            complete = true;
            break;
          }
          if (ch === C_SLASH) {
            if (p + 1 >= n) break;
            if (s.charCodeAt(p + 1) !== C_GT) throw new XmlError('a "/" inside a tag');
            selfClosing = true;
            complete = true;
            p++;
            break;
          }
          const ns = p;
          while (p < n) {
            const d = s.charCodeAt(p);
            if (d === C_EQ || d <= 32 || d === C_GT || d === C_SLASH || d === C_LT) break;
            p++;
          }
          const ne = p;
          while (p < n && s.charCodeAt(p) <= 32) p++;
          if (p >= n) break;
          if (ne === ns || s.charCodeAt(p) !== C_EQ) throw new XmlError('an attribute without a value');
          p++;
          while (p < n && s.charCodeAt(p) <= 32) p++;
          if (p >= n) break;
          const q = s.charCodeAt(p);
          if (q !== C_DQUOTE && q !== C_SQUOTE) throw new XmlError('an attribute value without quotes');
          // Values are short (r="C7", s="1", t="s"): look a few characters ahead before calling indexOf.
          let ve = p + 1;
          const probe = Math.min(n, ve + 8);
          while (ve < probe && s.charCodeAt(ve) !== q) ve++;
          if (ve === probe) ve = s.indexOf(q === C_DQUOTE ? '"' : "'", ve);
          if (ve === -1) {
            p = n;
            break;
          }
          let attrs = this.attrs;
          if (count * 4 + 4 > attrs.length) {
            attrs = new Int32Array(attrs.length * 2);
            attrs.set(this.attrs);
            this.attrs = attrs;
          }
          const k = count * 4;
          attrs[k] = ns;
          attrs[k + 1] = ne;
          attrs[k + 2] = p + 1;
          attrs[k + 3] = ve;
          count++;
          p = ve + 1;
        }
        if (!complete) break;
        this.attrCount = count;
        this.nameStart = lt + 1;
        i = this.open(s, local, nameEnd, selfClosing, p + 1);
      }
    }
    return i;
  }

  /** Throws if the document ended inside markup. */
  end(): void {
    for (let k = 0; k < this.carry.length; k++) {
      if (!isXmlSpace(this.carry.charCodeAt(k))) throw new XmlError('the XML ends inside a tag');
    }
  }

  /**
   * A comment, CDATA section or processing instruction inside captured text separates what comes before from what
   * comes after: a CR just before it is not the start of a CR LF pair.
   */
  private interruptText(): void {
    const t = this.text;
    if (t.length > 0 && t.charCodeAt(t.length - 1) === 13) this.text = normalizeNewlines(t);
  }

  /** `<!` at s[lt]: a comment, a CDATA section (text while capturing) or a DTD (refused). -1 if incomplete. */
  private markupDeclaration(s: string, lt: number): number {
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end !== -1 && this.capturing) this.interruptText();
      return end === -1 ? -1 : end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (this.capturing) {
        this.interruptText();
        this.text += normalizeNewlines(s.slice(lt + 9, end)).replace(/&/g, '&amp;').replace(/</g, '&lt;');
      }
      return end + 3;
    }
    if (s.length - lt < 9) return -1;
    throw new XmlError('a document type declaration (DTDs are not allowed in xlsx parts)');
  }

  /**
   * The common case of an element holding only text, in this chunk: `<v>123</v>`. If the current start tag (ending
   * at `after`) is followed by text without markup and then its own end tag, returns the index of that end tag's '<'
   * and sets `contentEnd` past its '>'; otherwise -1 (the caller then captures the text as it streams).
   */
  protected plainContent(s: string, after: number, nameEnd: number): number {
    let e = after;
    const n = s.length;
    const probe = Math.min(n, e + 24);
    while (e < probe && s.charCodeAt(e) !== C_LT) e++;
    if (e === probe) e = s.indexOf('<', e);
    if (e === -1 || s.charCodeAt(e + 1) !== C_SLASH) return -1;
    const start = this.nameStart;
    const len = nameEnd - start;
    const at = e + 2;
    if (at + len >= s.length || s.charCodeAt(at + len) !== C_GT) return -1;
    for (let k = 0; k < len; k++) if (s.charCodeAt(at + k) !== s.charCodeAt(start + k)) return -1;
    this.contentEnd = at + len + 1;
    return e;
  }

  /** Whether the current start tag has an attribute named `name` (with prefix, as written) whose value is `value`. */
  protected hasAttr(s: string, name: string, value: string): boolean {
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! === name.length && s.startsWith(name, a[k]!) && s.slice(a[k + 2]!, a[k + 3]!) === value) return true;
    }
    return false;
  }
}

/** Same local name: s[start, end) === name. */
const isName = (s: string, start: number, end: number, name: string): boolean =>
  end - start === name.length && s.startsWith(name, start);

/** The text runs (<t>) of string items: <si> in sharedStrings.xml, <is> (inline strings) in a sheet. */
abstract class TextRunScanner extends XmlScanner {
  private inT = false;
  private tPreserve = false;

  /**
   * At a <t> start tag: its text when it is plain within this chunk (scanning then resumes at `contentEnd`), else
   * undefined, and the text streams into `text` until `tEnd`. `inherited`: xml:space="preserve" on the item.
   */
  protected tStart(s: string, after: number, nameEnd: number, inherited: boolean): string | undefined {
    const preserve = inherited || (this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve'));
    const e = this.plainContent(s, after, nameEnd);
    if (e !== -1) return tText(s.slice(after, e), preserve);
    this.inT = true;
    this.tPreserve = preserve;
    this.capturing = true;
    this.text = '';
    return undefined;
  }

  /** At a </t>: the run captured since `tStart`, or undefined when none was. */
  protected tEnd(): string | undefined {
    if (!this.inT) return undefined;
    const t = tText(this.text, this.tPreserve);
    this.inT = false;
    this.capturing = false;
    this.text = '';
    return t;
  }
}

/** sharedStrings.xml: each <si> is the concatenation of its <t> texts (runs), phonetic runs (<rPh>) left out. */
class SharedStringsScanner extends TextRunScanner {
  /** One Cell per shared string, shared by all cells that refer to it (cells are read-only). */
  readonly cells: Cell[] = [];
  private inSi = false;
  private siPreserve = false;
  private current = '';
  private phonetic = 0;

  protected open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number {
    const len = nameEnd - local;
    if (len === 1 && s.charCodeAt(local) === 116 /* t */) {
      if (this.inSi && this.phonetic === 0 && !selfClosing) {
        const t = this.tStart(s, after, nameEnd, this.siPreserve);
        if (t !== undefined) {
          this.current += t;
          return this.contentEnd;
        }
      }
    } else if (len === 2 && isName(s, local, nameEnd, 'si')) {
      if (selfClosing) this.cells.push({ t: 'string', v: '' });
      else {
        this.inSi = true;
        this.siPreserve = this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve');
        this.current = '';
      }
    } else if (len === 3 && isName(s, local, nameEnd, 'rPh')) {
      if (!selfClosing) this.phonetic++;
    }
    return after;
  }

  protected close(s: string, local: number, nameEnd: number): void {
    const len = nameEnd - local;
    if (len === 1 && s.charCodeAt(local) === 116 /* t */) {
      const t = this.tEnd();
      if (t !== undefined) this.current += t;
    } else if (len === 2 && isName(s, local, nameEnd, 'si')) {
      if (this.inSi) this.cells.push({ t: 'string', v: this.current });
      this.inSi = false;
      this.current = '';
    } else if (len === 3 && isName(s, local, nameEnd, 'rPh')) {
      if (this.phonetic > 0) this.phonetic--;
    }
  }
}

async function readSharedStrings(pkg: Package, entry: yauzl.Entry | undefined): Promise<Cell[]> {
  if (!entry) return [];
  const scanner = new SharedStringsScanner();
  try {
    for await (const text of entryText(pkg, entry)) scanner.write(text);
    scanner.end();
  } catch (e) {
    throw classify(e, entry.fileName);
  }
  return scanner.cells;
}

// Cell types (the c@t attribute).
const T_NUMBER = 0;
const T_SHARED = 1;
const T_BOOLEAN = 2;
const T_ERROR = 3;
const T_STR = 4;
const T_INLINE = 5;
const T_DATE = 6;

const TRUE_CELL: Cell = Object.freeze({ t: 'boolean', v: true });
const FALSE_CELL: Cell = Object.freeze({ t: 'boolean', v: false });

/** Non-negative integer in s[start, end) (at most 9 digits), or -1. */
function parseIndex(s: string, start: number, end: number): number {
  if (start >= end || end - start > 9) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Exact powers of ten (all representable as doubles). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number in s[start, end), exactly as Number() reads it. Plain decimals of up to 15 digits are computed
 * directly: the digits make an exact integer m < 2^53 and 10^k is exact for k <= 22, so m / 10^k is the correctly
 * rounded double, the same one Number() returns. Anything else (exponents, more digits, white space) goes to Number().
 */
function parseNumber(s: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (s.charCodeAt(i) === 45 /* - */) {
    negative = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
    } else if (c === 46 /* . */ && scale === -1) {
      scale = i;
    } else break;
  }
  if (i !== end || digits === 0 || digits > 15) return Number(s.slice(start, end));
  const fraction = scale === -1 ? 0 : end - scale - 1;
  const n = fraction === 0 ? m : m / POW10[fraction]!;
  return negative ? -n : n;
}

/** 0-based column of a cell reference such as "C7" in s[start, end); -1 if it has no column letters. */
function parseColumn(s: string, start: number, end: number): number {
  let n = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i) | 32;
    if (c < 97 || c > 122) break;
    n = n * 26 + (c - 96);
    if (n > MAX_COLUMNS) throw new XmlError(`a cell reference beyond column XFD: ${s.slice(start, end)}`);
  }
  return i === start ? -1 : n - 1;
}

function parseType(s: string, start: number, end: number): number {
  const len = end - start;
  if (len === 1) {
    const c = s.charCodeAt(start);
    return c === 115 ? T_SHARED : c === 98 ? T_BOOLEAN : c === 101 ? T_ERROR : c === 100 ? T_DATE : T_NUMBER;
  }
  if (len === 3 && s.startsWith('str', start)) return T_STR;
  if (len === 9 && s.startsWith('inlineStr', start)) return T_INLINE;
  return T_NUMBER;
}

/** True for text that is empty or only XML white space. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

/**
 * A worksheet's <sheetData>: completed rows collect in `rows` as the text is scanned; `done` once </sheetData> is seen
 * (the rest of the worksheet is not read).
 */
class SheetScanner extends TextRunScanner {
  rows: Row[] = [];
  done = false;
  private inData = false;
  private inRow = false;
  private rowNumber = 0;
  private cells: Array<Cell | undefined> = [];
  private inCell = false;
  private col = -1;
  private type = T_NUMBER;
  private style = 0;
  private formula = false;
  /** The cell's <v> text, raw: vs[va, vb); vs undefined when the cell has no <v>. */
  private vs: string | undefined = undefined;
  private va = 0;
  private vb = 0;
  private inV = false;
  private inIs = false;
  private isPreserve = false;
  private inline: string | undefined = undefined;
  private phonetic = 0;

  constructor(
    private readonly strings: readonly Cell[],
    private readonly dateStyles: Uint8Array,
    private readonly date1904: boolean,
  ) {
    super();
  }

  /** Rows completed since the last call. */
  take(): Row[] {
    const out = this.rows;
    if (out.length > 0) this.rows = [];
    return out;
  }

  protected open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number {
    const len = nameEnd - local;
    const c0 = s.charCodeAt(local);
    if (len === 1) {
      if (c0 === 99 /* c */) {
        if (this.inRow) {
          this.startCell(s, selfClosing);
          if (!selfClosing && !this.capturing) return this.plainCells(s, after);
        }
      } else if (c0 === 118 /* v */) {
        if (this.inCell) {
          if (selfClosing) {
            this.vs = '';
            this.va = this.vb = 0;
          } else {
            const e = this.plainContent(s, after, nameEnd);
            if (e !== -1) {
              this.vs = s;
              this.va = after;
              this.vb = e;
              return this.contentEnd;
            }
            this.inV = true;
            this.capturing = true;
            this.text = '';
          }
        }
      } else if (c0 === 102 /* f */) {
        this.formula = true;
      } else if (c0 === 116 /* t */) {
        if (this.inIs && this.phonetic === 0 && !selfClosing) {
          const t = this.tStart(s, after, nameEnd, this.isPreserve);
          if (t !== undefined) {
            this.inline += t;
            return this.contentEnd;
          }
        }
      }
    } else if (len === 3) {
      if (c0 === 114 /* r */ && s.charCodeAt(local + 1) === 111 && s.charCodeAt(local + 2) === 119) {
        if (this.inData) {
          this.startRow(s);
          if (selfClosing) this.endRow();
        }
      } else if (isName(s, local, nameEnd, 'rPh')) {
        if (!selfClosing) this.phonetic++;
      }
    } else if (len === 2) {
      if (c0 === 105 /* i */ && s.charCodeAt(local + 1) === 115 && this.inCell) {
        this.inline = '';
        if (!selfClosing) {
          this.inIs = true;
          this.isPreserve = this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve');
        }
      }
    } else if (len === 9 && isName(s, local, nameEnd, 'sheetData')) {
      if (selfClosing) this.done = true;
      else this.inData = true;
    }
    return after;
  }

  protected close(s: string, local: number, nameEnd: number): void {
    const len = nameEnd - local;
    const c0 = s.charCodeAt(local);
    if (len === 1) {
      if (c0 === 99 /* c */) {
        if (this.inCell) this.endCell();
      } else if (c0 === 118 /* v */) {
        if (this.inV) {
          this.vs = this.text;
          this.va = 0;
          this.vb = this.text.length;
          this.text = '';
          this.inV = false;
          this.capturing = false;
        }
      } else if (c0 === 116 /* t */) {
        const t = this.tEnd();
        if (t !== undefined) this.inline += t;
      }
    } else if (len === 3) {
      if (c0 === 114 /* r */ && s.charCodeAt(local + 1) === 111 && s.charCodeAt(local + 2) === 119) {
        if (this.inRow) this.endRow();
      } else if (isName(s, local, nameEnd, 'rPh')) {
        if (this.phonetic > 0) this.phonetic--;
      }
    } else if (len === 2) {
      if (c0 === 105 /* i */ && s.charCodeAt(local + 1) === 115) this.inIs = false;
    } else if (len === 9 && isName(s, local, nameEnd, 'sheetData')) {
      this.inData = false;
      this.done = true;
    }
  }

  private startRow(s: string): void {
    let r = -1;
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! === 1 && s.charCodeAt(a[k]!) === 114 /* r */) r = parseIndex(s, a[k + 2]!, a[k + 3]!);
    }
    this.rowNumber = r > 0 ? r : this.rowNumber + 1;
    this.inRow = true;
    this.col = -1;
  }

  private endRow(): void {
    this.inRow = false;
    if (this.cells.length > 0) {
      this.rows.push({ rowNumber: this.rowNumber, cells: this.cells });
      this.cells = [];
    }
  }

  private startCell(s: string, selfClosing: boolean): void {
    let col = -1;
    let type = T_NUMBER;
    let style = 0;
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! !== 1) continue;
      const name = s.charCodeAt(a[k]!);
      if (name === 114 /* r */) col = parseColumn(s, a[k + 2]!, a[k + 3]!);
      else if (name === 116 /* t */) type = parseType(s, a[k + 2]!, a[k + 3]!);
      else if (name === 115 /* s */) style = parseIndex(s, a[k + 2]!, a[k + 3]!);
    }
    if (col < 0) col = this.col + 1;
    if (col >= MAX_COLUMNS) throw new XmlError('a cell beyond column XFD');
    this.col = col;
    this.type = type;
    this.style = style;
    this.formula = false;
    this.vs = undefined;
    this.inline = undefined;
    this.inCell = true;
    if (selfClosing) this.endCell();
  }

  /**
   * The usual cells, `<c ...><v>text</v></c>` one after another, read at once rather than tag by tag: the cell whose
   * start tag ends at `after` and the cells that follow it, while each has that exact shape and lies whole in `s`.
   * Each goes through startCell and endCell with the same attributes and value span as the tags one by one would give.
   * Returns where the first cell not read this way begins (its start tag, or `after` if even the first one was not):
   * the scanner goes on from there tag by tag.
   */
  private plainCells(s: string, after: number): number {
    const n = s.length;
    let at = after;
    for (;;) {
      // <v>text</v></c>, the cell's start tag just read
      if (at + 3 >= n || s.charCodeAt(at) !== C_LT || s.charCodeAt(at + 1) !== 118 /* v */ || s.charCodeAt(at + 2) !== C_GT) return at;
      const va = at + 3;
      let e = va;
      const probe = Math.min(n, va + 32);
      while (e < probe && s.charCodeAt(e) !== C_LT) e++;
      if (
        e + 7 >= n ||
        s.charCodeAt(e) !== C_LT ||
        s.charCodeAt(e + 1) !== C_SLASH ||
        s.charCodeAt(e + 2) !== 118 /* v */ ||
        s.charCodeAt(e + 3) !== C_GT ||
        s.charCodeAt(e + 4) !== C_LT ||
        s.charCodeAt(e + 5) !== C_SLASH ||
        s.charCodeAt(e + 6) !== 99 /* c */ ||
        s.charCodeAt(e + 7) !== C_GT
      ) {
        return at;
      }
      this.vs = s;
      this.va = va;
      this.vb = e;
      this.endCell();
      // the next cell's start tag: <c name="value" ...> with single spaces, letter names and double quotes
      const lt = e + 8;
      if (lt + 2 >= n || s.charCodeAt(lt) !== C_LT || s.charCodeAt(lt + 1) !== 99 /* c */) return lt;
      let p = lt + 2;
      let count = 0;
      const a = this.attrs;
      for (;;) {
        const ch = s.charCodeAt(p);
        if (ch === C_GT) break;
        if (ch !== 32 || count * 4 + 4 > a.length) return lt;
        const ns = ++p;
        let c = s.charCodeAt(p);
        while ((c | 32) >= 97 && (c | 32) <= 122) c = s.charCodeAt(++p);
        if (p === ns || c !== C_EQ || s.charCodeAt(p + 1) !== C_DQUOTE) return lt;
        const ne = p;
        const vs = p + 2;
        let ve = vs;
        const end = Math.min(n, vs + 16);
        while (ve < end && s.charCodeAt(ve) !== C_DQUOTE) ve++;
        if (ve === end) return lt;
        const k = count * 4;
        a[k] = ns;
        a[k + 1] = ne;
        a[k + 2] = vs;
        a[k + 3] = ve;
        count++;
        p = ve + 1;
        if (p >= n) return lt;
      }
      this.attrCount = count;
      this.nameStart = lt + 1;
      this.startCell(s, false);
      at = p + 1;
    }
  }

  private endCell(): void {
    this.inCell = false;
    this.inIs = false;
    const cell = this.cell();
    this.vs = undefined;
    if (cell === undefined) return;
    const cells = this.cells;
    const col = this.col;
    if (col === cells.length) cells.push(cell);
    else if (col < cells.length) cells[col] = cell;
    else {
      while (cells.length < col) cells.push(undefined);
      cells.push(cell);
    }
  }

  /** The cell just closed, from its type, style, cached value and inline string; undefined if it shows nothing. */
  private cell(): Cell | undefined {
    const vs = this.vs;
    switch (this.type) {
      case T_NUMBER: {
        if (vs === undefined || this.va === this.vb) return undefined;
        const n = parseNumber(vs, this.va, this.vb);
        if (Number.isNaN(n)) return { t: 'string', v: decodeText(vs.slice(this.va, this.vb)) };
        if (n === 0 && isBlank(vs.slice(this.va, this.vb))) return undefined;
        const style = this.style;
        if (style >= 0 && style < this.dateStyles.length && this.dateStyles[style] === 1) return serialToCell(n, this.date1904);
        return { t: 'number', v: n };
      }
      case T_SHARED: {
        if (vs === undefined || this.va === this.vb) return undefined;
        let index = parseIndex(vs, this.va, this.vb);
        if (index < 0) index = Number(vs.slice(this.va, this.vb).trim() || 'x');
        const cell = this.strings[index];
        if (cell === undefined) throw new XmlError(`a cell refers to shared string ${vs.slice(this.va, this.vb)}, which does not exist`);
        return this.formula && cell.v === '' ? undefined : cell;
      }
      case T_BOOLEAN: {
        if (vs === undefined) return undefined;
        const v = vs.slice(this.va, this.vb).trim().toLowerCase();
        if (v === '1' || v === 'true') return TRUE_CELL;
        if (v === '0' || v === 'false') return FALSE_CELL;
        if (v === '') return undefined;
        throw new XmlError(`a boolean cell holds "${v.slice(0, 20)}"`);
      }
      case T_ERROR: {
        if (vs === undefined) return undefined;
        const e = decodeText(vs.slice(this.va, this.vb)).trim();
        return e === '' ? undefined : { t: 'error', v: e };
      }
      case T_STR: {
        if (vs === undefined) return undefined;
        const text = decodeText(vs.slice(this.va, this.vb));
        return text === '' ? undefined : { t: 'string', v: text };
      }
      case T_INLINE: {
        const text = this.inline ?? (vs === undefined ? undefined : decodeText(vs.slice(this.va, this.vb)));
        if (text === undefined || (text === '' && this.formula)) return undefined;
        return { t: 'string', v: text };
      }
      case T_DATE:
        return vs === undefined ? undefined : isoToCell(decodeText(vs.slice(this.va, this.vb)));
      default:
        return undefined;
    }
  }
}

async function* sheetRows(pkg: Package, info: SheetInfo, strings: readonly Cell[], dateStyles: Uint8Array, date1904: boolean): AsyncGenerator<Row> {
  const scanner = new SheetScanner(strings, dateStyles, date1904);
  const part = info.entry.fileName;
  const text = entryText(pkg, info.entry);
  try {
    for (;;) {
      let next: IteratorResult<string>;
      let rows: Row[];
      try {
        next = await text.next();
        if (next.done) {
          scanner.end();
          if (!scanner.done) throw new XmlError('the worksheet ends before </sheetData>');
        } else scanner.write(next.value);
        rows = scanner.take();
      } catch (e) {
        throw classify(e, part);
      }
      for (let k = 0; k < rows.length; k++) yield rows[k]!;
      if (next.done || scanner.done) return;
    }
  } finally {
    await text.return(undefined);
  }
}

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
          yield { name: info.name, rows: () => sheetRows(pkg, info, strings, dateStyles, book.date1904) };
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

/**
 * The floor a reader is measured against: inflates the `sheetIndex`-th worksheet (workbook order) the way openXlsx
 * does and counts its '<' bytes, building nothing. For benchmarks.
 */
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
