/**
 * The keys of the shares' items in the one table (shapes in store/table.ts and this room's README). Made here, so a
 * shape changes in one place; the prefixes are what the portal's and the fan-out's writes are confined to on AWS
 * (dynamodb:LeadingKeys, lib/shares.ts).
 */
import { createHash } from 'node:crypto';
import { TABLE } from '../store/table.ts';

export const SHARE_PK_PREFIX = 'SHARE#';
export const PUSH_PK_PREFIX = 'PUSH#';
/** Every partition key prefix this room writes. */
export const SHARE_ITEM_PREFIXES: readonly string[] = [SHARE_PK_PREFIX, PUSH_PK_PREFIX];

/** A share's partition: the share item, one item per recipient Member, the notification claims. */
export const sharePk = (id: string): string => `${SHARE_PK_PREFIX}${id}`;
export const SHARE_SK = 'SHARE';
export const recipientSk = (member: string): string => `TO#${member}`;
/** A sent notification (email to a Member's NCP, or a push to one subscription), claimed before it is sent. */
export const sentSk = (member: string, channel: 'mail' | `push#${string}`): string => `SENT#${member}#${channel}`;

/** byPhase (gsi1), sparse: every share of an operation, newest first (analysts). */
export const allSharesPk = (operation: string): string => `SHARES#${operation}`;
/** byMember (gsi2): the shares a Member sent. */
export const sentByPk = (operation: string, member: string): string => `SHARESFROM#${operation}#${member}`;
/** byMember (gsi2): the shares a Member received (the recipient items). */
export const receivedByPk = (operation: string, member: string): string => `SHARESTO#${operation}#${member}`;
/** gsi sort key of a share and its recipients: ISO time, then id, so newest first is a descending Query. */
export const shareOrderSk = (createdAt: string, id: string): string => `${createdAt}#${id}`;

/** A user's push subscriptions (user = the ID token's sub). */
export const pushPk = (sub: string): string => `${PUSH_PK_PREFIX}${sub}`;
/** 32 hex digits of SHA-256 over the endpoint: the subscription's identity (an endpoint is up to a few hundred bytes). */
export const endpointHash = (endpoint: string): string => createHash('sha256').update(endpoint).digest('hex').slice(0, 32);
export const pushSk = (endpoint: string): string => `SUB#${endpointHash(endpoint)}`;
/** byMember (gsi2): every subscription of a Member's users, for the fan-out. */
export const pushToPk = (member: string): string => `PUSHTO#${member}`;

/** The TTL attribute (epoch seconds) of share items and push subscriptions (storage.ts turns TTL on for it). */
export const TTL_ATTRIBUTE: string = TABLE.timeToLiveAttribute ?? 'ttl';
