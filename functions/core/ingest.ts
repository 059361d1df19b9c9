/**
 * Ingestion of one uploaded object version, as plain code (the Lambda handler and the local cloud both call it):
 * validate the Member's file, store its valid seizures, write the feedback next to the upload, and record the
 * submission. Every step is idempotent, so a duplicate event or a retry after a crash ends in the same state.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { OperationConfig } from './config.ts';
import { dayOf } from './days.ts';
import { configForUpload } from './smoke.ts';
import { FEEDBACK_PREFIX } from './layout.ts';
import { writeFeedbackWorkbook } from './feedback.ts';
import type { SeizureRecord } from './record.ts';
import { headObject, s3ByteSource } from './s3.ts';
import type { ReadLimits } from './sheet/types.ts';
import type { SeizureStore } from './store/store.ts';
import type { SubmissionRecord } from './submission.ts';
import { isRejected, validateSpreadsheet, type ValidationReport } from './validate.ts';

export { FEEDBACK_PREFIX, INCOMING_PREFIX } from './layout.ts';

/** One S3 ObjectCreated notification, keys already decoded. */
export interface UploadEvent {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly size?: number;
  readonly etag?: string;
  /** S3's sequencer: orders events for one key. */
  readonly sequencer?: string;
  /** ISO 8601 event time. */
  readonly eventTime: string;
}

export interface IngestDeps {
  readonly s3: S3Client;
  readonly store: SeizureStore;
  readonly config: OperationConfig;
  readonly limits?: Partial<ReadLimits>;
  readonly now?: () => Date;
  /** Called with progress for long files (rows read so far). */
  readonly onProgress?: (rows: number) => void;
}

/** The key is not an upload: not under incoming/{MEMBER}/ with a file name. */
export class NotAnUploadError extends Error {
  override readonly name = 'NotAnUploadError';
}

/** incoming/FR/2021/week 12.xlsx -> { member: 'FR', path: '2021/week 12.xlsx' } */
export function parseUploadKey(key: string): { member: string; path: string } {
  const m = /^incoming\/([^/]+)\/(.+)$/.exec(key);
  if (!m || m[2]!.endsWith('/')) throw new NotAnUploadError(`not an upload key: ${key}`);
  return { member: m[1]!, path: m[2]! };
}

export const feedbackKeys = (member: string, path: string) => ({
  json: `${FEEDBACK_PREFIX}${member}/${path}.report.json`,
  xlsx: `${FEEDBACK_PREFIX}${member}/${path}.report.xlsx`,
});

/** Orders uploads: event time first, then S3's sequencer (hex, compared at equal length). */
export const orderToken = (ev: UploadEvent): string => `${ev.eventTime}#${(ev.sequencer ?? '').padStart(32, '0')}`;

/** Which version of the object this is. Without bucket versioning (the local emulator), the sequencer or ETag tells versions apart. */
export const versionOf = (ev: Pick<UploadEvent, 'versionId' | 'sequencer' | 'etag'>, etag?: string): string =>
  ev.versionId && ev.versionId !== 'null' ? ev.versionId : ev.sequencer ? `seq:${ev.sequencer}` : `etag:${ev.etag ?? etag ?? ''}`;

const FINAL: ReadonlySet<SubmissionRecord['status']> = new Set(['accepted', 'accepted_with_errors', 'rejected']);

export async function ingestUpload(deps: IngestDeps, ev: UploadEvent): Promise<SubmissionRecord> {
  const { member, path } = parseUploadKey(ev.key);
  // XT, the test Member of `seizures smoke`, is validated and stored under the smoke operation when the deployment enables it.
  deps = { ...deps, config: configForUpload(deps.config, member, dayOf(ev.eventTime) ?? new Date().toISOString().slice(0, 10)) };
  const head = await headObject(deps.s3, ev.bucket, ev.key, ev.versionId);
  const versionId = versionOf(ev, head.etag);
  const done = await deps.store.getSubmission(ev.key, versionId);
  if (done && FINAL.has(done.status)) return done; // a duplicate event: already processed to the end

  const now = deps.now ?? (() => new Date());
  const keys = feedbackKeys(member, path);
  const participant = deps.config.members.find((m) => m.code === member);
  const base: SubmissionRecord = {
    objectKey: ev.key,
    versionId,
    etag: head.etag,
    size: head.size,
    member,
    receivedAt: ev.eventTime,
    orderToken: orderToken(ev),
    status: 'processing',
    language: participant?.language ?? 'en',
    rows: { total: 0, valid: 0, invalid: 0, blank: 0 },
    errorsByType: {},
    warnings: 0,
    stored: { written: 0, withdrawn: 0, supersededCases: 0 },
    feedback: {},
  };
  await deps.store.putSubmission(base);

  const source = s3ByteSource(deps.s3, ev.bucket, ev.key, head, path.slice(path.lastIndexOf('/') + 1));
  const records: SeizureRecord[] = [];
  const report = await validateSpreadsheet(source, {
    config: deps.config,
    member,
    ...(deps.limits ? { limits: deps.limits } : {}),
    // The day of the upload, not of the processing: a rerun days later validates, and so stores, the same records.
    today: dayOf(ev.eventTime) ?? now().toISOString().slice(0, 10),
    onRecord: (r) => {
      records.push(r);
      if (deps.onProgress && records.length % 10_000 === 0) deps.onProgress(records.length);
    },
  });
  if (!participant) {
    // The prefix names no participating Member: nothing is stored for it (IAM normally prevents this).
    report.errors.unshift({ type: 'source-error', rowNumber: null, fieldName: null, cell: member, code: 'unknown-member', message: `incoming/${member}/ is not the folder of a Member taking part in ${deps.config.name}.` });
    report.valid = false;
    report.stats.errors++;
  }
  const rejected = isRejected(report) || !participant;
  const stored = rejected
    ? base.stored
    : await deps.store.applyUpload({ member, objectKey: ev.key, versionId, orderToken: base.orderToken }, records);
  records.length = 0;

  await writeFeedback(deps.s3, ev.bucket, keys, source, report);
  const final: SubmissionRecord = {
    ...base,
    processedAt: now().toISOString(),
    status: rejected ? 'rejected' : report.stats.invalidRows > 0 ? 'accepted_with_errors' : 'accepted',
    language: report.language,
    rows: { total: report.stats.rows, valid: report.stats.validRows, invalid: report.stats.invalidRows, blank: report.stats.blankRows },
    errorsByType: countByType(report),
    warnings: report.stats.warnings,
    stored,
    feedback: keys,
    ...(rejected ? { failure: { type: report.errors[0]?.type ?? 'source-error', message: report.errors[0]?.message ?? '' } } : {}),
  };
  await deps.store.putSubmission(final);
  return final;
}

function countByType(r: ValidationReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of r.errors) out[e.type] = (out[e.type] ?? 0) + 1;
  if (r.errorsNotListed) out['not-listed'] = r.errorsNotListed;
  return out;
}

async function writeFeedback(s3: S3Client, bucket: string, keys: { json: string; xlsx: string }, source: ReturnType<typeof s3ByteSource>, report: ValidationReport): Promise<void> {
  const { columns: _columns, ...printable } = report;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.json, Body: JSON.stringify(printable, null, 1), ContentType: 'application/json; charset=utf-8' }));
  // The annotated workbook goes through a temporary file: bounded memory, and a known length for PutObject.
  const dir = await mkdtemp(join(tmpdir(), 'feedback-'));
  try {
    const file = join(dir, 'report.xlsx');
    const out = createWriteStream(file);
    await writeFeedbackWorkbook(source, report, out);
    await finished(out);
    const { size } = await stat(file);
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: keys.xlsx,
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A failure the caller will retry: recorded so that `status` shows it (and it stays if the DLQ takes the message). */
export async function recordFailure(deps: Pick<IngestDeps, 'store' | 'now'>, ev: UploadEvent, error: unknown): Promise<void> {
  let member = '';
  try {
    member = parseUploadKey(ev.key).member;
  } catch {
    return;
  }
  const versionId = versionOf(ev);
  const prev = await deps.store.getSubmission(ev.key, versionId);
  if (prev && FINAL.has(prev.status)) return;
  await deps.store.putSubmission({
    ...(prev ?? {
      objectKey: ev.key, versionId, etag: ev.etag ?? '', size: ev.size ?? 0, member, receivedAt: ev.eventTime, orderToken: orderToken(ev),
      language: 'en', rows: { total: 0, valid: 0, invalid: 0, blank: 0 }, errorsByType: {}, warnings: 0,
      stored: { written: 0, withdrawn: 0, supersededCases: 0 }, feedback: {},
    }),
    status: 'failed',
    processedAt: (deps.now ?? (() => new Date()))().toISOString(),
    failure: { type: (error as Error)?.name ?? 'Error', message: String((error as Error)?.message ?? error) },
  });
}
