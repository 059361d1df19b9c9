/**
 * Key builders for the shapes documented in table.ts. Every key the store writes or reads is made here, so a shape
 * changes in one place.
 *
 * case_ref goes into keys NFC-normalised (the attribute keeps the Member's spelling): the same reference typed by two
 * spreadsheet programs (é as one code point or as e + combining accent) must address the same case.
 */

import { createHash } from 'node:crypto';

/** DynamoDB's limit on a sort key, and S3's on an object key, in UTF-8 bytes. */
export const MAX_SORT_KEY_BYTES = 1_024;
export const MAX_S3_KEY_BYTES = 1_024;

/**
 * `s` if it fits in `maxBytes` of UTF-8; else its longest prefix (whole characters) that leaves room for `~` and 12 hex
 * digits of its SHA-256, then those. Distinct long strings stay distinct; short ones are unchanged.
 */
export function fitKey(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const tail = `~${createHash('sha256').update(s).digest('hex').slice(0, 12)}`;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes - tail.length) break;
    out += ch;
    bytes += n;
  }
  return out + tail;
}

/** line_no is zero-padded to 6 digits in keys so that keys sort in line order. */
export const MAX_LINE_NO = 999_999;
/** DynamoDB caps a sort key at 1,024 bytes; gsi1sk is `{case_ref}#{line_no:6}`. */
export const MAX_CASE_REF_BYTES = 1_024 - 7;

export const LINE_SK_PREFIX = 'LINE#';
export const SUBMISSION_PK_PREFIX = 'OBJECT#';

export const pad6 = (n: number): string => String(n).padStart(6, '0');
const NON_ASCII = /[^\u0000-\u007f]/;
/** NFC of a key part; ASCII is its own NFC, so the phase close's millions of ASCII case references skip ICU. */
export const nfc = (s: string): string => (NON_ASCII.test(s) ? s.normalize('NFC') : s);

/** Partition of one case: its lines. */
export const casePk = (member: string, caseRef: string): string => `CASE#${member}#${nfc(caseRef)}`;
export const lineSk = (lineNo: number): string => `${LINE_SK_PREFIX}${pad6(lineNo)}`;
/** byPhase: all lines of one (phase, Member), ordered by case then line. */
export const phasePk = (phase: number, member: string): string => `PHASE#${phase}#${member}`;
export const phaseSk = (caseRef: string, lineNo: number): string => `${nfc(caseRef)}#${pad6(lineNo)}`;

/**
 * The heads of a Member's cases (which upload owns each case, and its lines) are kept in HEAD_SHARDS items per Member,
 * a case in the shard its case_ref hashes to. Never change either: the shard of a case is where its head is found.
 */
export const HEAD_SHARDS = 256;
export const HEADS_SK = 'HEADS';
/** FNV-1a (32 bit) over the UTF-16 code units of the NFC case_ref, modulo HEAD_SHARDS. */
export const headShardOf = (caseRef: string): number => {
  const s = nfc(caseRef);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % HEAD_SHARDS;
};
export const headsPk = (member: string, shard: number): string => `HEADS#${member}#${String(shard).padStart(3, '0')}`;
/** The case_ref as heads are keyed by (the same normalisation as casePk). */
export const headRef = nfc;

/** The lease that lets one upload at a time write a Member's cases. */
export const lockPk = (member: string): string => `LOCK#${member}`;
export const LOCK_SK = 'LOCK';

export const submissionPk = (objectKey: string): string => `${SUBMISSION_PK_PREFIX}${objectKey}`;
export const SUBMISSION_SK_PREFIX = 'VERSION#';
export const submissionSk = (versionId: string): string => `${SUBMISSION_SK_PREFIX}${versionId}`;
/** Beside a key's submissions: the newest version of the key applied to the store (objects.ts). */
export const NEWEST_SK = 'NEWEST';
/** byMember: a Member's submissions, newest first when read backwards. */
export const memberPk = (member: string): string => `SUBMISSIONS#${member}`;
/**
 * receivedAt is normalised to UTC `toISOString()` form in the key, so that offsets or missing milliseconds in the
 * given timestamp cannot break the string order; the stored attribute keeps the given text.
 */
export const memberSk = (receivedAt: string, objectKey: string): string => {
  const t = new Date(receivedAt);
  if (Number.isNaN(t.getTime())) throw new RangeError(`receivedAt is not a date: ${JSON.stringify(receivedAt)}`);
  // S3 keys take up to 1,024 bytes, and the sort key cannot: a longer one is cut and told apart by a digest.
  return fitKey(`${t.toISOString()}#${objectKey}`, MAX_SORT_KEY_BYTES);
};

/** Phase-close summaries of an operation (written by phase-store), one per phase and run label. */
export const SUMMARY_PK_PREFIX = 'SUMMARY#';
export const summaryPk = (operation: string): string => `${SUMMARY_PK_PREFIX}${operation}`;
/** The phase is zero-padded to 3 digits, so an operation's summaries sort by phase, then run label. */
export const summarySk = (phase: number, runLabel: string): string => `PHASE#${String(phase).padStart(3, '0')}#${runLabel}`;

/** Sent-alert markers of one phase-close run (written by phase-alerts), one per recipient and email content. */
export const alertPk = (operation: string, phase: number, runLabel: string): string => `ALERT#${operation}#${phase}#${runLabel}`;
/** The address is lower-cased: an address written in two cases is one recipient. */
export const alertSk = (recipient: string, contentHash: string): string => `TO#${recipient.toLowerCase()}#${contentHash}`;

/** The partition key prefixes of the items ingestion writes (IAM confines its writes to them: lib/storage.ts). */
export const INGEST_ITEM_PREFIXES: readonly string[] = ['CASE#', 'HEADS#', 'LOCK#', SUBMISSION_PK_PREFIX, 'NILRETURN#'];
/** Of the phase close's store step (summaries) and alert step (sent-alert markers). */
export const SUMMARY_ITEM_PREFIXES: readonly string[] = [SUMMARY_PK_PREFIX];
export const ALERT_ITEM_PREFIXES: readonly string[] = ['ALERT#'];
