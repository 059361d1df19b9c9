/**
 * The Member lease: one upload at a time writes a Member's cases. An item per Member (`LOCK#{member}`) taken with a
 * conditional PutItem, renewed by a heartbeat while the upload runs, deleted at the end.
 *
 * Why a lease and not a lock for ever: a Lambda killed at its timeout cannot release anything, so a lease that is no
 * longer renewed lapses after `leaseMs`, and the next upload of the Member proceeds. Why renewed rather than as long
 * as the function's timeout: so a crash blocks the Member's other uploads for a minute, not for the whole timeout.
 * (On AWS a crashed upload is delivered again only after the queue's visibility timeout, long after its lease lapsed;
 * the local cloud removes its leases when it starts, since the process that held them is gone.)
 *
 * The lease is exclusive, a rerun of the same upload included: a duplicate delivery processed while the first run is
 * still writing waits for it like any other upload. The holder writes only while it is sure to hold the lease: until
 * `leaseMs - leaseMs / 4` after the start of its last successful renewal (the quarter covers a request in flight and
 * clock skew between machines). `assertHeld` is called before every write; a holder whose renewals keep failing
 * stops with LeaseLostError before anyone else could take the lease.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { backoffDelay, defaultSleep, isConditionFailure, withRetry, type RetryPolicy } from './batch.ts';
import { LOCK_SK, lockPk } from './keys.ts';

export interface LeaseOptions {
  /** How long a lease lasts without renewal; renewed every third of it. @default 60000 */
  readonly leaseMs: number;
  /** How long an upload waits for another upload of its Member before giving up (MemberBusyError). @default 120000 */
  readonly waitMs: number;
  /** First wait between tries; doubles (with full jitter) up to 2 s. @default 100 */
  readonly pollMs: number;
}

export const DEFAULT_LEASE: LeaseOptions = { leaseMs: 60_000, waitMs: 120_000, pollMs: 100 };

/** Another upload of the Member held the lease for longer than the wait: retry later (nothing was written). */
export class MemberBusyError extends Error {
  override readonly name = 'MemberBusyError';
}

/** This run can no longer be sure it holds its Member's lease (renewals failed, or it was taken): it stops. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface Holder {
  readonly member: string;
  readonly orderToken: string;
  readonly objectKey: string;
  readonly versionId: string;
}

export interface Lease {
  /** @throws LeaseLostError when the lease was taken, or may have lapsed */
  assertHeld(): void;
  /** Stops the renewals and deletes the lease if it is still this run's. Never throws. */
  release(): Promise<void>;
}

interface Ctx {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly policy: RetryPolicy;
}

/**
 * Takes the Member's lease for this upload, waiting (with backoff) while another upload holds it.
 * @throws MemberBusyError after `waitMs` of waiting
 */
export async function acquireLease(ctx: Ctx, holder: Holder, opts: LeaseOptions = DEFAULT_LEASE): Promise<Lease> {
  const key = { pk: lockPk(holder.member), sk: LOCK_SK };
  const run = randomUUID();
  const safeFor = opts.leaseMs - Math.floor(opts.leaseMs / 4);
  const deadline = Date.now() + opts.waitMs;
  let validUntil = 0;
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    try {
      await withRetry(ctx.policy, () =>
        ctx.doc.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: { ...key, ...holder, run, expiresAt: now + opts.leaseMs, acquiredAt: new Date(now).toISOString() },
            // A retry of this very call after a lost response finds its own run.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR run = :run',
            ExpressionAttributeValues: { ':now': now, ':run': run },
          }),
        ),
      );
      validUntil = now + safeFor;
      break;
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      if (Date.now() >= deadline) {
        throw new MemberBusyError(
          `another upload of ${holder.member} has been writing for over ${Math.round(opts.waitMs / 1000)} s; this one is retried later`,
        );
      }
      const cap: RetryPolicy = { ...ctx.policy, baseDelayMs: opts.pollMs, maxDelayMs: 2_000 };
      await defaultSleep(Math.max(opts.pollMs / 2, backoffDelay(cap, attempt)));
    }
  }

  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    const start = Date.now();
    try {
      await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: key,
          UpdateExpression: 'SET expiresAt = :e',
          ConditionExpression: 'run = :run',
          ExpressionAttributeValues: { ':e': start + opts.leaseMs, ':run': run },
        }),
        // A hung renewal must not hold up the next one (nor the release).
        { abortSignal: AbortSignal.timeout(Math.max(10, Math.floor(opts.leaseMs / 4))) },
      );
      validUntil = start + safeFor;
    } catch (e) {
      // Any other failure (throttled, dropped, timed out) is tried again at the next tick; validUntil stops the
      // writes if none succeeds in time.
      if (isConditionFailure(e)) lost = true;
    }
  };
  const timer = setInterval(
    () => {
      renewing = renewing.then(renew);
    },
    Math.max(10, Math.floor(opts.leaseMs / 3)),
  );
  timer.unref();

  return {
    assertHeld() {
      if (lost)
        throw new LeaseLostError(`the lease on ${holder.member}'s cases was taken by another run; this one stops (the upload is retried)`);
      if (Date.now() > validUntil) {
        throw new LeaseLostError(
          `the lease on ${holder.member}'s cases could not be renewed in time; this run stops (the upload is retried)`,
        );
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await withRetry(ctx.policy, () =>
          ctx.doc.send(
            new DeleteCommand({
              TableName: ctx.tableName,
              Key: key,
              ConditionExpression: 'run = :run',
              ExpressionAttributeValues: { ':run': run },
            }),
          ),
        );
      } catch {
        // Not ours any more, or unreachable: either way it lapses by itself.
      }
    },
  };
}

/** Removes the leases of these Members whoever holds them: only for a process that knows every holder is gone. */
export function leaseKeysOf(members: readonly string[]): Array<{ pk: string; sk: string }> {
  return members.map((m) => ({ pk: lockPk(m), sk: LOCK_SK }));
}
