/**
 * The DynamoDB side of ingestion: the lines of each case, the heads that say which upload owns each case (in 256
 * shard items per Member, heads.ts), one lease item per Member, and one submission item per S3 object version. Key
 * shapes: table.ts; key builders: keys.ts. How an upload is written, and why a crash or a rerun at any point ends in
 * the state of one clean run: README.md beside this file.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SeizureRecord } from '../vocabulary/record.ts';
import type { SubmissionRecord } from './submission.ts';
import {
  DEFAULT_CONCURRENCY,
  batchGet,
  type RetryPolicy,
  type WriterOptions,
  documentClient,
  forEachLimit,
  resolvePolicy,
  pages,
  withRetry,
  writeAll,
} from './batch.ts';
import {
  HEAD_SHARDS,
  HEADS_SK,
  MAX_CASE_REF_BYTES,
  MAX_LINE_NO,
  casePk,
  headRef,
  headShardOf,
  headsPk,
  lineSk,
  memberPk,
  memberSk,
  nfc,
  phasePk,
  phaseSk,
  SUBMISSION_SK_PREFIX,
  submissionPk,
  submissionSk,
} from './keys.ts';
import { decodeHeads, encodeHeads, isNewer, keyContextOf, tokenOf, versionDigest, type UploadRef } from './heads.ts';
import { emptyResult, planUpload, putIfUnchanged, putNewest, readKey, type ApplyResult, type CaseWork, type ShardPlan } from './objects.ts';
import { lineWriteTimeoutMs } from './fence.ts';
import { DEFAULT_LEASE, acquireLease, leaseKeysOf, type Lease, type LeaseOptions } from './lease.ts';
import { TABLE } from './table.ts';

export { LeaseLostError, MemberBusyError } from './lease.ts';
export type { ApplyResult } from './objects.ts';
export type { UploadRef } from './heads.ts';

export interface StoreOptions extends Partial<RetryPolicy> {
  /**
   * The store wraps it in a DynamoDBDocumentClient (see TRANSLATE_CONFIG in batch.ts); do not wrap the same client in
   * another DocumentClient with different translate options.
   */
  client: DynamoDBClient;
  tableName: string;
  /** Requests in flight at once (BatchWriteItem, BatchGetItem or head-shard calls). @default 8 */
  concurrency?: number;
  /** The Member lease's timings (lease.ts). @default DEFAULT_LEASE */
  lease?: Partial<LeaseOptions>;
  /** Longest a line write may take before it is abandoned and retried. @default lineWriteTimeoutMs(lease.leaseMs) */
  lineWriteTimeoutMs?: number;
}

/** A Member's heads in one shard would no longer fit in a DynamoDB item. */
export class HeadsTooLargeError extends Error {
  override readonly name = 'HeadsTooLargeError';
}

/** DynamoDB's item limit is 400 KB; the heads text stays under this, leaving room for the keys. */
const MAX_HEADS_BYTES = 390_000;

/** Attributes a line item has besides the SeizureRecord fields. */
const LINE_META = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'orderToken', 'objectKey', 'versionId'] as const;
/** Attributes a submission item has besides the SubmissionRecord fields. */
const SUBMISSION_META = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
// Reading an item back drops the meta attributes, so no record field may share a name with one.
type MustBeNever<T extends never> = T;
export type NoLineClash = MustBeNever<Extract<keyof SeizureRecord, (typeof LINE_META)[number]>>;
export type NoSubmissionClash = MustBeNever<Extract<keyof SubmissionRecord, (typeof SUBMISSION_META)[number]>>;

/** The index whose keys are `pk`/`sk`, checked against TABLE so a renamed attribute cannot go unnoticed. */
const indexOn = (pk: string, sk: string): string => {
  const g = TABLE.globalSecondaryIndexes.find((i) => i.partitionKey.name === pk && i.sortKey.name === sk);
  if (g === undefined) throw new Error(`TABLE has no index on ${pk}/${sk}`);
  return g.indexName;
};
const BY_PHASE = indexOn('gsi1pk', 'gsi1sk');
const BY_MEMBER = indexOn('gsi2pk', 'gsi2sk');

type Item = Record<string, unknown>;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

const without = (item: Item, meta: readonly string[]): Item => {
  const out: Item = { ...item };
  for (const k of meta) delete out[k];
  return out;
};

export class SeizureStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #concurrency: number;
  readonly #policy: RetryPolicy;
  readonly #writer: WriterOptions;
  readonly #lease: LeaseOptions;
  /** Line writes under a lease: one SDK attempt per call and a request timeout (fence.ts). */
  readonly #lineWriter: WriterOptions;

  constructor(opts: StoreOptions) {
    this.#doc = documentClient(opts.client);
    this.#table = opts.tableName;
    this.#concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.#policy = resolvePolicy(opts);
    this.#writer = { ...this.#policy, doc: this.#doc, tableName: this.#table, concurrency: this.#concurrency };
    this.#lease = { ...DEFAULT_LEASE, ...opts.lease };
    this.#lineWriter = {
      ...this.#writer,
      singleAttempt: true,
      requestTimeoutMs: opts.lineWriteTimeoutMs ?? lineWriteTimeoutMs(this.#lease.leaseMs),
    };
  }

  /**
   * Replaces the cases contained in `records` (all of `upload.member`) with these lines, unless a newer upload owns
   * them; a newer version of an object key also withdraws the cases of its earlier versions it lacks (objects.ts), and
   * an older version processed late changes nothing. `presentCases`: case refs the file has on any row, valid or not
   * (a case whose rows are all invalid is still the file's: never withdrawn). Idempotent per upload; see README.md for the write order. Resolves only when every line is
   * written; throws otherwise (UnprocessedItemsError, or the error that stopped it), and may then be called again.
   *
   * @throws RangeError, before writing anything, when a record is of another Member, has a line_no outside 0..999999
   *   or a case_ref too long for a key, or repeats (case_ref, line_no)
   * @throws MemberBusyError, before writing anything, when another upload of the Member held its lease too long
   * @throws LeaseLostError when this run lost the lease midway (retry the upload)
   * @throws HeadsTooLargeError, before writing anything, when a Member's heads outgrow a shard (about 800,000 cases of a
   *   Member: heads grew by about 30% with key digests, `prev` and tombstones; over a million before)
   */
  async applyUpload(
    upload: UploadRef,
    records: readonly SeizureRecord[],
    opts: { presentCases?: Iterable<string>; waitMs?: number } = {},
  ): Promise<ApplyResult> {
    const cases = this.#groupByCase(upload, records);
    const present = new Set<string>();
    for (const c of opts.presentCases ?? []) present.add(headRef(c.trim()));
    const result = emptyResult();
    if (cases.size === 0) return result;
    // The caller's run may have less time left than the usual wait.
    const timing =
      opts.waitMs === undefined ? this.#lease : { ...this.#lease, waitMs: Math.min(this.#lease.waitMs, Math.max(0, opts.waitMs)) };
    const lease = await acquireLease({ doc: this.#doc, tableName: this.#table, policy: this.#policy }, upload, timing);
    try {
      await this.#apply(upload, cases, present, lease, result);
    } finally {
      await lease.release();
    }
    return result;
  }

  #groupByCase(upload: UploadRef, records: readonly SeizureRecord[]): Map<string, CaseWork> {
    if (upload.member === '' || upload.member.includes('#')) {
      throw new RangeError(`member ${JSON.stringify(upload.member)} cannot be used in a key`);
    }
    if (upload.orderToken === '') throw new RangeError('orderToken is empty: the upload could not be ordered');
    const cases = new Map<string, CaseWork>();
    const seen = new Map<string, Set<number>>();
    for (const r of records) {
      const where = `case ${JSON.stringify(r.case_ref)} line ${r.line_no}`;
      if (r.reporting_member !== upload.member) {
        throw new RangeError(`${where} is of Member ${r.reporting_member}, the upload of ${upload.member}`);
      }
      if (!Number.isInteger(r.line_no) || r.line_no < 0 || r.line_no > MAX_LINE_NO) {
        throw new RangeError(`${where}: line_no must be an integer from 0 to ${MAX_LINE_NO}`);
      }
      if (!Number.isInteger(r.phase)) throw new RangeError(`${where}: phase must be an integer`);
      if (r.case_ref === '' || utf8Length(nfc(r.case_ref)) > MAX_CASE_REF_BYTES) {
        throw new RangeError(`${where}: case_ref must have 1 to ${MAX_CASE_REF_BYTES} bytes`);
      }
      const pk = casePk(upload.member, r.case_ref);
      let c = cases.get(pk);
      let lineNos = seen.get(pk);
      if (c === undefined || lineNos === undefined) {
        const ref = headRef(r.case_ref);
        c = { caseRef: r.case_ref, pk, ref, shard: headShardOf(ref), lines: [] };
        lineNos = new Set();
        cases.set(pk, c);
        seen.set(pk, lineNos);
      }
      if (lineNos.has(r.line_no)) throw new RangeError(`${where} appears twice`);
      lineNos.add(r.line_no);
      c.lines.push(r);
    }
    return cases;
  }

  /** Steps 1 to 5 of README.md, under the Member's lease. */
  async #apply(
    upload: UploadRef,
    cases: Map<string, CaseWork>,
    present: ReadonlySet<string>,
    lease: Lease,
    result: ApplyResult,
  ): Promise<void> {
    const token = tokenOf(upload);
    const guard = (): void => lease.assertHeld();
    const ctx = { doc: this.#doc, tableName: this.#table, policy: this.#policy };
    // 1. The key's newest version and its submissions (one Query). A newer version makes this whole version
    // superseded; an earlier one (or this one, in a rerun) makes every shard to be read, for the cases of the key's
    // earlier versions.
    const { newest, versionIds } = await readKey(ctx, upload.objectKey, guard);
    if (newest !== undefined && isNewer(newest, token)) {
      result.supersededCases = cases.size;
      return;
    }
    const byShard = new Map<number, CaseWork[]>();
    for (const c of cases.values()) {
      const list = byShard.get(c.shard);
      if (list === undefined) byShard.set(c.shard, [c]);
      else list.push(c);
    }
    // Heads written before key digests name only their version: the key's submissions tell which are this key's, so a
    // version withdraws their cases too (README.md, "Across the head-format change").
    const keyCtx = keyContextOf(upload.objectKey, versionIds);
    const own = versionDigest(upload.objectKey, upload.versionId);
    const replacing = newest !== undefined || [...keyCtx.versions].some((v) => v !== own);
    const shards = replacing ? Array.from({ length: HEAD_SHARDS }, (_, i) => i) : [...byShard.keys()];
    const plans = await this.#readShards(upload.member, shards, guard);

    // 2. Decide every case; nothing is written until every shard's new text is known to fit.
    const casePkOf = (ref: string): string => casePk(upload.member, ref);
    const { work, changed } = planUpload(plans, byShard, token, replacing, present, keyCtx, casePkOf, result, (plan) => {
      const text = encodeHeads(plan.heads);
      if (utf8Length(text) > MAX_HEADS_BYTES) {
        throw new HeadsTooLargeError(
          `the heads of ${upload.member}'s cases in shard ${plan.shard} would take over ${MAX_HEADS_BYTES} bytes`,
        );
      }
      return text;
    });

    // 3. Intent: the key's newest version first, then the heads.
    if (newest !== token) await putNewest(ctx, upload, token, newest, guard);
    await forEachLimit(changed, this.#concurrency, ({ plan, text }) => this.#putShard(upload.member, plan, text, guard));

    // 4. Lines and garbage. No key repeats: garbage never includes a line of this upload.
    const self = this;
    await writeAll(
      { ...this.#lineWriter, guard },
      (function* () {
        for (const { pk, lines, head } of work) {
          for (const r of lines) yield { PutRequest: { Item: self.#lineItem(upload, r) } };
          for (const n of head.garbage) yield { DeleteRequest: { Key: { pk, sk: lineSk(n) } } };
        }
      })(),
    );

    // 5. Clear.
    const clears = plans.filter((p) => p.withGarbage.length > 0);
    await forEachLimit(clears, this.#concurrency, async (plan) => {
      for (const ref of plan.withGarbage) plan.heads.set(ref, { ...plan.heads.get(ref)!, garbage: [] });
      await this.#putShard(upload.member, plan, encodeHeads(plan.heads), guard);
    });
    // A lease lost while the last writes were in flight: not reported as done, so the upload is tried again.
    guard();
  }

  /** The head shards of a Member, as plans (an absent shard reads as empty), read consistently (batch.ts batchGet). */
  async #readShards(member: string, shards: readonly number[], guard: () => void): Promise<ShardPlan[]> {
    const plans = new Map<string, ShardPlan>();
    for (const shard of shards)
      plans.set(headsPk(member, shard), { shard, rev: undefined, text: undefined, heads: new Map(), withGarbage: [] });
    const keys = shards.map((n) => ({ pk: headsPk(member, n), sk: HEADS_SK }));
    for (const item of await batchGet({ ...this.#writer, guard }, keys, true)) {
      const plan = plans.get(String(item['pk']));
      if (plan === undefined) continue;
      plan.rev = Number(item['rev']);
      plan.text = String(item['heads']);
      for (const [ref, h] of decodeHeads(plan.text)) plan.heads.set(ref, h);
    }
    return [...plans.values()];
  }

  /**
   * Writes a head shard if it is still as this upload last read or wrote it (`rev`); anything else means another
   * writer got in, which the lease should have made impossible: stop rather than overwrite its heads.
   */
  async #putShard(member: string, plan: ShardPlan, text: string, guard: () => void): Promise<void> {
    const rev = (plan.rev ?? 0) + 1;
    await putIfUnchanged(
      { doc: this.#doc, tableName: this.#table, policy: this.#policy },
      { pk: headsPk(member, plan.shard), sk: HEADS_SK, member, shard: plan.shard, rev, cases: plan.heads.size, heads: text },
      plan.rev === undefined ? undefined : { attr: 'rev', value: plan.rev },
      `the heads of ${member}'s shard ${plan.shard} changed under this upload; it is retried`,
      guard,
    );
    plan.rev = rev;
    plan.text = text;
  }

  #lineItem(upload: UploadRef, r: SeizureRecord): Item {
    return {
      ...r,
      pk: casePk(upload.member, r.case_ref),
      sk: lineSk(r.line_no),
      gsi1pk: phasePk(r.phase, upload.member),
      gsi1sk: phaseSk(r.case_ref, r.line_no),
      orderToken: upload.orderToken,
      objectKey: upload.objectKey,
      versionId: upload.versionId,
    };
  }

  /**
   * Deletes these Members' leases whoever holds them. Only for a process that knows no holder is alive: the local
   * cloud at start (its data directory is its own, so whoever held a lease there was an earlier, dead process).
   */
  async removeLeases(members: readonly string[]): Promise<void> {
    await writeAll(
      this.#writer,
      leaseKeysOf(members).map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  /**
   * Every seizure line of one (phase, Member), ordered by case_ref then line_no; the pages are read lazily. Not fenced:
   * what the phase close counts comes through headed.ts `HeadedLineReader`.
   */
  async *linesOf(phase: number, member: string): AsyncIterable<SeizureRecord> {
    const query = {
      TableName: this.#table,
      IndexName: BY_PHASE,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': phasePk(phase, member) },
    };
    for await (const items of pages(this.#policy, this.#doc, query)) {
      for (const item of items) yield without(item, LINE_META) as unknown as SeizureRecord;
    }
  }

  /** Creates or replaces the submission of one S3 object version. */
  async putSubmission(s: SubmissionRecord): Promise<void> {
    const item: Item = {
      ...s,
      pk: submissionPk(s.objectKey),
      sk: submissionSk(s.versionId),
      gsi2pk: memberPk(s.member),
      gsi2sk: memberSk(s.receivedAt, s.objectKey),
    };
    await withRetry(this.#policy, () => this.#doc.send(new PutCommand({ TableName: this.#table, Item: item })));
  }

  /** Every recorded version of one object (any order). */
  async versionsOf(objectKey: string): Promise<SubmissionRecord[]> {
    const query = {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': submissionPk(objectKey), ':v': SUBMISSION_SK_PREFIX },
      ConsistentRead: true,
    };
    const out: SubmissionRecord[] = [];
    for await (const items of pages(this.#policy, this.#doc, query))
      for (const i of items) out.push(without(i, SUBMISSION_META) as unknown as SubmissionRecord);
    return out;
  }

  async getSubmission(objectKey: string, versionId: string): Promise<SubmissionRecord | undefined> {
    const out = await withRetry(this.#policy, () =>
      this.#doc.send(
        new GetCommand({
          TableName: this.#table,
          Key: { pk: submissionPk(objectKey), sk: submissionSk(versionId) },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : (without(out.Item, SUBMISSION_META) as unknown as SubmissionRecord);
  }

  /**
   * Submissions newest first (by receivedAt). With a Member: a Query of byMember, read backwards. Without: a Scan of
   * the byMember index (only submissions have its keys), sorted here; fine for an operation's few thousand uploads.
   */
  async listSubmissions(opts: { member?: string; limit?: number } = {}): Promise<SubmissionRecord[]> {
    const { member, limit } = opts;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError(`limit must be a positive integer, not ${limit}`);
    }
    const items: Item[] = [];
    if (member !== undefined) {
      const query = {
        TableName: this.#table,
        IndexName: BY_MEMBER,
        KeyConditionExpression: 'gsi2pk = :m',
        ExpressionAttributeValues: { ':m': memberPk(member) },
        ScanIndexForward: false,
        ...(limit === undefined ? {} : { Limit: limit }),
      };
      for await (const page of pages(this.#policy, this.#doc, query)) {
        items.push(...page);
        if (limit !== undefined && items.length >= limit) break;
      }
    } else {
      // byMember also holds shares and push subscriptions (functions/core/shares): submissions only.
      const scan = {
        TableName: this.#table,
        IndexName: BY_MEMBER,
        FilterExpression: 'begins_with(gsi2pk, :p)',
        ExpressionAttributeValues: { ':p': memberPk('') },
      };
      for await (const page of pages(this.#policy, this.#doc, scan, 'scan')) items.push(...page);
      const key = (i: Item): string => `${String(i['gsi2sk'])}\u0000${String(i['sk'])}`;
      items.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
    }
    return items.slice(0, limit ?? items.length).map((i) => without(i, SUBMISSION_META) as unknown as SubmissionRecord);
  }
}
