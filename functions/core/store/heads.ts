/**
 * Case heads: which upload owns each case, and which line numbers may be in its partition. Pure code, no I/O: the
 * store reads and writes the shard items (store.ts explains when), this module says what a case becomes.
 *
 * A shard item keeps its heads as one JSON string (an array sorted by case_ref, so equal heads are equal text):
 * `[case_ref, orderToken, lines, withdrawn, garbage?]`. One string rather than a DynamoDB map: a shard holds hundreds
 * of cases, and JSON.parse/stringify of one attribute costs far less than marshalling hundreds of nested attributes.
 */

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
 * - a newer token: a newer upload owns the case; it is left alone.
 * - an older token: this upload takes the case; every line the old head names (its lines and its garbage) that this
 *   upload does not have becomes garbage; the old owner's lines among them are counted as withdrawn.
 * - the same token: a rerun of this upload (a duplicate, or a retry after a crash): the same outcome, with the count
 *   its first run recorded (its deletes may be done already, so the lines it withdrew may no longer be there).
 */
export function decide(old: Head | undefined, token: string, lines: readonly number[]): Decision {
  if (old === undefined) return { kind: 'claimed', head: { token, lines, withdrawn: 0, garbage: [] }, withdrawn: 0 };
  if (old.token > token) return { kind: 'superseded' };
  const mine = new Set(lines);
  const garbage = minus(union(old.lines, old.garbage), mine);
  const withdrawn = old.token === token ? old.withdrawn : minus(old.lines, mine).length;
  return { kind: 'claimed', head: { token, lines, withdrawn, garbage }, withdrawn };
}

type Encoded = [string, string, number[], number] | [string, string, number[], number, number[]];

export function encodeHeads(heads: ReadonlyMap<string, Head>): string {
  const refs = [...heads.keys()].sort();
  const out: Encoded[] = refs.map((ref) => {
    const h = heads.get(ref)!;
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
    heads.set(e[0], { token: e[1], lines: e[2] as number[], withdrawn: e[3], garbage: Array.isArray(e[4]) ? (e[4] as number[]) : [] });
  }
  return heads;
}
