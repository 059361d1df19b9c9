/**
 * The shares in the one table (keys.ts): a share item and one item per recipient Member in the share's partition, so
 * one consistent Query reads a share whole; byMember (gsi2) lists a Member's sent shares (share items) and received
 * ones (recipient items), byPhase (gsi1) every share of the operation (analysts). Expiry is enforced on read (the
 * service): DynamoDB's TTL deletes the items SHARE_TTL_GRACE_DAYS after it, and dynalite (local) never does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet, batchWrite, documentClient, forEachLimit, isConditionFailure, pages, resolvePolicy } from '../store/batch.ts';
import type { CaseFields } from './case.ts';
import type { Photo } from './photos.ts';
import { allSharesPk, receivedByPk, recipientSk, SHARE_SK, sentByPk, shareOrderSk, sharePk, TTL_ATTRIBUTE } from './keys.ts';

/** How long after its expiry a share's items are kept for the analysts before TTL removes them. */
export const SHARE_TTL_GRACE_DAYS = 90;

export interface Share {
  readonly id: string;
  readonly operation: string;
  /** The sharer's Member. */
  readonly from: string;
  /** Who shared (the user's email). */
  readonly by: string;
  readonly caseRef: string;
  readonly note: string;
  /** The recipient Members (every Member but the sharer's when `all`). */
  readonly to: readonly string[];
  readonly all: boolean;
  readonly fields: CaseFields;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  /** The clean photos (photos.ts), in the order they were processed. */
  readonly photos?: readonly Photo[];
}

export interface Recipient {
  readonly member: string;
  readonly readAt?: string;
  readonly readBy?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
}

export interface ShareWithRecipients {
  readonly share: Share;
  readonly recipients: readonly Recipient[];
}

type Item = Record<string, unknown>;

const ttlOf = (expiresAt: string): number => Math.floor(Date.parse(expiresAt) / 1000) + SHARE_TTL_GRACE_DAYS * 86_400;

const SHARE_META = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', TTL_ATTRIBUTE, 'kind', 'photoSlots', 'photoCount'];
const strip = (item: Item): Item => {
  const out = { ...item };
  for (const k of SHARE_META) delete out[k];
  return out;
};

export class ShareStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #client: DynamoDBClient | DynamoDBDocumentClient;
  readonly #table: string;
  readonly #policy = resolvePolicy({});

  constructor(opts: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string }) {
    this.#client = opts.client;
    this.#doc = documentClient(opts.client);
    this.#table = opts.tableName;
  }

  /**
   * Writes the recipients first, then the share item (conditional: a new id): a reader that finds a recipient item
   * without its share (a crash in between) shows nothing, so a share is visible only once it is whole.
   */
  async create(s: Share): Promise<void> {
    const ttl = ttlOf(s.expiresAt);
    const order = shareOrderSk(s.createdAt, s.id);
    await batchWrite(
      { client: this.#client, tableName: this.#table },
      s.to.map((member) => ({
        PutRequest: {
          Item: {
            pk: sharePk(s.id),
            sk: recipientSk(member),
            kind: 'share-recipient',
            member,
            gsi2pk: receivedByPk(s.operation, member),
            gsi2sk: order,
            [TTL_ATTRIBUTE]: ttl,
          },
        },
      })),
    );
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          ...s,
          pk: sharePk(s.id),
          sk: SHARE_SK,
          kind: 'share',
          gsi1pk: allSharesPk(s.operation),
          gsi1sk: order,
          gsi2pk: sentByPk(s.operation, s.from),
          gsi2sk: order,
          [TTL_ATTRIBUTE]: ttl,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** A share and its recipients (one consistent Query), or undefined. */
  async get(id: string): Promise<ShareWithRecipients | undefined> {
    let share: Share | undefined;
    const recipients: Recipient[] = [];
    for await (const page of pages(this.#policy, this.#doc, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': sharePk(id) },
      ConsistentRead: true,
    })) {
      for (const item of page) {
        if (item.sk === SHARE_SK) share = strip(item) as unknown as Share;
        else if (typeof item.sk === 'string' && item.sk.startsWith('TO#')) recipients.push(strip(item) as unknown as Recipient);
      }
    }
    return share ? { share, recipients: recipients.sort((a, b) => a.member.localeCompare(b.member)) } : undefined;
  }

  /** The shares addressed to a Member, newest first, each with the Member's own recipient item. */
  async received(operation: string, member: string): Promise<{ share: Share; recipient: Recipient }[]> {
    const recipients: Item[] = [];
    for await (const page of this.#index('byMember', 'gsi2pk', receivedByPk(operation, member))) recipients.push(...page);
    const ids = recipients.map((r) => String(r.pk).slice('SHARE#'.length));
    const shares = await this.#shares(ids);
    return recipients.flatMap((r, i) => {
      const share = shares.get(ids[i]!);
      return share ? [{ share, recipient: strip(r) as unknown as Recipient }] : [];
    });
  }

  /** The shares a Member sent, newest first, each with its recipients. */
  async sent(operation: string, member: string): Promise<ShareWithRecipients[]> {
    return this.#withRecipients(this.#index('byMember', 'gsi2pk', sentByPk(operation, member)));
  }

  /** Every share of the operation, newest first (analysts). */
  async all(operation: string): Promise<ShareWithRecipients[]> {
    return this.#withRecipients(this.#index('byPhase', 'gsi1pk', allSharesPk(operation)));
  }

  /** Marks a recipient Member's copy read (the first reading is kept). */
  async markRead(id: string, member: string, by: string, at: string): Promise<void> {
    await this.#setOnce(id, member, { readAt: at, readBy: by }, 'readAt');
  }

  /** Records an acknowledgement (who and when; the first is kept), and the reading if none was recorded. */
  async acknowledge(id: string, member: string, by: string, at: string): Promise<Recipient> {
    await this.markRead(id, member, by, at);
    await this.#setOnce(id, member, { acknowledgedAt: at, acknowledgedBy: by }, 'acknowledgedAt');
    const got = await this.get(id);
    return got!.recipients.find((r) => r.member === member)!;
  }

  /** Revokes a share; false when it was revoked already (the first revocation is kept). */
  async revoke(id: string, by: string, at: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: sharePk(id), sk: SHARE_SK },
          UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at, ':by': by },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async #setOnce(id: string, member: string, values: Record<string, string>, guard: string): Promise<void> {
    const names = Object.keys(values);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: sharePk(id), sk: recipientSk(member) },
          UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(${guard})`,
          ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
    }
  }

  #index(indexName: string, pkName: string, pk: string) {
    return pages(this.#policy, this.#doc, {
      TableName: this.#table,
      IndexName: indexName,
      KeyConditionExpression: `${pkName} = :pk`,
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
    });
  }

  async #shares(ids: readonly string[]): Promise<Map<string, Share>> {
    const got = await batchGet(
      { ...this.#policy, doc: this.#doc, tableName: this.#table, concurrency: 4 },
      [...new Set(ids)].map((id) => ({ pk: sharePk(id), sk: SHARE_SK })),
      true,
    );
    return new Map(got.map((item) => [String(item.id), strip(item) as unknown as Share]));
  }

  async #withRecipients(index: AsyncIterable<Item[]>): Promise<ShareWithRecipients[]> {
    const ids: string[] = [];
    for await (const page of index) for (const item of page) ids.push(String(item.id));
    const out = new Map<string, ShareWithRecipients>();
    await forEachLimit(ids, 8, async (id) => {
      const got = await this.get(id);
      if (got) out.set(id, got);
    });
    return ids.flatMap((id) => (out.has(id) ? [out.get(id)!] : []));
  }
}
