/**
 * The DynamoDB side of ingestion: the lines of each case, one head item per case that orders the uploads touching it,
 * and one submission item per S3 object version. Key shapes: table.ts; key builders: keys.ts.
 *
 * ## Writing an upload (applyUpload)
 *
 * An upload is the truth for the cases it contains. Cases are taken in chunks (about 4 x 25 x concurrency lines) and
 * each chunk goes through three steps:
 *
 * 1. **Claim** each case head with a conditional UpdateItem that returns the old head:
 *    `attribute_not_exists(orderToken) OR orderToken < :mine` sets orderToken, objectKey/versionId of the upload and
 *    the line count, and removes the previous upload's `withdrawn`. If that fails, `orderToken = :mine` (the same
 *    upload again: a duplicate or a retry) keeps the head as its earlier run left it; together these are the
 *    `orderToken <= :mine` of the contract. If both fail, a newer upload owns the case: it is skipped and counted in
 *    supersededCases. No old head ("fresh") means no line was ever written in that partition.
 * 2. **Put** the lines of all claimed cases with BatchWriteItem. Every line item carries orderToken, objectKey and
 *    versionId of this upload. Line keys are deterministic (Member, case_ref, line_no), so a put is a replace.
 *    A fresh case is done here.
 * 3. **Clean up** every other case: a consistent Query of the case partition re-reads the head and every line's
 *    orderToken. If the head has a newer token, stop: nothing is deleted, the newer writer cleans up (the case counts
 *    as superseded). Otherwise the lines whose line_no is not in this upload are stale: their number is first
 *    recorded on the head (`withdrawn`, conditional on the head still being ours). Once every case of the chunk is
 *    through this, the stale lines are deleted with BatchWriteItem, and lines of this upload found missing or
 *    carrying another token are put again (repair, see below).
 *
 * There is no per-case "complete" write: it would be a second conditional write for every case (with a few lines per
 * case, the per-case calls already cost more than the line batches) and nothing reads it; an upload is complete when
 * applyUpload resolves, which the ingest step records on the submission item. Nothing written depends on the clock or
 * on chance, so every item's final value is a function of the upload and of the table before it, and no transactions
 * are needed.
 *
 * ## Crash, then a retry of the same upload (same orderToken)
 *
 * The claim passes again (`= :mine`), so every step reruns and replaces with the same values:
 * - crash after the claim: the head has our token, earlier lines are intact. The retry finds an old head (ours), so
 *   even a case that was fresh goes through the clean-up, which deletes the earlier version's stale lines exactly as
 *   a clean run would (and finds none for a case that was fresh).
 * - crash during the puts: the retry puts them all again.
 * - crash during the deletes: the count was recorded before the first delete, and the same-upload claim keeps it; the
 *   retry finds only the remaining stale lines (a subset) and reports the recorded count, so the counts returned (and
 *   stored on the submission) are those of a clean run.
 * - crash after everything: everything is rewritten with identical values. A duplicate delivery is this case.
 * Hence the table after a crash and a retry equals the table after one clean run, counts included.
 *
 * ## Two versions of one case processed concurrently (older S, newer T)
 *
 * The head's token only moves forward, so S can never claim after T. What S already started can still land:
 * - S's line puts, issued after its claim but landing after T's clean-up Query, overwrite T's lines of the same
 *   line_no or add lines T does not have. Narrowed: T's clean-up re-puts any of its lines found missing or carrying
 *   another token, and S, re-reading the head after its puts (its clean-up Query), never deletes anything once T owns
 *   the head. What remains is an S BatchWriteItem call (with its retries) in flight across the whole of T's claim ->
 *   puts -> clean-up Query of that case.
 * - S's deletes (BatchWriteItem deletes cannot be conditional) could remove a line T has just put. Narrowed: S checks
 *   the head (the conditional `withdrawn` update) shortly before deleting (within the clean-up of one chunk), and T's
 *   clean-up re-puts missing lines; what remains is S's time from that check to its delete landing spanning T's claim
 *   -> puts -> clean-up Query. (T skips the clean-up only on a fresh case, and a fresh case has no S that claimed
 *   before it.)
 * Either leaves line items whose orderToken differs from their head's, which makes them detectable, and the next
 * upload of the case repairs them. Processing one Member's uploads one at a time upstream closes the window.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SeizureRecord } from '../record.ts';
import type { SubmissionRecord } from '../submission.ts';
import {
  BATCH_WRITE_MAX,
  DEFAULT_CONCURRENCY,
  type RetryPolicy,
  type WriteRequest,
  type WriterOptions,
  documentClient,
  forEachLimit,
  resolvePolicy,
  pages,
  withRetry,
  writeAll,
} from './batch.ts';
import {
  HEAD_SK,
  LINE_SK_PREFIX,
  MAX_CASE_REF_BYTES,
  MAX_LINE_NO,
  casePk,
  lineSk,
  memberPk,
  memberSk,
  phasePk,
  phaseSk,
  submissionPk,
  submissionSk,
} from './keys.ts';
import { TABLE } from './table.ts';

export interface StoreOptions extends Partial<RetryPolicy> {
  /**
   * The store wraps it in a DynamoDBDocumentClient (see TRANSLATE_CONFIG in batch.ts); do not wrap the same client in
   * another DocumentClient with different translate options.
   */
  client: DynamoDBClient;
  tableName: string;
  /** Requests in flight at once (BatchWriteItem calls, or per-case calls). @default 8 */
  concurrency?: number;
}

/** The S3 object version an upload came from, and its place in the order of uploads. */
export interface UploadRef {
  member: string;
  objectKey: string;
  versionId: string;
  /** S3 event time + sequencer; compares lexicographically, later uploads compare greater. */
  orderToken: string;
}

export interface ApplyResult {
  /** Lines written, for the cases this upload now owns. */
  written: number;
  /** Lines removed because this upload no longer has them (counted once per upload, retries included). */
  withdrawn: number;
  /** Cases left alone because a newer upload owns them. */
  supersededCases: number;
}

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

/** One case of an upload: its partition and its lines (line_no unique). */
interface CaseWork {
  readonly caseRef: string;
  readonly pk: string;
  readonly lines: SeizureRecord[];
}

type Claim =
  | { readonly kind: 'superseded' }
  /** fresh: no head existed. carried: the withdrawn count an earlier run of this same upload recorded. */
  | { readonly kind: 'claimed'; readonly fresh: boolean; readonly carried: number | undefined };

type Outcome = { readonly kind: 'done'; readonly withdrawn: number } | { readonly kind: 'superseded' };

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

const isConditionFailure = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ConditionalCheckFailedException';

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

  constructor(opts: StoreOptions) {
    this.#doc = documentClient(opts.client);
    this.#table = opts.tableName;
    this.#concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.#policy = resolvePolicy(opts);
    this.#writer = { ...this.#policy, doc: this.#doc, tableName: this.#table, concurrency: this.#concurrency };
  }

  /**
   * Replaces the cases contained in `records` (all of `upload.member`) with these lines, unless a newer upload owns
   * them. Idempotent per upload; see the module comment for the write order. Resolves only when every line is
   * written; throws UnprocessedItemsError (or the error that stopped it) otherwise, and may then be called again.
   *
   * @throws RangeError, before writing anything, when a record is of another Member, has a line_no outside 0..999999
   *   or a case_ref too long for a key, or repeats (case_ref, line_no)
   */
  async applyUpload(upload: UploadRef, records: readonly SeizureRecord[]): Promise<ApplyResult> {
    const cases = this.#groupByCase(upload, records);
    const result: ApplyResult = { written: 0, withdrawn: 0, supersededCases: 0 };
    const chunkLines = BATCH_WRITE_MAX * this.#concurrency * 4;
    let chunk: CaseWork[] = [];
    let lines = 0;
    for (const c of cases.values()) {
      chunk.push(c);
      lines += c.lines.length;
      if (lines >= chunkLines) {
        await this.#applyChunk(upload, chunk, result);
        chunk = [];
        lines = 0;
      }
    }
    if (chunk.length > 0) await this.#applyChunk(upload, chunk, result);
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
      if (r.case_ref === '' || utf8Length(r.case_ref.normalize('NFC')) > MAX_CASE_REF_BYTES) {
        throw new RangeError(`${where}: case_ref must have 1 to ${MAX_CASE_REF_BYTES} bytes`);
      }
      const pk = casePk(upload.member, r.case_ref);
      let c = cases.get(pk);
      let lineNos = seen.get(pk);
      if (c === undefined || lineNos === undefined) {
        c = { caseRef: r.case_ref, pk, lines: [] };
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

  async #applyChunk(upload: UploadRef, chunk: readonly CaseWork[], result: ApplyResult): Promise<void> {
    const claims = new Map<CaseWork, Claim>();
    await forEachLimit(chunk, this.#concurrency, async (c) => {
      claims.set(c, await this.#claim(upload, c));
    });
    const claimed = chunk.filter((c) => claims.get(c)?.kind === 'claimed');
    result.supersededCases += chunk.length - claimed.length;

    const self = this;
    await writeAll(
      this.#writer,
      (function* () {
        for (const c of claimed) for (const r of c.lines) yield { PutRequest: { Item: self.#lineItem(upload, r) } };
      })(),
    );

    // The clean-up: each case is re-read and its withdrawn count recorded before any delete goes out; the deletes
    // and repairs of the whole chunk then share batches (and the concurrency bound).
    const fixes: WriteRequest[] = [];
    await forEachLimit(claimed, this.#concurrency, async (c) => {
      const claim = claims.get(c);
      if (claim?.kind !== 'claimed') return;
      // A fresh case is done once its lines are in: nobody else ever wrote in its partition.
      const outcome: Outcome = claim.fresh
        ? { kind: 'done', withdrawn: 0 }
        : await this.#cleanUp(upload, c, claim.carried, fixes);
      if (outcome.kind === 'superseded') {
        result.supersededCases++;
      } else {
        result.written += c.lines.length;
        result.withdrawn += outcome.withdrawn;
      }
    });
    await writeAll(this.#writer, fixes);
  }

  async #claim(upload: UploadRef, c: CaseWork): Promise<Claim> {
    const values = {
      ':t': upload.orderToken,
      ':k': upload.objectKey,
      ':v': upload.versionId,
      ':n': c.lines.length,
      ':m': upload.member,
      ':c': c.caseRef,
    };
    const set = 'SET #token = :t, #objectKey = :k, #versionId = :v, #lines = :n, #member = :m, #caseRef = :c';
    const names = {
      '#objectKey': 'objectKey',
      '#versionId': 'versionId',
      '#lines': 'lines',
      '#member': 'member',
      '#caseRef': 'case_ref',
    };
    const taken = await this.#updateHead(c.pk, {
      update: `${set} REMOVE #withdrawn`,
      condition: 'attribute_not_exists(#token) OR #token < :t',
      names: { ...names, '#withdrawn': 'withdrawn' },
      values,
    });
    if (taken.ok) return { kind: 'claimed', fresh: taken.old === undefined, carried: undefined };
    const again = await this.#updateHead(c.pk, { update: set, condition: '#token = :t', names, values });
    if (!again.ok) return { kind: 'superseded' };
    const carried = again.old?.['withdrawn'];
    return { kind: 'claimed', fresh: false, carried: typeof carried === 'number' ? carried : undefined };
  }

  /**
   * The clean-up of a case that had a head before this upload claimed it (step 3), up to the writes: those (deletes
   * of stale lines, re-puts of missing or overwritten ones) are added to `fixes`, for the caller to write.
   */
  async #cleanUp(upload: UploadRef, c: CaseWork, carried: number | undefined, fixes: WriteRequest[]): Promise<Outcome> {
    const mine = upload.orderToken;
    const { headToken, lines } = await this.#readCase(c.pk);
    if (headToken !== mine) return { kind: 'superseded' };
    const wanted = new Map(c.lines.map((r) => [lineSk(r.line_no), r]));
    const stale: string[] = [];
    const repair: SeizureRecord[] = [];
    for (const [sk, token] of lines) {
      if (token !== undefined && token > mine) return { kind: 'superseded' };
      const r = wanted.get(sk);
      if (r === undefined) stale.push(sk);
      else if (token !== mine) repair.push(r);
    }
    for (const [sk, r] of wanted) if (!lines.has(sk)) repair.push(r);

    // What an earlier run of this upload recorded covers the stale lines still found (they are a subset).
    const withdrawn = Math.max(carried ?? 0, stale.length);
    if (stale.length > 0) {
      // Recorded before any delete, so that a retry after a crash among the deletes reports the same count; and the
      // last look at the head before deleting.
      const recorded = await this.#updateHead(c.pk, {
        update: 'SET #withdrawn = :w',
        condition: '#token = :t',
        names: { '#withdrawn': 'withdrawn' },
        values: { ':w': withdrawn, ':t': mine },
      });
      if (!recorded.ok) return { kind: 'superseded' };
    }
    for (const sk of stale) fixes.push({ DeleteRequest: { Key: { pk: c.pk, sk } } });
    for (const r of repair) fixes.push({ PutRequest: { Item: this.#lineItem(upload, r) } });
    return { kind: 'done', withdrawn };
  }

  /** A conditional UpdateItem on a case head (`#token` is orderToken); ok false when the condition failed. */
  async #updateHead(
    pk: string,
    u: { update: string; condition: string; names: Record<string, string>; values: Item },
  ): Promise<{ ok: false } | { ok: true; old: Item | undefined }> {
    try {
      const out = await withRetry(this.#policy, () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk, sk: HEAD_SK },
            UpdateExpression: u.update,
            ConditionExpression: u.condition,
            ExpressionAttributeNames: { ...u.names, '#token': 'orderToken' },
            ExpressionAttributeValues: u.values,
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      return { ok: true, old: out.Attributes };
    } catch (e) {
      if (isConditionFailure(e)) return { ok: false };
      throw e;
    }
  }

  /** The head's token and every line's (sk -> orderToken) of one case partition, read consistently. */
  async #readCase(pk: string): Promise<{ headToken: string | undefined; lines: Map<string, string | undefined> }> {
    let headToken: string | undefined;
    const lines = new Map<string, string | undefined>();
    const query = {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'sk, orderToken',
      ConsistentRead: true,
    };
    for await (const items of pages(this.#policy, this.#doc, query)) {
      for (const item of items) {
        const sk = String(item['sk']);
        const token = typeof item['orderToken'] === 'string' ? item['orderToken'] : undefined;
        if (sk === HEAD_SK) headToken = token;
        else if (sk.startsWith(LINE_SK_PREFIX)) lines.set(sk, token);
      }
    }
    return { headToken, lines };
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

  /** Every seizure line of one (phase, Member), ordered by case_ref then line_no; the pages are read lazily. */
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
      for await (const page of pages(this.#policy, this.#doc, { TableName: this.#table, IndexName: BY_MEMBER }, 'scan')) items.push(...page);
      const key = (i: Item): string => `${String(i['gsi2sk'])}\u0000${String(i['sk'])}`;
      items.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
    }
    return items
      .slice(0, limit ?? items.length)
      .map((i) => without(i, SUBMISSION_META) as unknown as SubmissionRecord);
  }
}
