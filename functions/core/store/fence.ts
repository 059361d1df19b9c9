/**
 * Fencing the Member lease (README.md, "What the lease does not cover"), on both sides.
 *
 * Write side: BatchWriteItem cannot be conditional, so a line write is fenced only by the lease check made before the
 * call. The SDK's own retries would re-send a write without that check, and a request without a timeout could land
 * at any time after it; so line writes make one attempt per call (every retry is the store's, after a fresh check)
 * and have a request timeout well under the quarter of the lease the check leaves.
 *
 * Read side: a lapsed holder's late write may still land (a request already on the wire), re-creating a line that the
 * case's next upload deleted and its head no longer names. Readers that count lines (the phase close, headed.ts
 * `HeadedLineReader`) keep a line only if `headNames`: its case's head names its line number and its upload (the
 * head's token begins with the line's orderToken). So an orphan line is never counted, whoever wrote it and when.
 */
import type { SeizureRecord } from '../vocabulary/record.ts';
import type { Head } from './heads.ts';

/**
 * One try of a call failed inside the SDK's retry loop: wrapped so that the SDK does not retry it (no retryable trait,
 * no status, a name it does not know). The store's writer unwraps it and retries, after checking the lease.
 */
export class AttemptFailed extends Error {
  override readonly name = 'AttemptFailed';
  // Not `cause`: the SDK looks through `cause` when it decides whether to retry.
  constructor(readonly attemptError: unknown) {
    super('one attempt of a fenced call failed');
  }
}

/** What an error of a call made with `singleAttempt` was (lib-dynamodb may stack the middleware twice: unwrap all). */
export function attemptError(e: unknown): unknown {
  let out = e;
  while (out instanceof AttemptFailed) out = out.attemptError;
  return out;
}

/**
 * Makes `command` one attempt per send, whatever the client's retry settings: a middleware inside the SDK's retry
 * loop (finalizeRequest, low priority: after the retry middleware) turns the attempt's failure into AttemptFailed,
 * which the SDK does not retry. The same client serves every other call with its own retries.
 */
export function singleAttempt<C extends { middlewareStack: { add: (...a: never[]) => void } }>(command: C): C {
  (command.middlewareStack as unknown as { add: (m: unknown, o: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (e) {
        throw e instanceof AttemptFailed ? e : new AttemptFailed(e);
      }
    },
    { step: 'finalizeRequest', priority: 'low' },
  );
  return command;
}

/**
 * Longest a line write may take before it is abandoned (and retried after a fresh lease check): a twelfth of the
 * lease, well under the quarter between the last check the lease allows and its lapse. 5 s for the default minute.
 */
export const lineWriteTimeoutMs = (leaseMs: number): number => Math.max(50, Math.floor(leaseMs / 12));

/** A line as stored: the record and the orderToken of the upload that wrote it. */
export interface StoredLine {
  readonly record: SeizureRecord;
  readonly orderToken: string;
}

/** Whether `head` names this line: its line number, and its upload (the head's token is `{orderToken}#{digest}`). */
export const headNames = (head: Head | undefined, line: StoredLine): boolean =>
  head?.token.startsWith(`${line.orderToken}#`) === true && head.lines.includes(line.record.line_no);
