/**
 * POST /api/uploads: the browser sends the file straight to S3 with a presigned POST whose key the server chose under
 * the caller's own incoming/{member}/ folder and whose policy caps the size (`content-length-range`). S3 enforces the
 * policy; s3rver (the local S3) does not, so the size is checked again where the file is read: ingest rejects a file
 * over 25 MB with a `size-error` report (functions/core/sheet/open.ts), on AWS and locally alike.
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { INCOMING_PREFIX } from '../layout.ts';
import { DEFAULT_LIMITS } from '../sheet/types.ts';
import type { Caller } from './auth.ts';
import { badRequest, forbidden } from './http.ts';

/** The largest upload: the ingest limit. */
export const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxFileBytes;
/** The extensions ingest is routed for (written lower case in the key: S3's suffix filters are case-sensitive). */
export const UPLOAD_EXTENSIONS = ['.xlsx', '.csv'] as const;
/** How long the presigned POST is valid. */
export const UPLOAD_EXPIRES_SECONDS = 15 * 60;

export interface PresignedUpload {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly key: string;
}

/** A file name kept readable in the key: letters of any script, digits, space and . _ - ( ); at most 100 characters. */
export function safeFileName(name: string): { base: string; ext: (typeof UPLOAD_EXTENSIONS)[number] } {
  const leaf = name.split(/[\\/]/).pop() ?? '';
  const m = /^(.*?)(\.[A-Za-z]+)$/.exec(leaf.normalize('NFC'));
  const ext = m?.[2]?.toLowerCase();
  if (!m || !(UPLOAD_EXTENSIONS as readonly string[]).includes(ext ?? '')) {
    throw badRequest(`'${leaf}' is not a spreadsheet we read: send an .xlsx or a .csv file`, 'unsupported-file-type');
  }
  const base =
    m[1]!
      .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 100) || 'upload';
  return { base, ext: ext as (typeof UPLOAD_EXTENSIONS)[number] };
}

/** incoming/FR/2026-12-02T11-40-12Z-3f9a1c/week 12.xlsx: one folder per upload, so no upload replaces another's feedback. */
export function uploadKey(member: string, fileName: string, now = new Date()): string {
  const { base, ext } = safeFileName(fileName);
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
  return `${INCOMING_PREFIX}${member}/${stamp}Z-${randomBytes(3).toString('hex')}/${base}${ext}`;
}

export function checkSize(size: unknown, max = MAX_UPLOAD_BYTES): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw badRequest('"size" must be the file size in bytes (a positive integer)');
  if (size > max) throw badRequest(`the file is ${(size / 1048576).toFixed(1)} MB; the limit is ${max / 1048576} MB`, 'file-too-large');
  return size;
}

export async function presignUpload(
  deps: { s3: S3Client; bucket: string; maxUploadBytes?: number },
  caller: Caller,
  body: { fileName?: unknown; size?: unknown; member?: unknown },
): Promise<PresignedUpload> {
  // Analysts may upload for a Member (e.g. a file sent by email); a Member only for itself.
  const member = caller.analyst && typeof body.member === 'string' ? body.member : caller.member;
  if (!member) throw forbidden('your account is not linked to a Member: ask the operation to add you with a Member code');
  if (!caller.analyst && body.member !== undefined && body.member !== caller.member) throw forbidden('you upload for your own Member only');
  if (typeof body.fileName !== 'string' || !body.fileName) throw badRequest('"fileName" is required');
  const max = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  checkSize(body.size, max);
  const key = uploadKey(member, body.fileName);
  const post = await createPresignedPost(deps.s3, {
    Bucket: deps.bucket,
    Key: key,
    Conditions: [['content-length-range', 1, max]],
    Expires: UPLOAD_EXPIRES_SECONDS,
  });
  return { url: post.url, fields: post.fields, key };
}
