/** The record of one upload (one S3 object version) and what became of it. */
export type SubmissionStatus = 'processing' | 'accepted' | 'accepted_with_errors' | 'rejected' | 'failed';

/** An earlier upload whose lines an upload replaced or withdrew: its path under the Member's folder, and when it came. */
export interface ReplacedFile {
  file: string;
  receivedAt: string;
}

/**
 * What storing an upload did. The first three are the original contract; the rest were added with replacement by
 * object key (absent on submissions recorded before, and on uploads that stored nothing).
 */
export interface StoredCounts {
  written: number;
  withdrawn: number;
  supersededCases: number;
  /** Cases this upload now holds. */
  storedCases?: number;
  /** Of those, cases that had lines of an earlier upload, now replaced. */
  replacedCases?: number;
  /** Cases of an earlier version of the same file that this one no longer has: withdrawn whole. */
  withdrawnCases?: number;
  /** The earlier uploads replaced or withdrawn from (at most MAX_REPLACED_FILES, oldest first). */
  replacedFiles?: ReplacedFile[];
}

export interface SubmissionRecord {
  /** S3 object key as stored (decoded), e.g. incoming/FR/week 12.xlsx */
  objectKey: string;
  /** S3 version id; 'null' when the bucket is unversioned (as S3 says). */
  versionId: string;
  etag: string;
  size: number;
  member: string;
  /** When S3 received the object (the event time), ISO 8601. */
  receivedAt: string;
  /** When processing finished, ISO 8601. */
  processedAt?: string;
  /** Orders uploads: event time + S3 sequencer; later uploads win (versions of one key: by the sequencer alone, outcome.ts). */
  orderToken: string;
  status: SubmissionStatus;
  language: 'en' | 'fr' | 'es';
  rows: { total: number; valid: number; invalid: number; blank: number };
  errorsByType: Record<string, number>;
  warnings: number;
  /** Lines written, lines removed because the new upload of their case no longer had them, cases skipped as superseded. */
  stored: StoredCounts;
  feedback: { json?: string; xlsx?: string };
  /** Why a submission failed (status failed) or was rejected (file-level error type). */
  failure?: { type: string; message: string };
  /** The upload was the empty template: the Member's nil return for this phase (`created` false: already recorded). */
  nilReturn?: { phase: number; created: boolean };
  /**
   * Only on a `processing` (or `failed`) record: the store had applied the upload when it was written, and `stored` are
   * the counts it reported. A rerun reuses them instead of storing again (once a newer version of the key is in, the
   * store would call the whole rerun superseded and count nothing). Absent on final records.
   */
  applied?: true;
}
