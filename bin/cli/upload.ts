/**
 * `seizures upload FILE --member XX`: puts the file under incoming/XX/ (the local cloud, or AWS with --aws) and waits
 * for its submission to finish, then shows the outcome: counts, the first errors, where the feedback is.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SubmissionRecord } from '../../functions/core/store/submission.ts';
import {
  exitCodeOf,
  isRejected,
  type InternalField,
  type ValidationIssue,
  type ValidationReport,
} from '../../functions/core/validation/validate.ts';
import { FEEDBACK_PREFIX, INCOMING_PREFIX, INGEST_SUFFIXES } from '../../functions/core/operation/layout.ts';
import { objectsOfBody, routedToIngest } from '../../lib/local/notifications.ts';
import { FINISHED } from '../../lib/local/settings.ts';
import { BUCKET_HINT, connect, type CloudTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { awsOptions, bucketOption, EXIT, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { configOption, formatOf, memberOf, parse, readConfig, UsageError } from './common.ts';
import { progress, type Progress } from './progress.ts';

export const usage = `seizures upload FILE --member XX [--format text|json] [--timeout SECONDS] [--aws [--stack NAME | --bucket NAME]] ${LOCAL_USAGE} [--config FILE]  (exit 0 accepted, 1 accepted with errors, 2 rejected, 3 failed, 69 no cloud, 75 timed out)`;

const FIRST_ERRORS = 5;

export async function uploadCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    member: { type: 'string' },
    format: { type: 'string' },
    timeout: { type: 'string' },
    ...localOptions,
    ...awsOptions,
    ...bucketOption,
    ...configOption,
  });
  if (positionals.length !== 1) throw new UsageError('expected one FILE');
  const member = memberOf(values.member);
  if (!member) throw new UsageError('--member XX is required (the Member whose folder receives the file)');
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const timeoutS = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a number of seconds (got '${values.timeout}')`);
  const file = positionals[0]!;
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new UsageError(`${file} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const key = `${INCOMING_PREFIX}${member}/${basename(file)}`;
  if (!routedToIngest(key)) {
    throw new UsageError(
      `only files ending in ${INGEST_SUFFIXES.join(', ')} are ingested; ${basename(file)} would be stored and never processed`,
    );
  }
  const config = readConfig(values.config);

  return runCloudCommand('upload', async () => {
    const p = progress(process.stderr);
    let target: CloudTarget | undefined;
    try {
      target = await connect({ values, operation: config, ingest: true, stackHint: BUCKET_HINT, log: (l) => p.note(l) });
      p.step(`uploading ${basename(file)} (${size} bytes) to s3://${target.bucket}/${key} on ${target.where}`);
      const started = Date.now();
      const put = await target.s3.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: createReadStream(file), ContentLength: size }),
      );
      const etag = (put.ETag ?? '').replaceAll('"', '');
      const wanted: Wanted = { key, member, etag, since: started, timeoutMs: timeoutS * 1000 };
      let outcome: Awaited<ReturnType<typeof waitForSubmission>> | undefined;
      let readable = target.store !== undefined;
      if (readable) {
        try {
          outcome = await waitForSubmission(target, wanted, p);
        } catch (e) {
          if (target.kind !== 'aws' || !isAccessDenied(e)) throw e;
          readable = false;
          p.note('these credentials may not read the submissions table: waiting for the feedback report instead');
        }
      }
      if (!readable) {
        // A Member's credentials on AWS: the outcome is the feedback report written next to the upload.
        const report = await waitForFeedback(target, { ...wanted, timeoutMs: wanted.timeoutMs - (Date.now() - started) }, p);
        p.done();
        if (!report) return timedOut(key, member, timeoutS);
        if (format === 'json') process.stdout.write(JSON.stringify(report) + '\n');
        else process.stdout.write(describeReport(target, key, report, isRejected(report)));
        return exitCodeOf(report as ValidationReport);
      }
      p.done();
      if (!outcome) return timedOut(key, member, timeoutS);
      if (format === 'json') process.stdout.write(JSON.stringify(outcome.record) + '\n');
      else process.stdout.write(await describe(target, outcome.record, outcome.deadLettered));
      return exitOf(outcome.record.status);
    } finally {
      p.done();
      await target?.close();
    }
  });
}

function timedOut(key: string, member: string, timeoutS: number): number {
  process.stderr.write(
    `seizures upload: ${key} was uploaded but its submission has not finished after ${timeoutS} s; \`seizures status --member ${member}\` shows it later\n`,
  );
  return EXIT.timeout;
}

const isAccessDenied = (e: unknown): boolean => ['AccessDeniedException', 'AccessDenied'].includes((e as Error)?.name);

const exitOf = (s: SubmissionRecord['status']): number =>
  s === 'accepted' ? 0 : s === 'accepted_with_errors' ? 1 : s === 'rejected' ? 2 : EXIT.failed;

interface Wanted {
  readonly key: string;
  readonly member: string;
  readonly etag: string;
  /** When the upload started (ms); a submission received before (minus clock skew) is an earlier upload. */
  readonly since: number;
  readonly timeoutMs: number;
}

/**
 * Polls the Member's submissions for this key and content until one is finished, or failed for good (locally: its
 * message is in the dead-letter queue; on AWS a failed attempt is reported at once, SQS retries it on its own).
 */
export async function waitForSubmission(
  t: CloudTarget,
  w: Wanted,
  p: Progress,
): Promise<{ record: SubmissionRecord; deadLettered: boolean } | undefined> {
  if (!t.store) throw new Error('waitForSubmission needs the submissions table');
  const skewMs = t.kind === 'aws' ? 5 * 60_000 : 1_000;
  const pollMs = t.kind === 'aws' ? 2_000 : 100;
  const deadline = Date.now() + w.timeoutMs;
  let lastFailure = '';
  for (;;) {
    const mine = (await t.store!.listSubmissions({ member: w.member, limit: 50 }))
      .filter((s) => s.objectKey === w.key && s.etag === w.etag && Date.parse(s.receivedAt) >= w.since - skewMs)
      .sort((a, b) => (a.orderToken < b.orderToken ? 1 : -1))[0];
    if (!mine) p.step(`${w.key}: uploaded, waiting for ingestion to pick it up`);
    else if (FINISHED.has(mine.status)) return { record: mine, deadLettered: false };
    else if (mine.status === 'failed') {
      if (t.kind === 'aws') return { record: mine, deadLettered: false };
      const sequencer = mine.versionId.startsWith('seq:') ? mine.versionId.slice(4) : undefined;
      const dead = (t.local?.deadLetters() ?? []).some((m) =>
        objectsOfBody(m.body).some((o) => o.key === w.key && o.sequencer === sequencer),
      );
      if (dead) return { record: mine, deadLettered: true };
      const msg = `attempt failed (${mine.failure?.type}: ${mine.failure?.message}); the queue retries it`;
      if (msg !== lastFailure) p.note(`${w.key}: ${msg}`);
      lastFailure = msg;
      p.step(`${w.key}: waiting for the retry`);
    } else p.step(`${w.key}: ingesting`);
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export type FeedbackReport = Omit<ValidationReport, InternalField>;

/**
 * Without the table (a Member's credentials on AWS): polls the feedback report of this upload until one written
 * after the upload started appears, and returns it. A failure of the pipeline writes no report: it times out.
 */
export async function waitForFeedback(t: CloudTarget, w: Wanted, p: Progress): Promise<FeedbackReport | undefined> {
  const jsonKey = feedbackJsonKey(w.key);
  const skewMs = t.kind === 'aws' ? 5 * 60_000 : 1_000;
  const pollMs = t.kind === 'aws' ? 2_000 : 100;
  const deadline = Date.now() + Math.max(0, w.timeoutMs);
  for (;;) {
    p.step(`${w.key}: uploaded, waiting for its feedback report`);
    try {
      const h = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: jsonKey }));
      if ((h.LastModified?.getTime() ?? 0) >= w.since - skewMs) {
        const res = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: jsonKey }));
        return JSON.parse(await res.Body!.transformToString('utf8')) as FeedbackReport;
      }
    } catch (e) {
      const name = (e as Error)?.name;
      if (name !== 'NotFound' && name !== 'NoSuchKey') throw e;
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** incoming/FR/2021/week 12.xlsx -> feedback/FR/2021/week 12.xlsx.report.json (functions/core/ingest/ingest.ts feedbackKeys). */
const feedbackJsonKey = (key: string): string => `${FEEDBACK_PREFIX}${key.slice(INCOMING_PREFIX.length)}.report.json`;

/** The outcome for people, from the feedback report alone. */
export function describeReport(t: CloudTarget, key: string, r: FeedbackReport, rejected: boolean): string {
  const lines = [
    `${key}: ${rejected ? STATUS_TEXT.rejected : r.stats.invalidRows > 0 ? STATUS_TEXT.accepted_with_errors : STATUS_TEXT.accepted}`,
    `  rows: ${r.stats.rows} (${r.stats.validRows} valid, ${r.stats.invalidRows} invalid, ${r.stats.blankRows} blank); warnings: ${r.stats.warnings}`,
  ];
  if (r.errors.length) {
    lines.push(`  first errors (${Math.min(FIRST_ERRORS, r.errors.length)} of ${r.stats.errors}):`);
    for (const e of r.errors.slice(0, FIRST_ERRORS)) lines.push(`    ${whereOf(e)}: ${e.message}`);
  }
  const base = feedbackJsonKey(key).replace(/\.json$/, '');
  lines.push('  feedback report:', `    s3://${t.bucket}/${base}.xlsx`, `    s3://${t.bucket}/${base}.json`);
  return lines.join('\n') + '\n';
}

const whereOf = (e: ValidationIssue): string =>
  [e.rowNumber !== null ? `row ${e.rowNumber}` : 'file', e.column ? `column ${e.column}` : undefined].filter(Boolean).join(', ');

async function firstErrors(t: CloudTarget, s: SubmissionRecord): Promise<ValidationIssue[]> {
  if (!s.feedback.json) return [];
  try {
    const res = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: s.feedback.json }));
    const report = JSON.parse(await res.Body!.transformToString('utf8')) as { errors?: ValidationIssue[] };
    return (report.errors ?? []).slice(0, FIRST_ERRORS);
  } catch {
    return [];
  }
}

const STATUS_TEXT: Record<SubmissionRecord['status'], string> = {
  accepted: 'accepted',
  accepted_with_errors: 'accepted with errors (the valid rows are stored)',
  rejected: 'rejected (nothing stored)',
  failed: 'failed (the pipeline could not process it)',
  processing: 'processing',
};

/** The outcome for people. */
export async function describe(t: CloudTarget, s: SubmissionRecord, deadLettered: boolean): Promise<string> {
  const lines = [
    `${s.objectKey}: ${STATUS_TEXT[s.status]}`,
    `  rows: ${s.rows.total} (${s.rows.valid} valid, ${s.rows.invalid} invalid, ${s.rows.blank} blank); warnings: ${s.warnings}`,
    `  stored: ${s.stored.written} line(s) written, ${s.stored.withdrawn} withdrawn, ${s.stored.supersededCases} case(s) superseded by a newer upload`,
  ];
  if (s.stored.storedCases !== undefined) {
    lines.push(
      `  cases: ${s.stored.storedCases} stored, ${s.stored.replacedCases ?? 0} replaced, ${s.stored.withdrawnCases ?? 0} withdrawn (no longer in this version of the file)`,
    );
  }
  for (const f of s.stored.replacedFiles ?? []) lines.push(`  replaced: ${f.file} (received ${f.receivedAt})`);
  if (s.nilReturn)
    lines.push(`  nil return: nothing to report for phase ${s.nilReturn.phase}${s.nilReturn.created ? '' : ' (already recorded)'}`);
  if (s.failure) lines.push(`  ${s.status === 'failed' ? 'failure' : 'reason'}: ${s.failure.type}: ${s.failure.message}`);
  if (deadLettered) lines.push('  it failed 3 times and is in the dead-letter queue; the object is untouched');
  const errors = await firstErrors(t, s);
  if (errors.length) {
    const total = Object.values(s.errorsByType).reduce((a, b) => a + b, 0);
    lines.push(`  first errors (${errors.length} of ${total}):`);
    for (const e of errors) lines.push(`    ${whereOf(e)}: ${e.message}`);
  }
  if (s.feedback.xlsx || s.feedback.json) {
    lines.push('  feedback report:');
    for (const k of [s.feedback.xlsx, s.feedback.json]) if (k) lines.push(`    s3://${t.bucket}/${k}`);
    if (t.local && s.feedback.xlsx) {
      lines.push(
        `    fetch it: aws --endpoint-url ${t.local.endpoints.s3} s3 cp "s3://${t.bucket}/${s.feedback.xlsx}" .  (AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER)`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
