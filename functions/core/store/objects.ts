/**
 * Replacement by object key: a new version of an S3 key replaces every case of the key's earlier versions, and an
 * older version processed late replaces nothing. The case set of a key is not kept in a list of its own: it is the
 * heads whose token carries the key's digest (heads.ts), written by the same conditional writes as every other head,
 * so it cannot disagree with them after a crash. What a key needs besides is the newest version applied to the store
 * (its NEWEST item, in the key's OBJECT# partition beside its submissions). Why this is crash-safe: README.md.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { isConditionFailure, pages, withRetry, type RetryPolicy } from './batch.ts';
import { decide, withdrawCase, type Head, type KeyContext } from './heads.ts';
import { NEWEST_SK, SUBMISSION_SK_PREFIX, submissionPk } from './keys.ts';
import { LeaseLostError } from './lease.ts';

/** One case of an upload: its partition, its head's place and its lines (line_no unique). */
export interface CaseWork {
  readonly caseRef: string;
  readonly pk: string;
  /** The case_ref as heads key it. */
  readonly ref: string;
  readonly shard: number;
  readonly lines: SeizureRecord[];
}

/** A head shard as read (rev undefined: no item yet) and as this upload leaves it. */
export interface ShardPlan {
  readonly shard: number;
  rev: number | undefined;
  text: string | undefined;
  readonly heads: Map<string, Head>;
  /** The cases whose lines are to be deleted (their garbage), by ref. */
  readonly withGarbage: string[];
}

export interface ApplyResult {
  /** Lines written, for the cases this upload now owns. */
  written: number;
  /** Lines removed because this upload no longer has them (counted once per upload, retries included). */
  withdrawn: number;
  /** Cases left alone because a newer upload owns them. */
  supersededCases: number;
  /** Cases this upload now owns. */
  storedCases: number;
  /** Of those, cases that had lines of an earlier upload (which it replaced). */
  replacedCases: number;
  /** Cases of an earlier version of the same object key that this version no longer has: all their lines withdrawn. */
  withdrawnCases: number;
  /** The earlier uploads whose lines this one replaced or withdrew, by version digest (heads.ts versionDigest), sorted. */
  replaced: string[];
}

export const emptyResult = (): ApplyResult => ({
  written: 0,
  withdrawn: 0,
  supersededCases: 0,
  storedCases: 0,
  replacedCases: 0,
  withdrawnCases: 0,
  replaced: [],
});

/** A case an upload claimed (lines to put) or withdrew (no lines; garbage to delete). */
export interface Work {
  readonly pk: string;
  readonly lines: readonly SeizureRecord[];
  readonly head: Head;
}

/**
 * Step 2 of README.md: decides every case of the upload, and with `replacing` (an earlier version of the key was
 * applied, or this is a rerun of a version that was) withdraws the cases of the key's earlier versions it lacks,
 * except those in `present` (cases the file has on rows that are not among its lines: invalid rows); `plans` then hold
 * every shard. `keyCtx` names the key's versions, so heads written before key digests are known as the key's. Adds the counts to `result`; returns the work, and the shards whose text changed.
 */
export function planUpload(
  plans: readonly ShardPlan[],
  byShard: ReadonlyMap<number, readonly CaseWork[]>,
  token: string,
  replacing: boolean,
  present: ReadonlySet<string>,
  keyCtx: KeyContext,
  casePkOf: (ref: string) => string,
  result: ApplyResult,
  encode: (plan: ShardPlan) => string,
): { work: Work[]; changed: Array<{ plan: ShardPlan; text: string }> } {
  const work: Work[] = [];
  const changed: Array<{ plan: ShardPlan; text: string }> = [];
  const replaced = new Set(result.replaced);
  for (const plan of plans) {
    const mine = byShard.get(plan.shard) ?? [];
    for (const c of mine) {
      const d = decide(
        plan.heads.get(c.ref),
        token,
        c.lines.map((r) => r.line_no).sort((x, y) => x - y),
        keyCtx,
      );
      if (d.kind === 'superseded') {
        result.supersededCases++;
        continue;
      }
      plan.heads.set(c.ref, d.head);
      work.push({ pk: c.pk, lines: c.lines, head: d.head });
      result.written += c.lines.length;
      result.withdrawn += d.withdrawn;
      result.storedCases++;
      if (d.head.prev !== undefined) {
        result.replacedCases++;
        replaced.add(d.head.prev);
      }
      if (d.head.garbage.length > 0) plan.withGarbage.push(c.ref);
    }
    if (replacing) {
      const own = new Set(mine.map((c) => c.ref));
      for (const [ref, old] of plan.heads) {
        if (own.has(ref) || present.has(ref)) continue;
        // A tombstone this upload wrote in an earlier run is counted as then; others are made now.
        const head = old.token === token && old.lines.length === 0 ? old : withdrawCase(old, token, keyCtx);
        if (head === undefined) continue;
        plan.heads.set(ref, head);
        work.push({ pk: casePkOf(ref), lines: [], head });
        result.withdrawn += head.withdrawn;
        result.withdrawnCases++;
        if (head.prev !== undefined) replaced.add(head.prev);
        if (head.garbage.length > 0) plan.withGarbage.push(ref);
      }
    }
    // A shard that has no item and gets no head stays without one (a rerun reads every shard).
    if (plan.text === undefined && plan.heads.size === 0) continue;
    const text = encode(plan);
    if (text !== plan.text) changed.push({ plan, text });
  }
  result.replaced = [...replaced].sort();
  return { work, changed };
}

interface Ctx {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly policy: RetryPolicy;
}

/** What an upload reads of its key's OBJECT# partition. */
export interface KeyState {
  /** The token of the newest version of the key applied to the store (its NEWEST item), if any. */
  readonly newest: string | undefined;
  /** The version ids of the key's submissions (heads written before key digests name only their version). */
  readonly versionIds: readonly string[];
}

/**
 * The key's NEWEST item and its submissions, in one consistent Query of the key's OBJECT# partition (both live there,
 * README.md step 1): one read per upload instead of a GetItem and a Query.
 */
export async function readKey(ctx: Ctx, objectKey: string, guard: () => void): Promise<KeyState> {
  guard();
  const query = {
    TableName: ctx.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': submissionPk(objectKey) },
    ConsistentRead: true,
  };
  let newest: string | undefined;
  const versionIds: string[] = [];
  for await (const items of pages(ctx.policy, ctx.doc, query)) {
    for (const item of items) {
      const sk = String(item['sk']);
      if (sk === NEWEST_SK) newest = typeof item['token'] === 'string' ? item['token'] : undefined;
      else if (sk.startsWith(SUBMISSION_SK_PREFIX)) versionIds.push(String(item['versionId']));
    }
  }
  return { newest, versionIds };
}

/**
 * Records `token` as the newest version of the key, if the item is still as read (`read`). Written before any head of
 * the upload, so a head of a version is never there without the NEWEST item naming it or a newer version.
 */
export async function putNewest(
  ctx: Ctx,
  u: { member: string; objectKey: string },
  token: string,
  read: string | undefined,
  guard: () => void,
): Promise<void> {
  await putIfUnchanged(
    ctx,
    { pk: submissionPk(u.objectKey), sk: NEWEST_SK, member: u.member, token },
    read === undefined ? undefined : { attr: 'token', value: read },
    `the newest version of ${u.objectKey} changed under this upload; it is retried`,
    guard,
  );
}

/**
 * Puts `item` if its key's item is still as this upload last read or wrote it: `expected` attribute value, or no item
 * (undefined). Anything else means another writer got in, which the lease should have made impossible: throws
 * LeaseLostError (`lost`) rather than overwrite it. A retry after a lost response fails the condition on the write
 * that landed: an item equal to `item` on every attribute it has is that write, and accepted.
 */
export async function putIfUnchanged(
  ctx: Ctx,
  item: Readonly<Record<string, string | number>>,
  expected: { readonly attr: string; readonly value: string | number } | undefined,
  lost: string,
  guard: () => void,
): Promise<void> {
  const Key = { pk: item['pk'], sk: item['sk'] };
  try {
    await withRetry(ctx.policy, () => {
      guard();
      return ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: item,
          ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : '#a = :a',
          ...(expected === undefined
            ? {}
            : { ExpressionAttributeNames: { '#a': expected.attr }, ExpressionAttributeValues: { ':a': expected.value } }),
        }),
      );
    });
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const now = await withRetry(ctx.policy, () => ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key, ConsistentRead: true })));
    if (!Object.entries(item).every(([k, v]) => now.Item?.[k] === v)) throw new LeaseLostError(lost);
  }
}
