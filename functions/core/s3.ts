/** S3 objects as byte sources (ranged GETs, so a workbook's zip is read entry by entry, never buffered whole). */
import { PassThrough, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from './sheet/types.ts';

export interface S3ObjectHead {
  readonly size: number;
  readonly etag: string;
  readonly versionId: string | undefined;
}

export async function headObject(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<S3ObjectHead> {
  const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return { size: h.ContentLength ?? 0, etag: (h.ETag ?? '').replaceAll('"', ''), versionId: h.VersionId ?? versionId };
}

/** A ByteSource over one S3 object version; `name` is the file name shown to the Member. */
export function s3ByteSource(
  s3: S3Client,
  bucket: string,
  key: string,
  head: S3ObjectHead,
  name = key.slice(key.lastIndexOf('/') + 1),
): ByteSource {
  return {
    name,
    size: head.size,
    createReadStream(start: number, end: number): Readable {
      const out = new PassThrough();
      if (end <= start) {
        out.end();
        return out;
      }
      s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=${start}-${end - 1}`,
          ...(head.versionId && head.versionId !== 'null' ? { VersionId: head.versionId } : {}),
        }),
      ).then(
        (res) => {
          const body = res.Body as Readable;
          body.on('error', (e) => out.destroy(e));
          body.pipe(out);
        },
        (e: Error) => out.destroy(e),
      );
      return out;
    },
  };
}
