/** S3 reads and writes of the phase close: JSON work files and report objects, in the one submissions bucket. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return out.Body.transformToString('utf-8');
}

export async function getJson<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  return JSON.parse(await getText(s3, bucket, key)) as T;
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

export const putJson = (s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> =>
  putObject(s3, bucket, key, JSON.stringify(value), 'application/json; charset=utf-8');

export const CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
} as const;
