/**
 * The submissions bucket's key layout, shared by the constructs that route events (Ingestion), grant access
 * (MemberAccess, PipelineFunction.bindBucket) and tell the handlers where to write (FEEDBACK_PREFIX). One place, so a
 * notification filter and an IAM resource cannot disagree about where a Member's files live.
 *
 * | prefix                     | written by            | read by                        |
 * |----------------------------|-----------------------|--------------------------------|
 * | incoming/{member}/...      | the Member (upload)   | ingest function, Analysts      |
 * | feedback/{member}/...      | ingest function       | the Member, Analysts           |
 * | summaries/...              | phase-close (later)   | every Member, Analysts         |
 */
export const INCOMING_PREFIX = 'incoming/';
export const FEEDBACK_PREFIX = 'feedback/';
export const SUMMARIES_PREFIX = 'summaries/';

/**
 * Suffixes that trigger ingestion. S3 suffix filters are case-sensitive, so both cases are listed; mixed case
 * (`.Xlsx`) is not routed and is documented as unsupported.
 */
export const INGEST_SUFFIXES: readonly string[] = ['.xlsx', '.XLSX', '.csv', '.CSV'];
