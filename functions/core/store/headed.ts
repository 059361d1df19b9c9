/**
 * The fenced line reader of the phase close (fence.ts, read side), in bulk.
 *
 * A line counts only if its case's head names its line number and its upload (fence.ts `headNames`). Reading one head
 * shard per GetItem cost more than the lines themselves (a slice of a few thousand lines touches nearly all of its
 * Member's 256 shards), so the shards a page of lines needs are read after that page arrives, with BatchGetItem (100
 * a call, consistent), and kept for the rest of the read: each shard is read at most once per `session()`.
 *
 * Heads cannot come in the same Query as the lines: lines are read from the byPhase index, which only reads
 * eventually, and the heads' partitions (`HEADS#{member}#{shard}`) are not in it; the fence needs consistent heads.
 *
 * What a head read later than a line of its shard means: as with one GetItem per shard (read when the first line of a
 * case in it came), a shard is read after the first line that needed it and kept for the read, so a case changed by
 * an upload during the read is counted as the shard showed it (a case between an upload's intent and its line writes
 * is not counted, README.md). A session lasts one slice: never keep one across invocations (a cached head would stop
 * fencing lines written after it was read).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { batchGet, documentClient, pages, resolvePolicy, type RetryPolicy } from './batch.ts';
import { headNames } from './fence.ts';
import { decodeHeads, type Head } from './heads.ts';
import { HEADS_SK, headRef, headShardOf, headsPk, phasePk } from './keys.ts';
import { TABLE } from './table.ts';

export interface HeadedReaderOptions extends Partial<RetryPolicy> {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** BatchGetItem calls in flight for one page's shards. @default 4 */
  readonly concurrency?: number;
}

/** The lines of a (phase, Member) that their case's head names (fence.ts `headNames`), as the phase close reads them. */
export interface HeadedSource {
  linesOf(phase: number, member: string): AsyncIterable<SeizureRecord>;
  /** The same lines a Query page at a time (fenced), in index order: one await per page rather than per line. */
  pagesOf(phase: number, member: string): AsyncIterable<SeizureRecord[]>;
}

/** A counted line with the upload that wrote it (key and S3 version), which the records leave out. */
export interface SourcedLine {
  readonly record: SeizureRecord;
  readonly objectKey: string;
  readonly versionId: string;
  /** The upload's order token, `{S3 event time}#{sequencer}` (when S3 received it). */
  readonly orderToken: string;
}

export interface HeadedSession extends HeadedSource {
  /** The same lines, each with its upload (portal lineage: the lines behind a figure are the lines counted). */
  sourcedLinesOf(phase: number, member: string): AsyncIterable<SourcedLine>;
  /** The same, a page at a time (the phase close's lake: functions/core/lake). */
  sourcedPagesOf(phase: number, member: string): AsyncIterable<SourcedLine[]>;
}

const BY_PHASE = (() => {
  const g = TABLE.globalSecondaryIndexes.find((i) => i.partitionKey.name === 'gsi1pk' && i.sortKey.name === 'gsi1sk');
  if (g === undefined) throw new Error('TABLE has no index on gsi1pk/gsi1sk');
  return g.indexName;
})();

type Shards = Map<string, Promise<ReadonlyMap<string, Head>>>;

/** The attributes a line item has besides its record's (store.ts LINE_META). */
const LINE_META: ReadonlySet<string> = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'orderToken', 'objectKey', 'versionId']);

/**
 * The record of a line item. Copied key by key rather than with an object rest or spread: items come unmarshalled as
 * dictionary-mode objects, which those copy about three times slower (5 us a line, 6% of a phase close's CPU).
 */
function recordOf(item: Record<string, unknown>): SeizureRecord {
  const out: Record<string, unknown> = {};
  for (const k in item) if (!LINE_META.has(k)) out[k] = item[k];
  return out as unknown as SeizureRecord;
}

const asRecord = (record: SeizureRecord): SeizureRecord => record;
const asSourced = (record: SeizureRecord, item: Record<string, unknown>): SourcedLine => ({
  record,
  objectKey: String(item['objectKey']),
  versionId: String(item['versionId']),
  orderToken: String(item['orderToken']),
});

export class HeadedLineReader implements HeadedSource {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #policy: RetryPolicy;
  readonly #concurrency: number;

  constructor(o: HeadedReaderOptions) {
    this.#doc = documentClient(o.client);
    this.#table = o.tableName;
    this.#policy = resolvePolicy(o);
    this.#concurrency = o.concurrency ?? 4;
  }

  /** One (phase, Member)'s headed lines, with shards read for this call only. */
  linesOf(phase: number, member: string): AsyncIterable<SeizureRecord> {
    return flat(this.#pages(phase, member, new Map(), asRecord));
  }

  pagesOf(phase: number, member: string): AsyncIterable<SeizureRecord[]> {
    return this.#pages(phase, member, new Map(), asRecord);
  }

  /** A source whose reads share the shards they read (one slice: several phases of one Member). */
  session(): HeadedSession {
    const shards: Shards = new Map();
    return {
      linesOf: (phase, member) => flat(this.#pages(phase, member, shards, asRecord)),
      pagesOf: (phase, member) => this.#pages(phase, member, shards, asRecord),
      sourcedLinesOf: (phase, member) => flat(this.#pages(phase, member, shards, asSourced)),
      sourcedPagesOf: (phase, member) => this.#pages(phase, member, shards, asSourced),
    };
  }

  async *#pages<T>(
    phase: number,
    member: string,
    shards: Shards,
    out: (record: SeizureRecord, item: Record<string, unknown>) => T,
  ): AsyncIterable<T[]> {
    const query = {
      TableName: this.#table,
      IndexName: BY_PHASE,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': phasePk(phase, member) },
    };
    for await (const items of pages(this.#policy, this.#doc, query)) {
      const refs = items.map((item) => headRef(String(item['case_ref'])));
      const shardOf = refs.map(headShardOf);
      const heads = await this.#load(member, shardOf, shards);
      const page: T[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const record = recordOf(item);
        if (headNames(heads.get(shardOf[i]!)!.get(refs[i]!), { record, orderToken: String(item['orderToken']) }))
          page.push(out(record, item));
      }
      if (page.length > 0) yield page;
    }
  }

  /** The shards `wanted` (by number), reading those this session has not read nor is reading. */
  async #load(member: string, wanted: readonly number[], shards: Shards): Promise<Map<number, ReadonlyMap<string, Head>>> {
    const unique = [...new Set(wanted)];
    const missing = unique.map((n) => headsPk(member, n)).filter((pk) => !shards.has(pk));
    if (missing.length > 0) {
      const read = batchGet(
        { ...this.#policy, doc: this.#doc, tableName: this.#table, concurrency: this.#concurrency },
        missing.map((pk) => ({ pk, sk: HEADS_SK })),
        true,
      ).then((items) => new Map(items.map((it) => [String(it['pk']), decodeHeads(String(it['heads']))] as const)));
      // Entries of a failed read reject for whoever awaits them; none is left unhandled.
      read.catch(() => undefined);
      for (const pk of missing)
        shards.set(
          pk,
          read.then((m) => m.get(pk) ?? new Map<string, Head>()),
        );
    }
    const got = await Promise.all(unique.map((n) => shards.get(headsPk(member, n))!));
    return new Map(unique.map((n, i) => [n, got[i]!] as const));
  }
}

async function* flat<T>(pages: AsyncIterable<T[]>): AsyncIterable<T> {
  for await (const page of pages) yield* page;
}
