/**
 * A share's photos (optional): at most MAX_PHOTOS JPEG or PNG files of at most MAX_PHOTO_BYTES each, sent by the
 * sharer's browser with a presigned POST under `shares/{id}/uploads/` (the policy pins the key, the type and the size).
 * Nobody reads an upload: the fan-out function (S3 event on the shares queue) checks it is the image it claims to be,
 * strips its metadata (JPEG APP1 Exif/XMP and APP13 IPTC segments, where cameras put the GPS position; PNG eXIf and
 * text chunks), writes the clean copy to `shares/{id}/photos/{n}.{ext}`, deletes the upload and records the photo on
 * the share. Readers get presigned GETs of the clean copies only, while they may read the share.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { documentClient, isConditionFailure } from '../store/batch.ts';
import { SHARE_SK, sharePk } from './keys.ts';
import { ShareError } from './errors.ts';

export const SHARES_PREFIX = 'shares/';
export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png' } as const;
export type PhotoType = keyof typeof PHOTO_TYPES;
/** How long a presigned POST or GET of a photo is valid. */
export const PHOTO_URL_SECONDS = 15 * 60;

export const photoUploadPrefix = (id: string) => `${SHARES_PREFIX}${id}/uploads/`;
export const photoKey = (id: string, n: number, type: PhotoType) => `${SHARES_PREFIX}${id}/photos/${n}.${PHOTO_TYPES[type]}`;

export interface Photo {
  readonly n: number;
  readonly key: string;
  readonly contentType: PhotoType;
  readonly size: number;
}

/** A photo upload's slot: `photoSlots` counts the presigned POSTs handed out (at most MAX_PHOTOS, conditional). */
export async function presignPhoto(
  d: { s3: S3Client; bucket: string; dynamo: DynamoDBClient; tableName: string },
  shareId: string,
  body: { contentType?: unknown; size?: unknown },
): Promise<{ url: string; fields: Record<string, string>; key: string }> {
  const type = body.contentType;
  if (type !== 'image/jpeg' && type !== 'image/png')
    throw new ShareError(400, 'unsupported-photo-type', 'a photo must be a JPEG or PNG image');
  const size = body.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw new ShareError(400, 'bad-request', '"size" must be the file size in bytes');
  if (size > MAX_PHOTO_BYTES)
    throw new ShareError(
      400,
      'photo-too-large',
      `the photo is ${(size / 1048576).toFixed(1)} MB; the limit is ${MAX_PHOTO_BYTES / 1048576} MB`,
    );
  try {
    await documentClient(d.dynamo).send(
      new UpdateCommand({
        TableName: d.tableName,
        Key: { pk: sharePk(shareId), sk: SHARE_SK },
        UpdateExpression: 'ADD photoSlots :one',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(photoSlots) OR photoSlots < :max)',
        ExpressionAttributeValues: { ':one': 1, ':max': MAX_PHOTOS },
      }),
    );
  } catch (e) {
    if (isConditionFailure(e)) throw new ShareError(400, 'too-many-photos', `a share has at most ${MAX_PHOTOS} photos`);
    throw e;
  }
  const key = `${photoUploadPrefix(shareId)}${randomBytes(6).toString('hex')}.${PHOTO_TYPES[type]}`;
  const post = await createPresignedPost(d.s3, {
    Bucket: d.bucket,
    Key: key,
    Conditions: [
      ['content-length-range', 1, MAX_PHOTO_BYTES],
      ['eq', '$Content-Type', type],
    ],
    Fields: { 'Content-Type': type },
    Expires: PHOTO_URL_SECONDS,
  });
  return { url: post.url, fields: post.fields, key };
}

/** Presigned GETs of a share's clean photos. */
export async function photoUrls(
  s3: S3Client,
  bucket: string,
  photos: readonly Photo[] | undefined,
): Promise<{ url: string; contentType: string }[]> {
  return Promise.all(
    [...(photos ?? [])]
      .sort((a, b) => a.n - b.n)
      .map(async (p) => ({
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: p.key }), { expiresIn: PHOTO_URL_SECONDS }),
        contentType: p.contentType,
      })),
  );
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG chunks that carry metadata (position, camera, comments), dropped. */
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt', 'tIME']);

export class NotAnImageError extends Error {
  override readonly name = 'NotAnImageError';
}

/** The image without its metadata; throws NotAnImageError if the bytes are not a well-formed JPEG or PNG. */
export function stripMetadata(bytes: Buffer): { type: PhotoType; bytes: Buffer } {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8) return { type: 'image/jpeg', bytes: stripJpeg(bytes) };
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return { type: 'image/png', bytes: stripPng(bytes) };
  throw new NotAnImageError('neither a JPEG nor a PNG image');
}

function stripJpeg(b: Buffer): Buffer {
  const parts: Buffer[] = [b.subarray(0, 2)];
  let i = 2;
  for (;;) {
    if (i + 4 > b.length || b[i] !== 0xff) throw new NotAnImageError('a JPEG segment is cut short');
    const marker = b[i + 1]!;
    if (marker === 0xda) {
      // Start of scan: the compressed image and everything after it, as they are.
      parts.push(b.subarray(i));
      return Buffer.concat(parts);
    }
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      parts.push(b.subarray(i, i + 2));
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (len < 2 || i + 2 + len > b.length) throw new NotAnImageError('a JPEG segment is longer than the file');
    // APP1 (Exif, XMP: GPS position, camera, times) and APP13 (IPTC) go; everything else stays.
    if (marker !== 0xe1 && marker !== 0xed) parts.push(b.subarray(i, i + 2 + len));
    i += 2 + len;
  }
}

function stripPng(b: Buffer): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  let i = 8;
  while (i + 12 <= b.length) {
    const len = b.readUInt32BE(i);
    const type = b.subarray(i + 4, i + 8).toString('latin1');
    const end = i + 12 + len;
    if (end > b.length) throw new NotAnImageError('a PNG chunk is longer than the file');
    if (!PNG_DROPPED.has(type)) parts.push(b.subarray(i, end));
    i = end;
    if (type === 'IEND') return Buffer.concat(parts);
  }
  throw new NotAnImageError('a PNG without its end chunk');
}

/**
 * An upload under shares/{id}/uploads/: checked, stripped, written clean, recorded on the share (at most MAX_PHOTOS),
 * the upload deleted. Returns the photo, or undefined when the upload was refused (not an image, too large, no such
 * share, or no slot left); a refused upload is deleted too, so nothing unstripped stays.
 */
export async function processPhotoUpload(
  d: { s3: S3Client; bucket: string; dynamo: DynamoDBClient; tableName: string },
  key: string,
): Promise<Photo | undefined> {
  const m = /^shares\/([A-Za-z0-9_-]{22})\/uploads\/[^/]+$/.exec(key);
  if (!m) return undefined;
  const id = m[1]!;
  const del = () => d.s3.send(new DeleteObjectCommand({ Bucket: d.bucket, Key: key }));
  let bytes: Buffer;
  try {
    const obj = await d.s3.send(new GetObjectCommand({ Bucket: d.bucket, Key: key }));
    bytes = Buffer.from(await obj.Body!.transformToByteArray());
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return undefined; // processed already (a redelivered event)
    throw e;
  }
  let clean: { type: PhotoType; bytes: Buffer };
  try {
    if (bytes.length > MAX_PHOTO_BYTES) throw new NotAnImageError('larger than 5 MB');
    clean = stripMetadata(bytes);
  } catch (e) {
    if (!(e instanceof NotAnImageError)) throw e;
    await del();
    return undefined;
  }
  const doc = documentClient(d.dynamo);
  let n: number;
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: d.tableName,
        Key: { pk: sharePk(id), sk: SHARE_SK },
        UpdateExpression: 'ADD photoCount :one',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(photoCount) OR photoCount < :max)',
        ExpressionAttributeValues: { ':one': 1, ':max': MAX_PHOTOS },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    n = Number(out.Attributes?.photoCount);
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    await del();
    return undefined;
  }
  const photo: Photo = { n, key: photoKey(id, n, clean.type), contentType: clean.type, size: clean.bytes.length };
  await d.s3.send(new PutObjectCommand({ Bucket: d.bucket, Key: photo.key, Body: clean.bytes, ContentType: clean.type }));
  await doc.send(
    new UpdateCommand({
      TableName: d.tableName,
      Key: { pk: sharePk(id), sk: SHARE_SK },
      UpdateExpression: 'SET photos = list_append(if_not_exists(photos, :none), :one)',
      ExpressionAttributeValues: { ':none': [], ':one': [photo] },
    }),
  );
  await del();
  return photo;
}
