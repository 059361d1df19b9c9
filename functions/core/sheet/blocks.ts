/**
 * Small reads of a ByteSource served from cached 64 KiB blocks. A read of a ByteSource may cost a request (a ranged
 * GET of an S3 object above the limit read whole, core/platform/s3.ts; a file opened again): containers read in small pieces
 * (a zip's directory and local headers, an OLE2 compound file's FAT and directory sectors) go through here, so that
 * opening one costs a few reads, not one per piece.
 */
import type { ByteSource } from './types.ts';
import { sourceFailure } from './xlsx/errors.ts';

/** Bytes fetched at once: a zip directory or a run of 128 OLE2 sectors in one GET. */
export const BLOCK = 64 * 1024;
/** Blocks kept (least recently used dropped first): 1 MiB, whatever the file claims. */
const CACHED_BLOCKS = 16;

export class BlockReader {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  constructor(readonly source: ByteSource) {}

  /** Bytes [position, position + length) into `buffer` at `offset`; a plain Error if the file ends first. */
  async readInto(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
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

  /** Bytes [position, position + length), a copy. */
  async read(position: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    await this.readInto(out, 0, length, position);
    return out;
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

/** Bytes [start, end) of `source`, all of them: a range that comes back short is the source failing (sourceFailure). */
export async function readAll(source: ByteSource, start: number, end: number): Promise<Buffer> {
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
