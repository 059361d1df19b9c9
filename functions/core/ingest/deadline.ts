/**
 * The time of one ingest run. A Lambda killed at its timeout writes nothing, so the Member would never hear: the core
 * keeps a reserve of the run for storing and feedback, gives the lease wait and the validation only what is left, and
 * stops with a DeadlineError when nothing is. Plain numbers and functions: the core knows nothing of Lambda.
 */

/** One run of ingestUpload. */
export interface IngestRun {
  /** Milliseconds left before the run is killed (the Lambda's getRemainingTimeInMillis). @default - no deadline */
  readonly remainingMs?: () => number;
}

/**
 * Too little of the run is left to store the upload and write its feedback: stopped before the timeout kills the run
 * silently. A retry (with a fresh run) may succeed; on the last receive the Member is told (recordFailure).
 */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** Time kept for storing the lines and writing the feedback. */
export const DEFAULT_RESERVE_MS = 60_000;

/**
 * Time to store one line, kept on top of the reserve before storing: one Member's lines share an index partition that
 * takes about 1,000 writes a second (README, "Limits that bind first").
 */
export const STORE_MS_PER_LINE = 1;

/**
 * Milliseconds of the run left beyond the reserve (Infinity without a deadline); the lease wait and validation get no more.
 * @throws DeadlineError when none is left
 */
export function spareMs(run: IngestRun, step: string, reserveMs = DEFAULT_RESERVE_MS): number {
  if (!run.remainingMs) return Infinity;
  const left = run.remainingMs();
  if (left <= reserveMs) {
    throw new DeadlineError(
      `${Math.round(left / 1000)} s of the run left, ${reserveMs / 1000} s kept for storing and feedback: no time to ${step}`,
    );
  }
  return left - reserveMs;
}
