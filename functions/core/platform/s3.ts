/**
 * S3 objects as byte sources. An upload is read whole with one GET on its first read and served from memory after:
 * it is at most the upload limit (25 MB, checked from its size before any read), and both validation and the
 * feedback copy read it, as do the small reads of a zip's or an OLE2 file's directory; over ranged GETs each of
 * those cost a request (tens of milliseconds), and a CSV was fetched twice. A larger object (a deployment that raises
 * the limit) is read with ranged GETs, never buffered.
 */
import { PassThrough, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bufferByteSource } from '../sheet/source.ts';
import { DEFAULT_LIMITS, type ByteSource } from '../sheet/types.ts';

export interface S3ObjectHead {
  readonly size: number;
  readonly etag: string;
  readonly versionId: string | undefined;
}

export async function headObject(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<S3ObjectHead> {
  const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return { size: h.ContentLength ?? 0, etag: (h.ETag ?? '').replaceAll('"', ''), versionId: h.VersionId ?? versionId };
}

/**
 * A ByteSource over one S3 object version; `name` is the file name shown to the Member. Objects of up to `wholeUpTo`
 * bytes are fetched whole, once, on the first read.
 */
export function s3ByteSource(
  s3: S3Client,
  bucket: string,
  key: string,
  head: S3ObjectHead,
  name = key.slice(key.lastIndexOf('/') + 1),
  wholeUpTo = DEFAULT_LIMITS.maxFileBytes,
): ByteSource {
  const get = async (range?: string): Promise<Readable> => {
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(range ? { Range: range } : {}),
        ...(head.versionId && head.versionId !== 'null' ? { VersionId: head.versionId } : {}),
      }),
    );
    return res.Body as Readable;
  };
  const size = head.size;
  if (size <= wholeUpTo) {
    let whole: Promise<ByteSource> | undefined;
    const load = (): Promise<ByteSource> => {
      if (whole) return whole;
      const p = readWhole(get, size).then((buf) => bufferByteSource(name, buf));
      // A failed GET is not kept: a later read (a retry in the same run) asks again.
      p.catch(() => {
        if (whole === p) whole = undefined;
      });
      whole = p;
      return p;
    };
    return { name, size, createReadStream: (start, end) => later(start, end, async () => (await load()).createReadStream(start, end)) };
  }
  return { name, size, createReadStream: (start, end) => later(start, end, () => get(`bytes=${start}-${end - 1}`)) };
}

/** A stream, returned now, of bytes [start, end) from the stream `open` gives once it is ready (or its error). */
function later(start: number, end: number, open: () => Promise<Readable>): Readable {
  const out = new PassThrough();
  if (end <= start) return out.end();
  open().then(
    (body) => {
      body.on('error', (e) => out.destroy(e));
      body.pipe(out);
    },
    (e: Error) => out.destroy(e),
  );
  return out;
}

/** The object's `size` bytes, copied into one buffer as they stream (never twice its size in memory). */
async function readWhole(get: () => Promise<Readable>, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of await get()) {
    const c = chunk as Buffer;
    if (at + c.length > size) throw new Error(`the object has more than the ${size} bytes its HEAD gave`);
    c.copy(buf, at);
    at += c.length;
  }
  if (at !== size) throw new Error(`the object gave ${at} of the ${size} bytes its HEAD gave`);
  return buf;
}
