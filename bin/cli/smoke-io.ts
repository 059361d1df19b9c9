/**
 * What `seizures smoke`'s steps (smoke-steps.ts) read, write and delete, through the S3 and DynamoDB clients of the
 * target: the same calls on the local cloud and on AWS. Deletion removes every version of an object (the bucket is
 * versioned on AWS), and every table item the run made.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { documentClient } from '../../functions/core/store/batch.ts';
import {
  alertPk,
  casePk,
  headShardOf,
  headsPk,
  HEADS_SK,
  LOCK_SK,
  lockPk,
  submissionPk,
  summaryPk,
  summarySk,
} from '../../functions/core/store/keys.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import type { SubmissionRecord } from '../../functions/core/store/submission.ts';
import { TEST_MEMBER } from '../../functions/core/operation/smoke.ts';
import {
  contactsKeyFor,
  contactsOf,
  type PhaseCloseExecutionInput,
  type PhaseCloseOutput,
} from '../../functions/core/contracts/phase-close-spec.ts';
import { FINISHED } from '../../lib/local/settings.ts';

/** Where a smoke run works: the local cloud or a deployed stack. */
export interface SmokeTarget {
  readonly kind: 'local' | 'aws';
  readonly where: string;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly bucket: string;
  readonly tableName: string;
  /** Whether the deployment accepts XT; when not, how to enable it. */
  smokeEnabled(): Promise<{ ok: true } | { ok: false; how: string }>;
  /** Runs the phase-close workflow; throws (with the workflow's error) when it fails. */
  closePhase(input: PhaseCloseExecutionInput): Promise<PhaseCloseOutput>;
  /** More proof that the email with this SES message id left (locally: the emulator's store); undefined: none to give. */
  mailSent?(messageId: string, to: string): Promise<string>;
}

/** A step's failure: its message is the step's detail. */
export class SmokeStepError extends Error {
  override readonly name = 'SmokeStepError';
}

type T = Pick<SmokeTarget, 's3' | 'dynamo' | 'bucket' | 'tableName'>;

export async function putText(t: T, key: string, body: string, contentType: string): Promise<void> {
  await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: body, ContentType: contentType }));
}

export async function getText(t: T, key: string): Promise<string> {
  const res = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
  return res.Body!.transformToString('utf8');
}

/** The smoke operation's contacts file, which the alerts step reads (its NCP: the SES mailbox simulator). */
export async function putContacts(t: T, smoke: OperationConfig): Promise<void> {
  await putText(t, contactsKeyFor(smoke), JSON.stringify(contactsOf(smoke)), 'application/json');
}

const store = (t: T) => new SeizureStore({ client: t.dynamo, tableName: t.tableName });

/** The upload's submission once finished (accepted, with errors, rejected) or failed; undefined while processing. */
export async function finishedSubmission(t: T, key: string): Promise<SubmissionRecord | undefined> {
  const s = (await store(t).listSubmissions({ member: TEST_MEMBER, limit: 20 })).find((x) => x.objectKey === key);
  return s && (FINISHED.has(s.status) || s.status === 'failed') ? s : undefined;
}

/** How many of the run's cases have a stored line (each case has one). */
export async function countLines(t: T, caseRefs: readonly string[]): Promise<number> {
  const doc = documentClient(t.dynamo);
  let n = 0;
  for (const ref of caseRefs) {
    const out = await doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': casePk(TEST_MEMBER, ref) },
        Select: 'COUNT',
      }),
    );
    n += out.Count ?? 0;
  }
  return n;
}

/**
 * The report objects a run writes: json, xlsx and html for NCPs and for analysts, and the NCPs' html and xlsx in each
 * of the three languages (issue 17).
 */
const REPORT_KEYS = ['json', 'xlsx', 'html', 'analystsJson', 'analystsXlsx', 'analystsHtml'];
const LANGUAGE_KEYS = ['htmlEn', 'xlsxEn', 'htmlFr', 'xlsxFr', 'htmlEs', 'xlsxEs'];

/** Every report object exists, summary.json is this run's and counts the lines, the summary item is stored. */
export async function checkSummary(t: T, smoke: OperationConfig, o: PhaseCloseOutput, rows: number): Promise<string> {
  const missing = [...REPORT_KEYS, ...LANGUAGE_KEYS].filter((k) => !o.keys[k]);
  if (missing.length)
    throw new SmokeStepError(
      `the run wrote no ${missing.join(', ')} report (expected json, xlsx, html for NCPs and for analysts, and the NCPs' html and xlsx in en, fr, es)`,
    );
  const keys = Object.values(o.keys);
  for (const key of keys) {
    const h = await t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key })).catch(() => undefined);
    if (!h?.ContentLength) throw new SmokeStepError(`the report ${key} is missing or empty`);
  }
  const summary = JSON.parse(await getText(t, o.keys.json)) as {
    schema?: string;
    operation?: { id?: string };
    runLabel?: string;
    figures?: { phase?: { lines?: number; reportingMembers?: number } };
  };
  if (summary.schema !== 'phase-summary/1' || summary.operation?.id !== smoke.id || summary.runLabel !== o.runLabel) {
    throw new SmokeStepError(`${o.keys.json} is not this run's summary (${summary.schema}, ${summary.operation?.id}, ${summary.runLabel})`);
  }
  const lines = summary.figures?.phase?.lines ?? 0;
  if (lines < rows) throw new SmokeStepError(`summary.json counts ${lines} line(s) in the phase, fewer than the ${rows} uploaded`);
  const item = await documentClient(t.dynamo).send(
    new GetCommand({ TableName: t.tableName, Key: { pk: summaryPk(smoke.id), sk: summarySk(1, o.runLabel) }, ConsistentRead: true }),
  );
  if (!item.Item) throw new SmokeStepError(`no summary item ${summaryPk(smoke.id)} / ${summarySk(1, o.runLabel)} in the table`);
  return `${keys.length} report(s) under ${o.prefix}; summary.json counts ${lines} line(s); summary item stored`;
}

/** The sent-alert marker of a recipient in a run of the smoke operation, when sent. */
export async function sentMarker(
  t: T,
  smoke: OperationConfig,
  runLabel: string,
  recipient: string,
): Promise<{ messageId: string } | undefined> {
  const out = await documentClient(t.dynamo).send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertPk(smoke.id, 1, runLabel) },
      ConsistentRead: true,
    }),
  );
  const m = (out.Items ?? []).find((i) => i['recipient'] === recipient.toLowerCase() && i['status'] === 'sent');
  return m ? { messageId: String(m['messageId'] ?? '') } : undefined;
}

/** Deletes every version of the objects under each prefix (or of the exact keys); returns how many were deleted. */
async function deletePrefixes(t: T, prefixes: readonly string[]): Promise<number> {
  let n = 0;
  for (const prefix of prefixes) {
    let versions: { Key: string; VersionId?: string }[];
    try {
      const out = await t.s3.send(new ListObjectVersionsCommand({ Bucket: t.bucket, Prefix: prefix }));
      versions = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((v) => ({
        Key: v.Key!,
        ...(v.VersionId && v.VersionId !== 'null' ? { VersionId: v.VersionId } : {}),
      }));
    } catch {
      // An S3 without versions (s3rver): the objects themselves.
      const out = await t.s3.send(new ListObjectsV2Command({ Bucket: t.bucket, Prefix: prefix }));
      versions = (out.Contents ?? []).map((c) => ({ Key: c.Key! }));
    }
    for (let i = 0; i < versions.length; i += 1000) {
      const batch = versions.slice(i, i + 1000);
      await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: batch, Quiet: true } }));
      n += batch.length;
    }
  }
  return n;
}

/** Every item of a partition (keys only). */
async function keysOf(t: T, pk: string): Promise<{ pk: string; sk: string }[]> {
  const out = await documentClient(t.dynamo).send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'pk, sk',
    }),
  );
  return (out.Items ?? []) as { pk: string; sk: string }[];
}

export async function cleanup(
  t: T,
  o: {
    smoke: OperationConfig;
    key: string;
    feedbackKey: string | undefined;
    caseRefs: readonly string[];
    runLabel: string;
    uploaded: boolean;
  },
): Promise<{ objects: number; items: number }> {
  const objects = await deletePrefixes(t, [
    o.key,
    o.feedbackKey?.replace(/\.json$/, '') ?? `feedback/${o.key.slice('incoming/'.length)}.report`,
    `summaries/${o.smoke.id}/`,
    `work/${o.smoke.id}/`,
    `lake/${o.smoke.id}/`,
    contactsKeyFor(o.smoke),
  ]);
  const keys: { pk: string; sk: string }[] = [];
  for (const ref of o.caseRefs) keys.push(...(await keysOf(t, casePk(TEST_MEMBER, ref))));
  for (const shard of new Set(o.caseRefs.map(headShardOf))) keys.push({ pk: headsPk(TEST_MEMBER, shard), sk: HEADS_SK });
  keys.push({ pk: lockPk(TEST_MEMBER), sk: LOCK_SK });
  keys.push(...(await keysOf(t, submissionPk(o.key))));
  keys.push({ pk: summaryPk(o.smoke.id), sk: summarySk(1, o.runLabel) });
  keys.push(...(await keysOf(t, alertPk(o.smoke.id, 1, o.runLabel))));
  const doc = documentClient(t.dynamo);
  let items = 0;
  for (const k of keys) {
    const out = await doc.send(new DeleteCommand({ TableName: t.tableName, Key: k, ReturnValues: 'ALL_OLD' }));
    if (out.Attributes) items++;
  }
  return { objects, items };
}
