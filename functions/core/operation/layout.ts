/**
 * The submissions bucket's key layout: one place, read by the handlers that write there and by the constructs that
 * route events and grant access (lib/ingestion.ts, lib/member-access.ts), so a notification filter, an IAM resource
 * and a handler cannot disagree about where a Member's files live.
 *
 * | prefix                                       | written by            | read by                        |
 * |----------------------------------------------|-----------------------|--------------------------------|
 * | incoming/{member}/...                        | the Member (upload)   | ingest function, Analysts      |
 * | feedback/{member}/...                        | ingest function       | the Member, Analysts           |
 * | summaries/{operation}/phase-{n}/{run}/       | phase close           | every Member, Analysts         |
 * | summaries/{operation}/phase-{n}/{run}/analysts/ | phase close        | Analysts only (Members denied) |
 * | work/{operation}/phase-{n}/{run}/            | phase close (partials, aggregate, analysis) | phase close |
 * | lake/{operation}/lines/phase={n}/member={XX}/ | phase close (Parquet, functions/core/lake) | Analysts only (Athena; Members and the portal denied) |
 * | config/{operation}/contacts.json             | deploy (CDK) / local cloud | phase-close alerts, share-notify |
 * | shares/{id}/uploads/...                      | the sharer (presigned POST) | share-notify only (strips, deletes) |
 * | shares/{id}/photos/{n}.{jpg,png}             | share-notify (metadata stripped) | the share's readers (presigned GET) |
 */
export const INCOMING_PREFIX = 'incoming/';
export const FEEDBACK_PREFIX = 'feedback/';
export const SUMMARIES_PREFIX = 'summaries/';
/** Every counted line as Parquet, for the analysts' SQL (functions/core/lake). Names Members' cases: analysts only. */
export const LAKE_PREFIX = 'lake/';
/** Under a run's summary prefix: the analysts' version, which names Members' cases. */
export const ANALYSTS_DIR = 'analysts/';

/**
 * Suffixes that trigger ingestion. S3 suffix filters are case-sensitive, so both cases are listed; mixed case
 * (`.Xlsx`) is not routed and is documented as unsupported.
 */
export const INGEST_SUFFIXES: readonly string[] = ['.xlsx', '.XLSX', '.csv', '.CSV'];
