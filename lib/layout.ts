/** The bucket layout lives with the code that writes it (functions/core/layout.ts); the constructs read it from there. */
export { ANALYSTS_DIR, FEEDBACK_PREFIX, INCOMING_PREFIX, INGEST_SUFFIXES, SUMMARIES_PREFIX } from '../functions/core/layout.ts';
