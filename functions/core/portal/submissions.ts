/**
 * GET /api/submissions[?member=XX] and GET /api/submissions/{id}: a Member sees its own uploads only (another
 * Member's submission is 404, not 403: its existence is not disclosed); analysts see every Member's.
 * The id is the S3 key and version of the upload, base64url-encoded, so it needs no lookup table.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ORDER_TOKEN_META } from '../ingest/feedback-put.ts';
import type { SeizureStore } from '../store/store.ts';
import type { SubmissionRecord } from '../store/submission.ts';
import type { ValidationReport } from '../validation/validate.ts';
import type { Caller } from './auth.ts';
import { badRequest, forbidden, notFound } from './http.ts';

/** Errors listed in one answer; the rest are counted (the annotated copy has them all). */
export const MAX_ERRORS_LISTED = 1000;
export const DOWNLOAD_EXPIRES_SECONDS = 10 * 60;

export const submissionId = (s: Pick<SubmissionRecord, 'objectKey' | 'versionId'>): string =>
  Buffer.from(`${s.objectKey}\u0000${s.versionId}`, 'utf8').toString('base64url');

export function parseSubmissionId(id: string): { objectKey: string; versionId: string } {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const i = text.indexOf('\u0000');
  if (i < 1 || !/^[A-Za-z0-9_-]+$/.test(id)) throw notFound('no such submission');
  return { objectKey: text.slice(0, i), versionId: text.slice(i + 1) };
}

export interface SubmissionSummary extends SubmissionRecord {
  readonly id: string;
  /** The file name as the Member gave it (the last part of the key). */
  readonly fileName: string;
}

const summaryOf = (s: SubmissionRecord): SubmissionSummary => ({
  ...s,
  id: submissionId(s),
  fileName: s.objectKey.split('/').pop() ?? s.objectKey,
});

/** Which Member's submissions the caller may list: its own, or (analysts) the one asked for, or all (undefined). */
export function memberScope(caller: Caller, asked: string | undefined, members: ReadonlySet<string>): string | undefined {
  if (asked !== undefined && !members.has(asked)) throw badRequest(`'${asked}' is not a Member of this operation`, 'unknown-member');
  if (caller.analyst) return asked;
  if (!caller.member) throw forbidden('your account is not linked to a Member');
  if (asked !== undefined && asked !== caller.member) throw forbidden('you see your own Member only');
  return caller.member;
}

export async function listSubmissions(store: SeizureStore, member: string | undefined, limit = 200): Promise<SubmissionSummary[]> {
  return (await store.listSubmissions({ ...(member ? { member } : {}), limit })).map(summaryOf);
}

export interface SubmissionDetail {
  readonly submission: SubmissionSummary;
  /** The validation report (errors capped at MAX_ERRORS_LISTED), or null while processing. */
  readonly report: (ValidationReport & { errorsCapped?: number }) | null;
  /** Presigned GET of the annotated copy (the Member's own rows, errors highlighted), or null. */
  readonly annotatedUrl: string | null;
  readonly reportUrl: string | null;
  /**
   * A newer version of the same file has since written its feedback where this upload's was: the report and the
   * copies there are the newer one's, so none is shown as this one's (report and URLs null).
   */
  readonly feedbackReplaced: boolean;
}

export async function getSubmission(
  deps: { store: SeizureStore; s3: S3Client; bucket: string },
  caller: Caller,
  id: string,
): Promise<SubmissionDetail> {
  const ref = parseSubmissionId(id);
  const record = await deps.store.getSubmission(ref.objectKey, ref.versionId);
  // Not the caller's: exactly as if it did not exist.
  if (!record || (!caller.analyst && record.member !== caller.member)) throw notFound('no such submission');
  const fileName = record.objectKey.split('/').pop() ?? 'upload';
  const sign = (key: string | undefined, name: string) =>
    key
      ? getSignedUrl(
          deps.s3,
          new GetObjectCommand({
            Bucket: deps.bucket,
            Key: key,
            ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
          }),
          {
            expiresIn: DOWNLOAD_EXPIRES_SECONDS,
          },
        )
      : Promise.resolve(null);
  let report: SubmissionDetail['report'] = null;
  if (record.feedback.json) {
    try {
      const out = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: record.feedback.json }));
      // Feedback names the version that wrote it (feedback-put.ts); older feedback, without the name, is taken as ours.
      const writer = out.Metadata?.[ORDER_TOKEN_META];
      if (writer !== undefined && writer !== record.orderToken) {
        out.Body?.transformToString('utf8').catch(() => undefined);
        return { submission: summaryOf(record), report: null, annotatedUrl: null, reportUrl: null, feedbackReplaced: true };
      }
      const full = JSON.parse(await out.Body!.transformToString('utf8')) as ValidationReport;
      report =
        full.errors.length > MAX_ERRORS_LISTED
          ? { ...full, errors: full.errors.slice(0, MAX_ERRORS_LISTED), errorsCapped: full.errors.length - MAX_ERRORS_LISTED }
          : full;
    } catch (e) {
      if ((e as Error).name !== 'NoSuchKey') throw e;
    }
  }
  const base = fileName.replace(/\.(xlsx|csv)$/i, '');
  return {
    submission: summaryOf(record),
    report,
    annotatedUrl: await sign(record.feedback.xlsx, `${base}.report.xlsx`),
    reportUrl: await sign(record.feedback.json, `${base}.report.json`),
    feedbackReplaced: false,
  };
}
