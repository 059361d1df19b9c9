/**
 * The zip of an xlsx, over a ByteSource: yauzl reads the central directory (so a local file, a buffer and an S3
 * object read with ranged GETs all work, and the order of entries does not matter); entries are inflated as they
 * stream, their inflated bytes counted against the limits as they come (a lying header gains nothing), and decoded
 * to text a whole character at a time.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { SpreadsheetError, type ByteSource, type ReadLimits } from '../types.ts';
import { BlockReader } from '../blocks.ts';
import { classify, corrupt, sourceFailure } from './errors.ts';

/** Size of the chunks inflated from an entry (and so of the text chunks scanned). */
const INFLATE_CHUNK = 64 * 1024;
/** The compression-ratio limit applies to entries above this size (ReadLimits.maxCompressionRatio). */
const RATIO_APPLIES_ABOVE = 1024 * 1024;
/** Most entries accepted in a zip (an xlsx has tens): each costs memory before any limit on bytes can act. */
const MAX_ENTRIES = 10_000;

function zipBomb(entry: yauzl.Entry, uncompressed: number, measured: 'declared' | 'inflated', limits: ReadLimits): SpreadsheetError {
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

// The zip, over a ByteSource

/**
 * yauzl's random access over a ByteSource. Entry data is streamed range by range (`_readStreamForRange`); the small
 * reads yauzl makes for the directory and the local headers (two per entry) are served from 64 KiB blocks, so that
 * over S3 opening a workbook costs a few GETs, not one per read.
 */
class SourceReader extends yauzl.RandomAccessReader {
  private readonly blocks: BlockReader;

  constructor(private readonly source: ByteSource) {
    super();
    this.blocks = new BlockReader(source);
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
    this.blocks.readInto(buffer, offset, length, position).then(
      () => callback(null),
      (e: Error) => callback(e),
    );
  }
}

export interface Package {
  readonly zip: yauzl.ZipFile;
  /** Entries by lower-case name (OPC part names are case-insensitive). */
  readonly entries: ReadonlyMap<string, yauzl.Entry>;
  readonly limits: ReadLimits;
}

export async function openPackage(source: ByteSource, limits: ReadLimits): Promise<Package> {
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
    // Every central directory record takes at least 46 bytes: a count the file cannot hold is damage, not a bomb.
    if (zip.entryCount * 46 > source.size) throw corrupt(`the zip claims ${zip.entryCount} entries in ${source.size} bytes`);
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
export async function* entryBytes(pkg: Package, entry: yauzl.Entry): AsyncGenerator<Buffer> {
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
export function completeUtf8(b: Buffer): number {
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
export async function* entryText(pkg: Package, entry: yauzl.Entry): AsyncGenerator<string> {
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
