/**
 * ByteSources for the spreadsheet readers: a local file (CLI, local runs) and a buffer (tests). The S3 source (ranged
 * GETs) lives with the Lambda code; all three only promise what `ByteSource` says: a size and streams of byte ranges.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { ByteSource } from './types.ts';

/** Read-stream buffer size for local files: big enough that a worksheet entry arrives in few chunks. */
const FILE_CHUNK = 64 * 1024;

function checkRange(name: string, size: number, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > size) {
    throw new RangeError(`bytes [${start}, ${end}) are outside ${name} (${size} bytes)`);
  }
}

/** An empty (already ended) byte stream. */
function emptyStream(): Readable {
  return new Readable({
    read() {
      this.push(null);
    },
  });
}

/** A local file. Its size is taken once, now; each range opens the file again (fs.createReadStream, end inclusive). */
export async function fileByteSource(path: string): Promise<ByteSource> {
  const st = await stat(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  const size = st.size;
  const name = basename(path);
  return {
    name,
    size,
    createReadStream(start: number, end: number): Readable {
      checkRange(name, size, start, end);
      if (end === start) return emptyStream();
      return createReadStream(path, { start, end: end - 1, highWaterMark: FILE_CHUNK });
    },
  };
}

/**
 * Bytes in memory. `chunkSize` (tests) makes each range arrive in pieces of at most that many bytes, e.g. 1 to split
 * every multi-byte character of a stored zip entry across chunks.
 */
export function bufferByteSource(name: string, buf: Buffer, chunkSize = FILE_CHUNK): ByteSource {
  const size = buf.length;
  if (!(chunkSize >= 1)) throw new RangeError('chunkSize must be at least 1');
  return {
    name,
    size,
    createReadStream(start: number, end: number): Readable {
      checkRange(name, size, start, end);
      let at = start;
      return new Readable({
        read() {
          if (at >= end) {
            this.push(null);
            return;
          }
          const next = Math.min(end, at + chunkSize);
          const piece = buf.subarray(at, next);
          at = next;
          this.push(piece);
        },
      });
    },
  };
}
