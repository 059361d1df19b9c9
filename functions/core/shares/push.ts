/**
 * Web push: the VAPID keys (one pair per deployment: Secrets Manager on AWS, a file of the data directory locally) and
 * the push subscriptions, one item per (user, endpoint), listed per Member for the fan-out. A subscription the push
 * service answers 404 or 410 for is gone: the fan-out deletes it.
 *
 * | item | pk | sk | gsi2pk / gsi2sk |
 * |---|---|---|---|
 * | push subscription | `PUSH#{user sub}` | `SUB#{sha256(endpoint):32}` | `PUSHTO#{member}` / `{sub}#{hash}` |
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, pages, resolvePolicy } from '../store/batch.ts';
import { endpointHash, pushPk, pushSk, pushToPk, TTL_ATTRIBUTE } from './keys.ts';
import { type Actor, ShareError } from './errors.ts';

export interface VapidKeys {
  /** base64url, uncompressed P-256 point (what PushManager.subscribe takes as applicationServerKey). */
  readonly publicKey: string;
  readonly privateKey: string;
  /** mailto: or https: contact the push services may use. */
  readonly subject: string;
}

/** Where the VAPID keys come from (created once, then always the same pair). */
export type VapidSource = () => Promise<VapidKeys>;

/** A PushSubscription's JSON (PushSubscription.toJSON()). */
export interface PushSubscriptionJson {
  readonly endpoint: string;
  readonly expirationTime?: number | null;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface StoredSubscription extends PushSubscriptionJson {
  readonly sub: string;
  readonly member: string;
  readonly createdAt: string;
}

/** Subscriptions unused for this long are dropped by TTL (a device that never comes back). */
export const SUBSCRIPTION_TTL_DAYS = 400;
const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Checks a PushSubscription JSON. The endpoint must be https (the fan-out POSTs to it: no http, no other scheme);
 * `allowLoopback` (the local cloud only) also takes http://127.0.0.1 and http://localhost, the test's fake push service.
 */
export function parseSubscription(body: Record<string, unknown>, allowLoopback = false): PushSubscriptionJson {
  const fail = (m: string) => new ShareError(400, 'bad-subscription', m);
  const endpoint = body.endpoint;
  if (typeof endpoint !== 'string' || endpoint.length > 2_000) throw fail('"endpoint" must be the push service URL');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw fail('"endpoint" is not a URL');
  }
  const loopback = url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
  if (url.protocol !== 'https:' && !(allowLoopback && loopback)) throw fail('"endpoint" must be an https URL');
  const keys = body.keys as Record<string, unknown> | undefined;
  if (!keys || typeof keys.p256dh !== 'string' || typeof keys.auth !== 'string' || !B64URL.test(keys.p256dh) || !B64URL.test(keys.auth))
    throw fail('"keys" must hold p256dh and auth (base64url), as PushSubscription.toJSON() gives them');
  if (Buffer.from(keys.p256dh, 'base64url').length !== 65 || Buffer.from(keys.auth, 'base64url').length < 16)
    throw fail('"keys.p256dh" must be a P-256 public key (65 bytes) and "keys.auth" at least 16 bytes');
  const exp = body.expirationTime;
  return {
    endpoint,
    ...(typeof exp === 'number' ? { expirationTime: exp } : {}),
    keys: { p256dh: keys.p256dh, auth: keys.auth },
  };
}

export class PushSubscriptions {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string }) {
    this.#doc = documentClient(opts.client);
    this.#table = opts.tableName;
  }

  /** Stores (or refreshes) a user's subscription; the Member is the user's, from the token. */
  async put(c: Actor, s: PushSubscriptionJson, now = new Date()): Promise<void> {
    if (!c.member)
      throw new ShareError(400, 'no-member', 'notifications are sent to the users of a Member: your account is not linked to one');
    await this.#doc.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: pushPk(c.sub),
          sk: pushSk(s.endpoint),
          sub: c.sub,
          member: c.member,
          ...s,
          createdAt: now.toISOString(),
          gsi2pk: pushToPk(c.member),
          gsi2sk: `${c.sub}#${endpointHash(s.endpoint)}`,
          [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + SUBSCRIPTION_TTL_DAYS * 86_400,
        },
      }),
    );
  }

  /** Removes a user's subscription (of this endpoint); true if there was one. */
  async delete(sub: string, endpoint: string): Promise<boolean> {
    const out = await this.#doc.send(
      new DeleteCommand({ TableName: this.#table, Key: { pk: pushPk(sub), sk: pushSk(endpoint) }, ReturnValues: 'ALL_OLD' }),
    );
    return !!out.Attributes;
  }

  /** Every subscription of a Member's users. */
  async ofMember(member: string): Promise<StoredSubscription[]> {
    const out: StoredSubscription[] = [];
    for await (const page of pages(resolvePolicy({}), this.#doc, {
      TableName: this.#table,
      IndexName: 'byMember',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': pushToPk(member) },
    })) {
      for (const i of page)
        out.push({
          endpoint: String(i.endpoint),
          keys: i.keys as StoredSubscription['keys'],
          sub: String(i.sub),
          member: String(i.member),
          createdAt: String(i.createdAt),
        });
    }
    return out;
  }
}
