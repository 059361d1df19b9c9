/**
 * The unreachable contacts, in the one table: an item per address that bounced for good or complained, written by
 * the mail-events function, read by the alerts step (which skips them) and by `seizures status`. One partition, since
 * an operation has a few hundred contacts at most: a Query lists them all.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | unreachable contact | `CONTACTS#UNREACHABLE` | `TO#{address in lower case}` |
 *
 * An address is reachable again when its item is deleted (`clear`), e.g. after the NCP's address was corrected in the
 * config; a new bounce or complaint replaces the item (the latest event is the one shown).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, pages, resolvePolicy, withRetry, type RetryPolicy } from '../store/batch.ts';
import type { UnreachableContact } from './events.ts';

export const UNREACHABLE_PK = 'CONTACTS#UNREACHABLE';
export const unreachableSk = (email: string): string => `TO#${email.toLowerCase()}`;

export interface UnreachableItem extends UnreachableContact {
  /** When the function recorded it. */
  readonly markedAt: string;
}

export class UnreachableContacts {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #policy: RetryPolicy;
  readonly #now: () => Date;

  constructor(o: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string; now?: () => Date } & Partial<RetryPolicy>) {
    this.#doc = documentClient(o.client);
    this.#table = o.tableName;
    this.#policy = resolvePolicy(o);
    this.#now = o.now ?? (() => new Date());
  }

  /** Records the contact as unreachable (idempotent: a redelivered event writes the same item). */
  async mark(c: UnreachableContact): Promise<void> {
    const item: UnreachableItem = { ...c, markedAt: this.#now().toISOString() };
    await withRetry(this.#policy, () =>
      this.#doc.send(new PutCommand({ TableName: this.#table, Item: { ...item, pk: UNREACHABLE_PK, sk: unreachableSk(c.email) } })),
    );
  }

  /** Every unreachable contact, by address. */
  async list(): Promise<UnreachableItem[]> {
    const out: UnreachableItem[] = [];
    const query = { TableName: this.#table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': UNREACHABLE_PK } };
    for await (const page of pages(this.#policy, this.#doc, query)) {
      for (const { pk: _pk, sk: _sk, ...rest } of page) out.push(rest as unknown as UnreachableItem);
    }
    return out;
  }

  /** The addresses, in lower case: what the alerts skip. */
  async addresses(): Promise<Set<string>> {
    return new Set((await this.list()).map((c) => c.email.toLowerCase()));
  }

  /** Makes an address reachable again. */
  async clear(email: string): Promise<void> {
    await withRetry(this.#policy, () =>
      this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: { pk: UNREACHABLE_PK, sk: unreachableSk(email) } })),
    );
  }
}
