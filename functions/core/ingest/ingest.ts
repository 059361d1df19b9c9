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
import type { S3Client } from '@aws-sdk/client-s3';
import type { OperationConfig } from '../operation/config.ts';
import { dayOf } from '../operation/days.ts';
import { configForUpload } from '../operation/smoke.ts';
import { DEFAULT_RESERVE_MS, DeadlineError, spareMs, STORE_MS_PER_LINE, type IngestRun } from './deadline.ts';
import { FEEDBACK_PREFIX } from '../operation/layout.ts';
import { acceptNilReturn, isLaterVersion, refuseNilReturn, replacedFilesOf, storedCounts } from './outcome.ts';
import { writeFeedbackWorkbook } from './feedback.ts';
import { putUnlessNewer } from './feedback-put.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { headObject, s3ByteSource } from '../platform/s3.ts';
import { message } from '../validation/messages.ts';
import { NilReturnConflictError, type NilReturnStore } from '../operation/nil-return.ts';
import { openSpreadsheet } from '../sheet/open.ts';
import { DEFAULT_LIMITS, SpreadsheetError, type ByteSource, type ReadLimits, type Workbook } from '../sheet/types.ts';
import { fitKey, MAX_S3_KEY_BYTES, MAX_SORT_KEY_BYTES } from '../store/keys.ts';
import { HeadsTooLargeError, MemberBusyError, type SeizureStore } from '../store/store.ts';
import type { SubmissionRecord } from '../store/submission.ts';
import { isRejected, printableReport, rejectionReport, validateWorkbook, type ValidationReport } from '../validation/validate.ts';

export { FEEDBACK_PREFIX, INCOMING_PREFIX } from '../operation/layout.ts';
export { DeadlineError, type IngestRun } from './deadline.ts';

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
  /** Receives of one message before SQS moves it to the DLQ (the queue's maxReceiveCount). @default 3 */
  readonly maxReceives?: number;
  /**
   * Where an upload of the empty template (no data rows, no file-level error) is recorded as the Member's nil return
   * for the phase its day falls in. @default - not recorded
   */
  readonly nilReturns?: NilReturnStore;
  /**
   * Time kept at the end of a run for storing the lines and writing the feedback: validation and the wait for the
   * Member's lease get only what is left of the run beyond it. @default 60000
   */
  readonly reserveMs?: number;
}

/** The one phase of the operation a day (YYYY-MM-DD) falls in, both ends included; undefined for none or several. */
export function phaseOfDay(config: OperationConfig, day: string): number | undefined {
  const hits = config.phases.filter((p) => p.start <= day && day <= p.end);
  return hits.length === 1 ? hits[0]!.phase : undefined;
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

/**
 * Longest upload key accepted, in UTF-8 bytes: its feedback keys (12 bytes longer) must fit S3's 1,024 and its
 * byMember sort key (the receipt time and '#', 25 bytes, before it) DynamoDB's 1,024. Longer ones are rejected up front.
 */
export const MAX_UPLOAD_KEY_BYTES = Math.min(MAX_S3_KEY_BYTES - '.report.xlsx'.length, MAX_SORT_KEY_BYTES - 25);

/**
 * The feedback of an upload; the path of an over-long key (a rejected upload) is cut to fit, with a digest. With a
 * `version`: the keys of an older version processed after a newer one, beside the newer's and never over them.
 */
export const feedbackKeys = (member: string, path: string, version?: string) => {
  const tail = version === undefined ? '' : `.${version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}`;
  const stem = fitKey(`${FEEDBACK_PREFIX}${member}/${path}`, MAX_S3_KEY_BYTES - '.report.xlsx'.length - tail.length) + tail;
  return { json: `${stem}.report.json`, xlsx: `${stem}.report.xlsx` };
};

/**
 * Failures a retry cannot fix: the upload ends `failed` at once, with feedback saying the analysts are told, instead of
 * three receives and the DLQ. (RangeError: a record or key the store refuses, a bug here, which retries repeat.)
 */
export function isPermanentFailure(e: unknown): boolean {
  // DynamoDB's ValidationException: a request it refuses as such (an item over 400 KB), whenever it is sent.
  return e instanceof RangeError || e instanceof HeadsTooLargeError || (e as Error | undefined)?.name === 'ValidationException';
}

/** The system had no time for the upload (other uploads of its Member, or the run's time): sending it again may work. */
export const isBusy = (e: unknown): boolean => e instanceof MemberBusyError || e instanceof DeadlineError;

/**
 * The template with its header and no seizure rows: the only file-level error, if any, is 'no-rows'. Recorded as the
 * Member's nil return, it is accepted (outcome.ts acceptNilReturn). A file that could not be read, or has no header, is not.
 */
export function isEmptyTemplate(report: ValidationReport): boolean {
  return (
    report.headerRow !== null &&
    report.stats.validRows + report.stats.invalidRows === 0 &&
    report.errors.every((e) => e.code === 'no-rows' || !isRejected({ errors: [e] }))
  );
}

/**
 * Puts the processing-failed notice first in `report`: nothing of the upload was stored (`busy`: for lack of time or
 * of the Member's lease, so sending it again may work), or its lines were (`stored`: only the feedback failed); the
 * analysts are told either way.
 */
function markFailed(report: ValidationReport, reason?: 'busy' | 'stored'): void {
  const params = reason === undefined ? {} : { reason };
  report.errors.unshift({
    type: 'source-error',
    rowNumber: null,
    fieldName: null,
    cell: null,
    code: 'processing-failed',
    message: message('processing-failed', report.language, params),
    params,
  });
  report.valid = false;
  report.stats.errors++;
}

/**
 * Orders uploads: event time first, then S3's sequencer (hex, compared at equal length). Unchanged so that a rerun of
 * an event has the same token; versions of one key are compared by the sequencer alone where it matters (store
 * heads.ts isNewer, outcome.ts isLaterVersion).
 */
export const orderToken = (ev: UploadEvent): string => `${ev.eventTime}#${(ev.sequencer ?? '').padStart(32, '0')}`;

/** Which version of the object this is. Without bucket versioning (the local emulator), the sequencer or ETag tells versions apart. */
export const versionOf = (ev: Pick<UploadEvent, 'versionId' | 'sequencer' | 'etag'>, etag?: string): string =>
  ev.versionId && ev.versionId !== 'null' ? ev.versionId : ev.sequencer ? `seq:${ev.sequencer}` : `etag:${ev.etag ?? etag ?? ''}`;

const FINAL: ReadonlySet<SubmissionRecord['status']> = new Set(['accepted', 'accepted_with_errors', 'rejected']);

/**
 * Where this version's feedback goes, and the key's versions: the usual keys, or beside them when a newer version of
 * the same file has finished (its feedback is at the usual keys, and an older one keeps off them).
 */
async function feedbackPlace(store: SeizureStore, objectKey: string, self: Pick<SubmissionRecord, 'versionId' | 'orderToken'>) {
  const { member, path } = parseUploadKey(objectKey);
  const versions = await store.versionsOf(objectKey);
  const newer = versions.some((v) => v.versionId !== self.versionId && FINAL.has(v.status) && isLaterVersion(v, self));
  const place: FeedbackPlace = {
    keys: feedbackKeys(member, path),
    beside: feedbackKeys(member, path, self.versionId),
    newer,
    orderToken: self.orderToken,
  };
  return { versions, place };
}

export async function ingestUpload(deps: IngestDeps, ev: UploadEvent, run: IngestRun = {}): Promise<SubmissionRecord> {
  const { member, path } = parseUploadKey(ev.key);
  // XT, the test Member of `seizures smoke`, is validated and stored under the smoke operation when the deployment enables it.
  deps = { ...deps, config: configForUpload(deps.config, member, dayOf(ev.eventTime) ?? new Date().toISOString().slice(0, 10)) };
  const head = await headObject(deps.s3, ev.bucket, ev.key, ev.versionId);
  const versionId = versionOf(ev, head.etag);
  const done = await deps.store.getSubmission(ev.key, versionId);
  if (done && FINAL.has(done.status)) return done; // a duplicate event: already processed to the end
  // A run that stored the upload and then crashed left its counts: the rerun reports those, whatever came in since.
  const applied = done?.applied ? { stored: done.stored, applied: true as const } : undefined;

  const now = deps.now ?? (() => new Date());
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
    ...applied,
  };
  await deps.store.putSubmission(base);

  // The validation budget ends early enough for the store and the feedback to fit in the run.
  const budget = (): Partial<ReadLimits> | undefined => {
    const spare = spareMs(run, 'validate', deps.reserveMs);
    return spare === Infinity
      ? deps.limits
      : { ...deps.limits, maxSeconds: Math.min(deps.limits?.maxSeconds ?? DEFAULT_LIMITS.maxSeconds, spare / 1000) };
  };
  const limits = budget();
  const source = s3ByteSource(deps.s3, ev.bucket, ev.key, head, path.slice(path.lastIndexOf('/') + 1));
  const records: SeizureRecord[] = [];
  // Every case the file has, on valid rows or not: a new version of a file withdraws only the cases it no longer has.
  const present = new Set<string>();
  const options = {
    config: deps.config,
    member,
    ...(limits ? { limits } : {}),
    // The day of the upload, not of the processing: a rerun days later validates, and so stores, the same records.
    today: dayOf(ev.eventTime) ?? now().toISOString().slice(0, 10),
    onRecord: (r: SeizureRecord) => {
      records.push(r);
      if (deps.onProgress && records.length % 10_000 === 0) deps.onProgress(records.length);
    },
    onCase: (caseRef: string) => void present.add(caseRef),
  };
  const keyBytes = Buffer.byteLength(ev.key, 'utf8');
  // Checked before reading: a key too long for the table's keys or the feedback's is refused with a clear reason.
  // The workbook is opened once, for validation and then the feedback copy (an xlsx's shared strings read once).
  let wb: Workbook | undefined;
  let report: ValidationReport;
  if (keyBytes > MAX_UPLOAD_KEY_BYTES) {
    report = rejectionReport(
      source.name,
      options,
      new SpreadsheetError('source-error', 'name-too-long', `the key has ${keyBytes} bytes`, {
        bytes: keyBytes,
        max: MAX_UPLOAD_KEY_BYTES - (ev.key.length - path.length),
      }),
    );
  } else {
    try {
      wb = await openSpreadsheet(source, limits);
    } catch (e) {
      if (!(e instanceof SpreadsheetError)) throw e;
      report = rejectionReport(source.name, options, e);
    }
    // Opening (the object's GET, an xlsx's shared strings) used part of the run: validation gets what is left of it.
    report ??= await Promise.resolve()
      .then(() => validateWorkbook(wb!, source.name, limits === undefined ? options : { ...options, limits: budget() }))
      .catch(async (e: unknown) => {
        await wb?.close().catch(() => undefined);
        throw e;
      });
  }
  try {
    return await finish(deps, ev, run, {
      base,
      source,
      report,
      workbook: wb,
      member,
      participant: participant !== undefined,
      versionId,
      records,
      present,
      now,
    });
  } finally {
    await wb?.close().catch(() => undefined);
  }
}

interface Outcome {
  readonly base: SubmissionRecord;
  readonly source: ByteSource;
  readonly report: ValidationReport;
  readonly workbook: Workbook | undefined;
  readonly member: string;
  readonly participant: boolean;
  readonly versionId: string;
  readonly records: SeizureRecord[];
  readonly present: ReadonlySet<string>;
  readonly now: () => Date;
}

/** Stores the valid lines of a validated upload, writes its feedback and records the submission. */
async function finish(deps: IngestDeps, ev: UploadEvent, run: IngestRun, o: Outcome): Promise<SubmissionRecord> {
  const { base, source, report, member, participant, versionId, records, present, now } = o;
  if (!participant) {
    // The prefix names no participating Member: nothing is stored for it (IAM normally prevents this).
    report.errors.unshift({
      type: 'source-error',
      rowNumber: null,
      fieldName: null,
      cell: member,
      code: 'unknown-member',
      message: `incoming/${member}/ is not the folder of a Member taking part in ${deps.config.name}.`,
    });
    report.valid = false;
    report.stats.errors++;
  }
  const rejected = isRejected(report) || !participant;
  let stored = base.stored;
  let failure: Error | undefined;
  if (!rejected && !base.applied) {
    // Waiting for the lease longer would leave too little time to store and to write the feedback.
    // The reserve grows with the lines: storing takes about STORE_MS_PER_LINE each (README, limits), and a run killed
    // while storing would be killed again on every retry, ending in the DLQ without a word to the Member.
    const waitMs = spareMs(run, 'store', (deps.reserveMs ?? DEFAULT_RESERVE_MS) + records.length * STORE_MS_PER_LINE);
    let linesStored = false;
    try {
      const upload = { member, objectKey: ev.key, versionId, orderToken: base.orderToken };
      const applied = await deps.store.applyUpload(upload, records, { presentCases: present, ...(waitMs < Infinity ? { waitMs } : {}) });
      linesStored = true;
      stored = storedCounts(applied, await replacedFilesOf(deps.store, member, applied));
      // Kept before the feedback and the final record, so a rerun after a crash from here on reports these counts.
      await deps.store.putSubmission({ ...base, stored, applied: true });
    } catch (e) {
      if (!isPermanentFailure(e)) throw e;
      // A retry would be refused again. The Member hears now, and is not told "nothing stored" when the lines were.
      failure = e as Error;
      markFailed(report, linesStored ? 'stored' : undefined);
    }
  }
  records.length = 0;

  if (!rejected && (!failure || stored !== base.stored)) report.stored = { ...stored };
  // The empty template, sent on purpose: "nothing to report" for the phase the upload falls in, when exactly one does;
  // then accepted as such (a template outside every phase stays rejected: it says nothing).
  const { versions, place } = await feedbackPlace(deps.store, ev.key, base);
  if (!failure && participant && deps.nilReturns && isEmptyTemplate(report)) {
    const phase = phaseOfDay(deps.config, dayOf(ev.eventTime) ?? now().toISOString().slice(0, 10));
    if (phase !== undefined) {
      try {
        const { created } = await deps.nilReturns.record(deps.config, { member, phase, source: 'empty-upload' });
        // The empty template withdraws nothing (it never reaches the store): the cases of earlier versions stay.
        const earlierKept = versions.some((v) => v.versionId !== versionId && ((v.stored.storedCases ?? 0) > 0 || v.stored.written > 0));
        acceptNilReturn(report, { phase, created }, { earlierKept });
      } catch (e) {
        // The Member has seizures stored for the phase: "nothing to report" would contradict them. Stays rejected.
        if (!(e instanceof NilReturnConflictError)) throw e;
        refuseNilReturn(report, phase);
      }
    }
  }
  const refused = isRejected(report) || !participant;
  const where = await writeFeedback(deps.s3, ev.bucket, place, source, report, o.workbook);
  const { applied: _, ...rest } = base;
  const final: SubmissionRecord = {
    ...rest,
    processedAt: now().toISOString(),
    status: failure ? 'failed' : refused ? 'rejected' : report.stats.invalidRows > 0 ? 'accepted_with_errors' : 'accepted',
    language: report.language,
    rows: { total: report.stats.rows, valid: report.stats.validRows, invalid: report.stats.invalidRows, blank: report.stats.blankRows },
    errorsByType: countByType(report),
    warnings: report.stats.warnings,
    stored,
    feedback: where,
    ...(failure
      ? { failure: { type: failure.name, message: failure.message } }
      : refused
        ? { failure: { type: report.errors[0]?.type ?? 'source-error', message: report.errors[0]?.message ?? '' } }
        : {}),
    ...(report.nilReturn ? { nilReturn: report.nilReturn } : {}),
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

/**
 * Where an upload's feedback goes: the usual `keys`, unless a newer version of the file is found to have its feedback
 * there (`newer`, from the submissions, or the order token on the object at the moment of writing): then `beside`.
 */
interface FeedbackPlace {
  readonly keys: { json: string; xlsx: string };
  readonly beside: { json: string; xlsx: string };
  readonly newer: boolean;
  readonly orderToken: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** @returns the keys written */
async function writeFeedback(
  s3: S3Client,
  bucket: string,
  place: FeedbackPlace,
  source: ByteSource | undefined,
  report: ValidationReport,
  workbook?: Workbook,
): Promise<{ json: string; xlsx: string }> {
  const json = JSON.stringify(printableReport(report), null, 1);
  // The annotated workbook goes through a temporary file: bounded memory, and a known length for PutObject.
  const dir = await mkdtemp(join(tmpdir(), 'feedback-'));
  try {
    const file = join(dir, 'report.xlsx');
    const write = async (copy: boolean): Promise<void> => {
      const out = createWriteStream(file);
      await writeFeedbackWorkbook(source, report, out, { copy, ...(workbook ? { workbook } : {}) });
      await finished(out);
    };
    try {
      await write(source !== undefined);
    } catch (e) {
      // The copy of the Member's rows could not be written (a fault of ours a retry would repeat): the Errors sheet
      // alone still tells the Member what to fix.
      if (!isPermanentFailure(e) || source === undefined) throw e;
      await write(false);
    }
    const { size } = await stat(file);
    // The newer version writes its json before its xlsx: an xlsx of a newer version means the json at the usual key is
    // (or is about to be) the newer's too, and this version's feedback goes beside, whole.
    const put = async (keys: { json: string; xlsx: string }, conditional: boolean): Promise<boolean> =>
      (await putUnlessNewer(s3, { Bucket: bucket, Key: keys.json, ContentType: JSON_TYPE }, () => json, place.orderToken, conditional)) &&
      putUnlessNewer(
        s3,
        { Bucket: bucket, Key: keys.xlsx, ContentType: XLSX_TYPE, ContentLength: size },
        () => createReadStream(file),
        place.orderToken,
        conditional,
      );
    if (!place.newer && (await put(place.keys, true))) return place.keys;
    await put(place.beside, false);
    return place.beside;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A failure the caller will retry: recorded so that `status` shows it (and it stays if the DLQ takes the message).
 * `final`: this was the last receive (the message goes to the DLQ next, and the DLQ alarm tells the engineers): the
 * Member gets feedback now saying nothing was stored and the analysts are told, so no upload ends in silence.
 */
export async function recordFailure(
  deps: Pick<IngestDeps, 'store' | 'now'> & Partial<Pick<IngestDeps, 's3' | 'config'>>,
  ev: UploadEvent,
  error: unknown,
  final = false,
): Promise<void> {
  let member = '';
  let path = '';
  try {
    ({ member, path } = parseUploadKey(ev.key));
  } catch {
    return;
  }
  const versionId = versionOf(ev);
  const prev = await deps.store.getSubmission(ev.key, versionId);
  if (prev && FINAL.has(prev.status)) return;
  const language = prev?.language ?? deps.config?.members.find((m) => m.code === member)?.language ?? 'en';
  let feedback = prev?.feedback ?? {};
  if (final && deps.s3 && deps.config) {
    const { place } = await feedbackPlace(deps.store, ev.key, { versionId, orderToken: prev?.orderToken ?? orderToken(ev) });
    const report = rejectionReport(path.slice(path.lastIndexOf('/') + 1), { config: deps.config, member, lang: language });
    // Lines already stored (a run that failed after applyUpload, e.g. writing the feedback) are said to be, with counts.
    if (prev?.applied) report.stored = { ...prev.stored };
    markFailed(report, prev?.applied ? 'stored' : isBusy(error) ? 'busy' : undefined);
    feedback = await writeFeedback(deps.s3, ev.bucket, place, undefined, report);
  }
  await deps.store.putSubmission({
    ...(prev ?? {
      objectKey: ev.key,
      versionId,
      etag: ev.etag ?? '',
      size: ev.size ?? 0,
      member,
      receivedAt: ev.eventTime,
      orderToken: orderToken(ev),
      language,
      rows: { total: 0, valid: 0, invalid: 0, blank: 0 },
      errorsByType: {},
      warnings: 0,
      stored: { written: 0, withdrawn: 0, supersededCases: 0 },
      feedback: {},
    }),
    feedback,
    status: 'failed',
    processedAt: (deps.now ?? (() => new Date()))().toISOString(),
    failure: { type: (error as Error)?.name ?? 'Error', message: String((error as Error)?.message ?? error) },
  });
}
