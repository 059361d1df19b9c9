/**
 * POST /api/uploads: the browser sends the file straight to S3 with a presigned POST whose key the server chose under
 * the caller's own incoming/{member}/ folder and whose policy caps the size (`content-length-range`). S3 enforces the
 * policy; s3rver (the local S3) does not, so the size is checked again where the file is read: ingest rejects a file
 * over 25 MB with a `size-error` report (functions/core/sheet/open.ts), on AWS and locally alike.
 *
 * Every upload gets a folder of its own, so a file never replaces another by its name alone (a Member who names every
 * weekly file the same must not withdraw last week's cases). A file the Member says corrects an earlier upload
 * (`replaces`: that upload's submission id) is sent to the earlier upload's key instead: a new version of it, which
 * the store makes the truth for the whole key (the earlier version's cases it no longer has are withdrawn).
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { recordPresigned } from '../platform/aws.ts';
import { INCOMING_PREFIX } from '../operation/layout.ts';
import { DEFAULT_LIMITS } from '../sheet/types.ts';
import type { SeizureStore } from '../store/store.ts';
import type { Caller } from './auth.ts';
import { fileNameParts } from './file-name.ts';
import { badRequest, forbidden, HttpError } from './http.ts';
import { parseSubmissionId } from './submissions.ts';

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

/** A file name kept readable in the key (file-name.ts); a file of another type than ingest reads is refused. */
export function safeFileName(name: string): { base: string; ext: (typeof UPLOAD_EXTENSIONS)[number] } {
  const { leaf, base, ext } = fileNameParts(name);
  if (base === undefined || !(UPLOAD_EXTENSIONS as readonly string[]).includes(ext ?? '')) {
    throw badRequest(`'${leaf}' is not a spreadsheet we read: send an .xlsx or a .csv file`, 'unsupported-file-type');
  }
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

/**
 * The key of the upload `replaces` names, for the corrected file to be a new version of it: an upload of `member`
 * (403 otherwise, decided from the key alone, before any lookup, so nothing of another Member's uploads is disclosed)
 * that was received (a submission of that key and version; 400 `unknown-upload` otherwise), of the same file type as
 * `fileName` (the key's extension tells ingest how to read it; 400 `replaces-other-type` otherwise).
 */
export async function replacedKey(
  store: Pick<SeizureStore, 'getSubmission'>,
  member: string,
  replaces: unknown,
  fileName: string,
): Promise<string> {
  const unknown = () =>
    badRequest(
      `"replaces" names no upload received for ${member}: give the id of an earlier upload, as GET /api/submissions lists it`,
      'unknown-upload',
    );
  const { ext } = safeFileName(fileName);
  if (typeof replaces !== 'string' || !/^[A-Za-z0-9_-]{1,2800}$/.test(replaces)) throw unknown();
  let ref: { objectKey: string; versionId: string };
  try {
    ref = parseSubmissionId(replaces);
  } catch (e) {
    if (e instanceof HttpError) throw unknown();
    throw e;
  }
  if (!ref.objectKey.startsWith(`${INCOMING_PREFIX}${member}/`))
    throw forbidden(`a file corrects an earlier upload of its own Member only (${member}): "replaces" names another's`);
  const earlier = await store.getSubmission(ref.objectKey, ref.versionId);
  if (!earlier || earlier.member !== member) throw unknown();
  const name = ref.objectKey.slice(ref.objectKey.lastIndexOf('/') + 1);
  if (!name.endsWith(ext))
    throw badRequest(
      `the corrected file must be of the same type as '${name}' (${name.slice(name.lastIndexOf('.'))}), not ${ext}`,
      'replaces-other-type',
    );
  return ref.objectKey;
}

export async function presignUpload(
  deps: { s3: S3Client; bucket: string; store: Pick<SeizureStore, 'getSubmission'>; maxUploadBytes?: number },
  caller: Caller,
  body: { fileName?: unknown; size?: unknown; member?: unknown; replaces?: unknown },
): Promise<PresignedUpload> {
  // Analysts may upload for a Member (e.g. a file sent by email); a Member only for itself.
  const member = caller.analyst && typeof body.member === 'string' ? body.member : caller.member;
  if (!member) throw forbidden('your account is not linked to a Member: ask the operation to add you with a Member code');
  if (!caller.analyst && body.member !== undefined && body.member !== caller.member) throw forbidden('you upload for your own Member only');
  if (typeof body.fileName !== 'string' || !body.fileName) throw badRequest('"fileName" is required');
  const max = deps.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  checkSize(body.size, max);
  const key =
    body.replaces === undefined || body.replaces === null
      ? uploadKey(member, body.fileName)
      : await replacedKey(deps.store, member, body.replaces, body.fileName);
  const post = await createPresignedPost(deps.s3, {
    Bucket: deps.bucket,
    Key: key,
    Conditions: [['content-length-range', 1, max]],
    Expires: UPLOAD_EXPIRES_SECONDS,
  });
  // The browser's POST is authorised as this function's: the preflight checks it as its PutObject.
  recordPresigned(deps.s3, 'S3Client', 'PutObjectCommand', { Bucket: deps.bucket, Key: key });
  return { url: post.url, fields: post.fields, key };
}
