/**
 * Case heads: which upload owns each case, and which line numbers may be in its partition. Pure code, no I/O: the
 * store reads and writes the shard items (store.ts explains when), this module says what a case becomes.
 *
 * A shard item keeps its heads as one JSON string (an array sorted by case_ref, so equal heads are equal text):
 * `[case_ref, token, lines, withdrawn, garbage?, prev?, was?]`. One string rather than a DynamoDB map: a shard holds hundreds
 * of cases, and JSON.parse/stringify of one attribute costs far less than marshalling hundreds of nested attributes.
 *
 * A head's token is `{orderToken}#{key digest}.{version digest}` (tokenOf). Heads written before the key digest was
 * added read `{orderToken}#{version digest}`: parseToken reads both, and fence.ts's check (the token begins with
 * `{orderToken}#`) holds for both.
 */
import { createHash } from 'node:crypto';

/** The S3 object version an upload came from, and its place in the order of uploads. */
export interface UploadRef {
  member: string;
  objectKey: string;
  versionId: string;
  /** S3 event time + sequencer: later uploads compare greater (versions of one key: by the sequencer, isNewer). */
  orderToken: string;
}

const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
/** Names one object version in heads (and in `prev`): equal for the old and the new token format. */
export const versionDigest = (objectKey: string, versionId: string): string => digest(`${objectKey}\u0000${versionId}`);
/** Names one object key in heads: a version of the same key is told by it, whatever the version. */
export const keyDigest = (objectKey: string): string => digest(`key\u0000${objectKey}`);

/**
 * The token heads record: the upload's orderToken, then digests of its key and its version, so that two uploads with
 * equal orderTokens are never taken for a rerun of each other, and versions of one key are known as such.
 */
export const tokenOf = (u: UploadRef): string => `${u.orderToken}#${keyDigest(u.objectKey)}.${versionDigest(u.objectKey, u.versionId)}`;

export interface ParsedToken {
  readonly orderToken: string;
  /** undefined for a head written before key digests. */
  readonly key: string | undefined;
  readonly version: string;
}

export function parseToken(token: string): ParsedToken {
  const at = token.lastIndexOf('#');
  const orderToken = at < 0 ? token : token.slice(0, at);
  const tail = at < 0 ? '' : token.slice(at + 1);
  const dot = tail.indexOf('.');
  return {
    orderToken,
    key: dot < 0 ? undefined : tail.slice(0, dot),
    version: dot < 0 ? tail : tail.slice(dot + 1),
  };
}

/** Sequencers are hex of varying length: compared as numbers, by left-padding to equal length. */
export function compareSequencers(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  const x = a.toLowerCase().padStart(n, '0');
  const y = b.toLowerCase().padStart(n, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * S3's sequencer in an orderToken (after its last '#'); '' when it has none: no '#', or all zeros (ingest.ts
 * orderToken pads a missing sequencer with zeros).
 */
export function sequencerOf(orderToken: string): string {
  const at = orderToken.lastIndexOf('#');
  const s = at < 0 ? '' : orderToken.slice(at + 1);
  return /^0*$/.test(s) ? '' : s;
}

/**
 * The order of two versions of one object key, by their orderTokens: by S3's sequencer when both have one (the only
 * order S3 gives for one key; their event times may be inverted), else by orderToken. The one comparison of versions:
 * heads (isNewer) and submissions (outcome.ts isLaterVersion) both use it.
 */
export function compareVersions(a: string, b: string): number {
  const x = sequencerOf(a);
  const y = sequencerOf(b);
  if (x !== '' && y !== '') {
    const c = compareSequencers(x, y);
    if (c !== 0) return c;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Both tokens name one upload (a rerun), whichever format each was written in. */
export function sameUpload(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseToken(a);
  const y = parseToken(b);
  return x.orderToken === y.orderToken && x.version === y.version;
}

/**
 * What an upload knows of its own key beyond head tokens: the key's digest and the version digests of the key's
 * versions (its submissions). A head written before key digests (`{orderToken}#{version digest}`) whose version is
 * among them is of that key; without it, an old-format head is of no key.
 */
export interface KeyContext {
  readonly key: string;
  readonly versions: ReadonlySet<string>;
}

/** The context of an upload of `objectKey` whose key has these versions (version ids). */
export const keyContextOf = (objectKey: string, versionIds: Iterable<string>): KeyContext => ({
  key: keyDigest(objectKey),
  versions: new Set([...versionIds].map((v) => versionDigest(objectKey, v))),
});

const keyOf = (t: ParsedToken, ctx: KeyContext | undefined): string | undefined =>
  t.key ?? (ctx?.versions.has(t.version) ? ctx.key : undefined);

/**
 * Both tokens are of versions of one object key: by the key digest in their tokens, or for an old-format head by its
 * version being one of the key's in `ctx` (without `ctx`, old-format heads are of no key).
 */
export function sameKey(a: string, b: string, ctx?: KeyContext): boolean {
  const x = keyOf(parseToken(a), ctx);
  return x !== undefined && x === keyOf(parseToken(b), ctx);
}

/**
 * Whether the upload of token `a` comes after that of `b`. Versions of one key are ordered by S3's sequencer alone
 * (the only order S3 gives for one key; their event times may be inverted); uploads of different keys by orderToken
 * (event time, then sequencer), as ever.
 */
export function isNewer(a: string, b: string, ctx?: KeyContext): boolean {
  if (sameUpload(a, b)) return false;
  const x = parseToken(a);
  const y = parseToken(b);
  const key = keyOf(x, ctx);
  if (key !== undefined && key === keyOf(y, ctx)) {
    const c = compareVersions(x.orderToken, y.orderToken);
    if (c !== 0) return c > 0;
  }
  return a > b;
}

export interface Head {
  /** orderToken of the upload that owns the case. */
  readonly token: string;
  /** Its line numbers, ascending. */
  readonly lines: readonly number[];
  /** Lines that upload withdrew from the case (its count on the submission, kept so a rerun reports the same). */
  readonly withdrawn: number;
  /**
   * Line numbers that may still be in the partition and belong to no upload's lines: to be deleted. Non-empty only
   * between an upload's intent and the end of its deletes (or for ever after a crash, until the next upload of the
   * case deletes them).
   */
  readonly garbage: readonly number[];
  /**
   * The version digest of the upload whose lines this one replaced in the case (or withdrew, when `lines` is empty),
   * kept so a rerun names the same earlier files. Absent when the case had no earlier lines.
   */
  readonly prev?: string;
  /**
   * A tombstone's only (`withdrawCase`): the token of the head it withdrew. An upload of another key is compared with
   * it rather than with the tombstone's own token (see `decide`), so the case goes to whichever upload came later in
   * event order, whether the withdrawal was processed before or after it. Absent in tombstones written before it was.
   */
  readonly was?: string;
}

export type Decision =
  | { readonly kind: 'superseded' }
  /** head: the case's head once this upload owns it (garbage: the lines to delete); withdrawn: its count. */
  | { readonly kind: 'claimed'; readonly head: Head; readonly withdrawn: number };

const union = (a: readonly number[], b: readonly number[]): number[] => [...new Set([...a, ...b])].sort((x, y) => x - y);
const minus = (a: readonly number[], b: ReadonlySet<number>): number[] => a.filter((n) => !b.has(n));

/**
 * What an upload with `token` and these `lines` (ascending) does to a case whose head is `old`.
 *
 * - no head: the case is new; nothing of it is in the table.
 * - a newer token: a newer upload owns the case; it is left alone. A tombstone (no lines) is, for an upload of another
 *   key, as new as the head it withdrew (`was`): the withdrawal says only that the withdrawing version no longer has
 *   the case, not that it sent it, so an upload that came after the withdrawn one takes the case whenever it is
 *   processed (in event order the withdrawal would not have touched its head). Versions of the tombstone's own key
 *   compare with the tombstone itself (an older one is in any case stopped by the key's NEWEST item).
 * - an older token: this upload takes the case; every line the old head names (its lines and its garbage) that this
 *   upload does not have becomes garbage; the old owner's lines among them are counted as withdrawn.
 * - the same token: a rerun of this upload (a duplicate, or a retry after a crash): the same outcome, with the count
 *   its first run recorded (its deletes may be done already, so the lines it withdrew may no longer be there).
 */
export function decide(old: Head | undefined, token: string, lines: readonly number[], ctx?: KeyContext): Decision {
  if (old === undefined) return { kind: 'claimed', head: { token, lines, withdrawn: 0, garbage: [] }, withdrawn: 0 };
  const owner = old.lines.length === 0 && old.was !== undefined && !sameKey(old.token, token, ctx) ? old.was : old.token;
  if (isNewer(owner, token, ctx)) return { kind: 'superseded' };
  const mine = new Set(lines);
  const garbage = minus(union(old.lines, old.garbage), mine);
  const rerun = sameUpload(old.token, token);
  const withdrawn = rerun ? old.withdrawn : minus(old.lines, mine).length;
  const prev = rerun ? old.prev : old.lines.length > 0 ? parseToken(old.token).version : undefined;
  return { kind: 'claimed', head: { token, lines, withdrawn, garbage, ...(prev === undefined ? {} : { prev }) }, withdrawn };
}

/**
 * What a newer version of the same object key (token `token`) does to a case of an earlier version that it no longer
 * has: the case is withdrawn. Its head stays, owned by the new version with no lines (a tombstone): the lines become
 * garbage, and an older version of the key processed late finds the case taken by a newer upload and leaves it alone.
 * undefined: nothing to change (the head is a tombstone already, or owned by another key or a newer version). `ctx`:
 * the upload's key context, so that heads of its key's versions written before key digests are withdrawn too.
 */
export function withdrawCase(old: Head, token: string, ctx?: KeyContext): Head | undefined {
  if (!sameKey(old.token, token, ctx) || sameUpload(old.token, token) || !isNewer(token, old.token, ctx) || old.lines.length === 0)
    return undefined;
  return {
    token,
    lines: [],
    withdrawn: old.lines.length,
    garbage: union(old.lines, old.garbage),
    prev: parseToken(old.token).version,
    was: old.token,
  };
}

type Encoded =
  | [string, string, number[], number]
  | [string, string, number[], number, number[]]
  | [string, string, number[], number, number[], string]
  | [string, string, number[], number, number[], string | null, string];

export function encodeHeads(heads: ReadonlyMap<string, Head>): string {
  const refs = [...heads.keys()].sort();
  const out: Encoded[] = refs.map((ref) => {
    const h = heads.get(ref)!;
    if (h.was !== undefined) return [ref, h.token, [...h.lines], h.withdrawn, [...h.garbage], h.prev ?? null, h.was];
    if (h.prev !== undefined) return [ref, h.token, [...h.lines], h.withdrawn, [...h.garbage], h.prev];
    return h.garbage.length > 0 ? [ref, h.token, [...h.lines], h.withdrawn, [...h.garbage]] : [ref, h.token, [...h.lines], h.withdrawn];
  });
  return JSON.stringify(out);
}

/** @throws SyntaxError or TypeError when the text is not what encodeHeads writes */
export function decodeHeads(text: string): Map<string, Head> {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new TypeError('heads: not an array');
  const heads = new Map<string, Head>();
  for (const e of parsed as unknown[]) {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !Array.isArray(e[2]) || typeof e[3] !== 'number') {
      throw new TypeError(`heads: malformed entry ${JSON.stringify(e)}`);
    }
    const prev = typeof e[5] === 'string' ? { prev: e[5] } : {};
    const was = typeof e[6] === 'string' ? { was: e[6] } : {};
    heads.set(e[0], {
      token: e[1],
      lines: e[2] as number[],
      withdrawn: e[3],
      garbage: Array.isArray(e[4]) ? (e[4] as number[]) : [],
      ...prev,
      ...was,
    });
  }
  return heads;
}
