/**
 * What the shares API does, decided from the caller (a Member's user or an analyst, from the verified token) and the
 * stored share, never from the request: create, list, read (in the reader's language), acknowledge, revoke.
 *
 * Who sees a share: the sharer's Member and the recipient Members while it is active (not revoked, not expired), the
 * analysts always. Anyone else, and everyone but the analysts once it is revoked or expired, gets 404 exactly as for an
 * id that never existed, so an id reveals nothing. The case reference is the sharer's own: only its Member and the
 * analysts see it.
 */
import { randomBytes } from 'node:crypto';
import type { OperationConfig } from '../operation/config.ts';
import type { Lang } from '../vocabulary/lang.ts';
import { MAX_CASE_REF_BYTES } from '../store/keys.ts';
import { caseFields, readCase, routeMembers, wordCase, type CaseFields, type Worded, type WordedCase } from './case.ts';
import type { Recipient, Share, ShareStore, ShareWithRecipients } from './store.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VOCABS } from '../vocabulary/vocab.ts';
import { countryName } from '../vocabulary/countries.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { photoUrls, presignPhoto } from './photos.ts';
import { type Actor, ShareError } from './errors.ts';

export { type Actor, ShareError } from './errors.ts';

export const MAX_NOTE_CHARS = 2_000;
export const DEFAULT_EXPIRES_DAYS = 30;
export const MAX_EXPIRES_DAYS = 365;
/** Share ids: 16 random bytes, base64url (22 characters): not guessable, so not enumerable. */
export const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;

export interface ShareDeps {
  readonly config: OperationConfig;
  readonly shares: ShareStore;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /** Queues the notifications of a new share (SQS on AWS, the local file queue locally). */
  readonly notify: (shareId: string) => Promise<void>;
  readonly now?: () => Date;
  /** Where the photos are (presigned POSTs and GETs). Absent: no photos. */
  readonly photos?: { readonly s3: S3Client; readonly bucket: string };
}

const bad = (message: string, code: string) => new ShareError(400, code, message);
const gone = () => new ShareError(404, 'not-found', 'no such share');
const nowOf = (d: ShareDeps) => (d.now ?? (() => new Date()))();

const memberOf = (d: ShareDeps, code: string) => d.config.members.find((m) => m.code === code);
/** A Member's name in the reader's language: the country's (ICU), else the operation config's (English). */
const nameOf = (d: ShareDeps, code: string, lang: Lang) => {
  const country = countryName(code, lang);
  return country !== code ? country : (memberOf(d, code)?.name ?? code);
};
export const langOf = (d: Pick<ShareDeps, 'config'>, c: Actor, asked: string | undefined): Lang => {
  if (asked !== undefined && asked !== '') {
    if (asked !== 'en' && asked !== 'fr' && asked !== 'es') throw bad('"lang" must be en, fr or es', 'bad-lang');
    return asked;
  }
  return (c.member && d.config.members.find((m) => m.code === c.member)?.language) || 'en';
};

/** The Member a Member's user shares for: its own (403 for another's; analysts share for no Member). */
function sharerOf(c: Actor, named: unknown): string {
  if (!c.member) throw new ShareError(403, 'forbidden', 'a share is sent by a Member: your account is not linked to one');
  if (named !== undefined && named !== c.member)
    throw new ShareError(403, 'forbidden', `you share cases of your own Member only (${c.member})`);
  return c.member;
}

function caseRefOf(v: unknown): string {
  if (typeof v !== 'string' || !v.trim() || Buffer.byteLength(v, 'utf8') > MAX_CASE_REF_BYTES)
    throw bad('"caseRef" must be the reference of one of your stored cases', 'unknown-case');
  return v.trim();
}

/** The case of the caller's Member as a share would carry it, with the Members on its route (proposed recipients). */
export async function previewCase(d: ShareDeps, c: Actor, body: { caseRef?: unknown; member?: unknown }, lang: Lang) {
  const from = sharerOf(c, body.member);
  const caseRef = caseRefOf(body.caseRef);
  const lines = await readCase(d.dynamo, d.tableName, from, caseRef);
  if (!lines.length) throw bad(`no stored case '${caseRef}' of ${from}`, 'unknown-case');
  const fields = caseFields(lines);
  const proposed = routeMembers(
    fields,
    d.config.members.map((m) => m.code),
    from,
  );
  return {
    caseRef,
    member: from,
    case: wordCase(fields, lang),
    proposed,
    proposedNames: proposed.map((m) => ({ code: m, name: nameOf(d, m, lang) })),
  };
}

export async function createShare(d: ShareDeps, c: Actor, body: Record<string, unknown>): Promise<{ id: string; expiresAt: string }> {
  const from = sharerOf(c, body.member);
  const caseRef = caseRefOf(body.caseRef);
  const note = body.note ?? '';
  if (typeof note !== 'string') throw bad('"note" must be text', 'bad-note');
  if ([...note].length > MAX_NOTE_CHARS)
    throw bad(`the note has ${[...note].length} characters; at most ${MAX_NOTE_CHARS}`, 'note-too-long');
  const codes = d.config.members.map((m) => m.code);
  let to: string[];
  const all = body.to === 'all';
  if (all) to = codes.filter((m) => m !== from);
  else if (Array.isArray(body.to) && body.to.length > 0) {
    const unknown = body.to.filter((m) => typeof m !== 'string' || !codes.includes(m));
    if (unknown.length) throw bad(`not Members of ${d.config.id}: ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, 'unknown-member');
    to = [...new Set(body.to as string[])];
  } else throw bad('"to" must be a list of Member codes, or "all"', 'unknown-member');
  if (!to.length) throw bad('"to" names no Member', 'unknown-member');
  const days = body.expiresInDays ?? DEFAULT_EXPIRES_DAYS;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_EXPIRES_DAYS)
    throw bad(`"expiresInDays" must be a whole number of days from 1 to ${MAX_EXPIRES_DAYS}`, 'bad-expiry');
  const lines = await readCase(d.dynamo, d.tableName, from, caseRef);
  if (!lines.length) throw bad(`no stored case '${caseRef}' of ${from}`, 'unknown-case');
  const now = nowOf(d);
  const share: Share = {
    id: randomBytes(16).toString('base64url'),
    operation: d.config.id,
    from,
    by: c.email ?? c.sub,
    caseRef,
    note,
    to,
    all,
    fields: caseFields(lines),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(),
  };
  await d.shares.create(share);
  await d.notify(share.id);
  return { id: share.id, expiresAt: share.expiresAt };
}

const active = (s: Share, now: Date) => !s.revokedAt && Date.parse(s.expiresAt) > now.getTime();

type Role = 'analyst' | 'sharer' | 'recipient';
/** How the caller sees a share, or undefined (404). */
function roleOf(c: Actor, s: Share, now: Date): Role | undefined {
  if (c.analyst) return 'analyst';
  if (!active(s, now) || !c.member) return undefined;
  if (c.member === s.from) return 'sharer';
  if (s.to.includes(c.member)) return 'recipient';
  return undefined;
}

export interface ShareListEntry {
  readonly id: string;
  readonly from: string;
  readonly fromName: string;
  readonly to: readonly string[] | 'all';
  readonly caseRef?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly read: boolean;
  readonly acknowledged: boolean;
  /** Added: what the share is about (the case's products, worded) and its date, for a list to show. */
  readonly date: string;
  readonly products: readonly Worded[];
  /** Added, sharer's and analysts' lists: how many recipient Members read and acknowledged it, out of `recipients`. */
  readonly readCount?: number;
  readonly acknowledgedCount?: number;
  readonly recipientCount?: number;
  readonly revokedAt?: string;
  readonly expired?: boolean;
}

function entryOf(s: Share, lang: Lang, fromName: string, ownCase: boolean, status: { read: boolean; acknowledged: boolean }, now: Date) {
  return {
    id: s.id,
    from: s.from,
    fromName,
    to: s.all ? ('all' as const) : s.to,
    ...(ownCase ? { caseRef: s.caseRef } : {}),
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    ...status,
    date: s.fields.date,
    products: [...new Set(s.fields.items.map((i) => i.product))].map((p) => ({ code: p, label: VOCABS.product.label(p, lang) })),
    ...(s.revokedAt ? { revokedAt: s.revokedAt } : {}),
    ...(Date.parse(s.expiresAt) <= now.getTime() ? { expired: true } : {}),
  };
}

function senderEntry(d: ShareDeps, w: ShareWithRecipients, lang: Lang, now: Date): ShareListEntry {
  const read = w.recipients.filter((r) => r.readAt).length;
  const acknowledged = w.recipients.filter((r) => r.acknowledgedAt).length;
  return {
    ...entryOf(w.share, lang, nameOf(d, w.share.from, lang), true, { read: read > 0, acknowledged: acknowledged > 0 }, now),
    readCount: read,
    acknowledgedCount: acknowledged,
    recipientCount: w.recipients.length,
  };
}

/** GET /api/shares: {received, sent} of the caller's Member (active shares only); analysts also get `all`. */
export async function listShares(d: ShareDeps, c: Actor, lang: Lang) {
  const now = nowOf(d);
  const received: ShareListEntry[] = [];
  const sent: ShareListEntry[] = [];
  if (c.member) {
    for (const { share, recipient } of await d.shares.received(d.config.id, c.member)) {
      if (!active(share, now) && !c.analyst) continue;
      received.push(
        entryOf(
          share,
          lang,
          nameOf(d, share.from, lang),
          share.from === c.member || c.analyst,
          {
            read: !!recipient.readAt,
            acknowledged: !!recipient.acknowledgedAt,
          },
          now,
        ),
      );
    }
    for (const w of await d.shares.sent(d.config.id, c.member)) {
      if (!active(w.share, now) && !c.analyst) continue;
      sent.push(senderEntry(d, w, lang, now));
    }
  }
  if (!c.analyst) return { received, sent };
  const all = (await d.shares.all(d.config.id)).map((w) => senderEntry(d, w, lang, now));
  return { received, sent, all };
}

export interface ShareView {
  readonly id: string;
  readonly from: string;
  readonly fromName: string;
  readonly by?: string;
  readonly to: readonly string[] | 'all';
  readonly toNames: readonly { code: string; name: string }[];
  readonly caseRef?: string;
  readonly note: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly read: boolean;
  readonly acknowledged: boolean;
  readonly readAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly lang: Lang;
  readonly case: WordedCase;
  /** Presigned GETs (15 minutes) of the photos, stripped of their metadata. */
  readonly photos: readonly { url: string; contentType: string }[];
  readonly recipients?: readonly { member: string; memberName: string; readAt: string | null; acknowledgedAt: string | null }[];
  /** What the caller may do. */
  readonly canAcknowledge: boolean;
  readonly canRevoke: boolean;
}

async function visible(d: ShareDeps, c: Actor, id: string): Promise<{ w: ShareWithRecipients; role: Role; now: Date }> {
  if (!SHARE_ID.test(id)) throw gone();
  const w = await d.shares.get(id);
  const now = nowOf(d);
  const role = w && roleOf(c, w.share, now);
  if (!w || !role) throw gone();
  return { w, role, now };
}

/** GET /api/shares/{id}: opening it as a recipient marks it read for the caller's Member. */
export async function readShare(d: ShareDeps, c: Actor, id: string, lang: Lang): Promise<ShareView> {
  let { w, role } = await visible(d, c, id);
  const s = w.share;
  const recipientMember = c.member && s.to.includes(c.member) && role !== 'analyst' ? c.member : undefined;
  if (role === 'recipient' || (recipientMember && role === 'sharer')) {
    const mine = w.recipients.find((r) => r.member === c.member);
    if (mine && !mine.readAt) {
      await d.shares.markRead(id, c.member!, c.email ?? c.sub, nowOf(d).toISOString());
      w = (await d.shares.get(id)) ?? w;
    }
  }
  const mine = c.member ? w.recipients.find((r) => r.member === c.member) : undefined;
  const seesAll = role === 'sharer' || role === 'analyst';
  const anyRead = w.recipients.some((r) => r.readAt);
  const anyAck = w.recipients.some((r) => r.acknowledgedAt);
  return {
    id: s.id,
    from: s.from,
    fromName: nameOf(d, s.from, lang),
    ...(seesAll ? { by: s.by } : {}),
    to: s.all ? 'all' : s.to,
    toNames: s.all ? [] : s.to.map((m) => ({ code: m, name: nameOf(d, m, lang) })),
    ...(seesAll ? { caseRef: s.caseRef } : {}),
    note: s.note,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    ...(s.revokedAt ? { revokedAt: s.revokedAt } : {}),
    read: mine ? !!mine.readAt : anyRead,
    acknowledged: mine ? !!mine.acknowledgedAt : anyAck,
    ...(mine?.readAt ? { readAt: mine.readAt } : {}),
    ...(mine?.acknowledgedAt ? { acknowledgedAt: mine.acknowledgedAt, acknowledgedBy: mine.acknowledgedBy } : {}),
    lang,
    case: wordCase(s.fields as CaseFields, lang),
    photos: d.photos ? await photoUrls(d.photos.s3, d.photos.bucket, s.photos) : [],
    ...(seesAll
      ? {
          recipients: w.recipients.map((r: Recipient) => ({
            member: r.member,
            memberName: nameOf(d, r.member, lang),
            readAt: r.readAt ?? null,
            acknowledgedAt: r.acknowledgedAt ?? null,
          })),
        }
      : {}),
    canAcknowledge: !!mine && role !== 'analyst' && !mine.acknowledgedAt,
    canRevoke: (role === 'sharer' || role === 'analyst') && !s.revokedAt,
  };
}

/** POST /api/shares/{id}/ack: a recipient Member's user acknowledges (who and when). */
export async function acknowledgeShare(d: ShareDeps, c: Actor, id: string) {
  const { w, role } = await visible(d, c, id);
  if (!c.member || !w.share.to.includes(c.member))
    throw new ShareError(
      403,
      'forbidden',
      role === 'analyst' ? 'analysts read shares; recipients acknowledge them' : 'only a recipient Member acknowledges a share',
    );
  if (role === 'analyst' && !active(w.share, nowOf(d))) throw gone();
  const r = await d.shares.acknowledge(id, c.member, c.email ?? c.sub, nowOf(d).toISOString());
  return {
    id,
    member: c.member,
    readAt: r.readAt ?? null,
    acknowledgedAt: r.acknowledgedAt ?? null,
    acknowledgedBy: r.acknowledgedBy ?? null,
  };
}

/** DELETE /api/shares/{id}: the sharer's Member or the analysts revoke it; from then on it is 404 to all but analysts. */
export async function revokeShare(d: ShareDeps, c: Actor, id: string) {
  const { w, role } = await visible(d, c, id);
  if (role !== 'sharer' && role !== 'analyst')
    throw new ShareError(403, 'forbidden', 'only the sharing Member or the analysts revoke a share');
  const at = nowOf(d).toISOString();
  const revoked = await d.shares.revoke(id, c.email ?? c.sub, at);
  return { id, revoked: true, revokedAt: revoked ? at : (w.share.revokedAt ?? at) };
}

/** POST /api/shares/{id}/photos {contentType, size}: a presigned POST of one photo, for the sharer's Member. */
export async function presignSharePhoto(d: ShareDeps, c: Actor, id: string, body: Record<string, unknown>) {
  const { role } = await visible(d, c, id);
  if (role !== 'sharer') throw new ShareError(403, 'forbidden', 'only the sharing Member adds photos to a share');
  if (!d.photos) throw new ShareError(501, 'not-available', 'photos are not configured here');
  return presignPhoto({ ...d.photos, dynamo: d.dynamo, tableName: d.tableName }, id, body);
}
