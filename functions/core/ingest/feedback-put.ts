/**
 * Writes one feedback object at the usual key of a file (no version in it) only while no newer version's feedback is
 * there. Each object carries its version's order token; a write is conditional on the object seen (If-Match its ETag,
 * or If-None-Match * when there is none), so a newer version that writes between our look and our write makes our
 * write fail, and we look again. Checking the submission records first is not enough: a newer version can finish
 * between that check and the write.
 * (The local S3 honours the conditions too: lib/local/s3-conditions.ts.)
 */
import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { isLaterVersion } from './outcome.ts';

/** The object metadata naming the version whose feedback an object is (S3 returns it lower-case). */
export const ORDER_TOKEN_META = 'order-token';

/** Looks again after a lost race this many times: each loss means another version wrote in between. */
const MAX_TRIES = 5;

const statusOf = (e: unknown): number | undefined => (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * Puts `input` at its key unless a newer version's feedback is there. `body` is called for each try (a stream is read once).
 * Not `conditional`: put as it is (a key only this version writes).
 * @returns false when a newer version's feedback is there (nothing written)
 */
export async function putUnlessNewer(
  s3: S3Client,
  input: Omit<PutObjectCommandInput, 'Body' | 'IfMatch' | 'IfNoneMatch'> & { Bucket: string; Key: string },
  body: () => PutObjectCommandInput['Body'],
  orderToken: string,
  conditional = true,
): Promise<boolean> {
  const meta = { ...input.Metadata, [ORDER_TOKEN_META]: orderToken };
  if (!conditional) {
    await s3.send(new PutObjectCommand({ ...input, Body: body(), Metadata: meta }));
    return true;
  }
  for (let tries = 1; ; tries++) {
    let seen: { etag?: string; token?: string } | undefined;
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: input.Bucket, Key: input.Key }));
      seen = {
        ...(head.ETag ? { etag: head.ETag } : {}),
        ...(head.Metadata?.[ORDER_TOKEN_META] ? { token: head.Metadata[ORDER_TOKEN_META] } : {}),
      };
    } catch (e) {
      // 403: S3's answer for a missing key when ListBucket does not cover it. Either way the write below only creates
      // (If-None-Match *): an object that is there after all refuses it, and we look again.
      if (statusOf(e) !== 404 && statusOf(e) !== 403) throw e;
    }
    if (seen?.token !== undefined && isLaterVersion({ orderToken: seen.token }, { orderToken })) return false;
    try {
      await s3.send(
        new PutObjectCommand({
          ...input,
          Body: body(),
          Metadata: meta,
          ...(seen?.etag ? { IfMatch: seen.etag } : { IfNoneMatch: '*' }),
        }),
      );
      return true;
    } catch (e) {
      // 412: the object changed since we looked; 409: a concurrent conditional write to the key; 404: S3's answer to
      // If-Match when the object went away since we looked (emulators answer 412). Each time: look again.
      if (![412, 409, 404].includes(statusOf(e) ?? 0) || tries >= MAX_TRIES) throw e;
    }
  }
}
