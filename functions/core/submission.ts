/** The record of one upload (one S3 object version) and what became of it. */
export type SubmissionStatus = 'processing' | 'accepted' | 'accepted_with_errors' | 'rejected' | 'failed';

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
  /** Orders uploads: event time + S3 sequencer; later uploads win. */
  orderToken: string;
  status: SubmissionStatus;
  language: 'en' | 'fr' | 'es';
  rows: { total: number; valid: number; invalid: number; blank: number };
  errorsByType: Record<string, number>;
  warnings: number;
  /** Lines written, lines removed because the new upload of their case no longer had them, cases skipped as superseded. */
  stored: { written: number; withdrawn: number; supersededCases: number };
  feedback: { json?: string; xlsx?: string };
  /** Why a submission failed (status failed) or was rejected (file-level error type). */
  failure?: { type: string; message: string };
}
