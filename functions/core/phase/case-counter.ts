/** Line order and weeks: UTF-8 key order, the Monday of a day, and the distinct-case counter over the byPhase index order. See aggregate.ts (## Cases). */
import { nfc, pad6 } from '../store/keys.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { messageDigest } from '../platform/logged-error.ts';
import { LineOrderError } from './aggregate-types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Order and weeks

/**
 * Compares two strings in UTF-8 byte order (DynamoDB's order for string keys), which is code point order. JavaScript's
 * `<` compares UTF-16 code units, which disagrees only between surrogates (astral code points) and U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const weekCache = new Map<string, string>();

/** The Monday (UTC) of the week of a day, YYYY-MM-DD. */
export function weekOf(day: string): string {
  let w = weekCache.get(day);
  if (w === undefined) {
    const t = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(t)) throw new RangeError(`weekOf: not a date: ${day}`);
    const dow = new Date(t).getUTCDay(); // 0 = Sunday
    w = new Date(t - ((dow + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    if (weekCache.size > 10_000) weekCache.clear();
    weekCache.set(day, w);
  }
  return w;
}

/** The index key of a line in the byPhase order, and its case's key (store/keys.ts phaseSk, computed once). */
export function orderKeys(r: SeizureRecord): { caseKey: string; sk: string } {
  const caseKey = nfc(r.case_ref);
  return { caseKey, sk: `${caseKey}#${pad6(r.line_no)}` };
}

/**
 * Counts distinct cases in a stream ordered by the byPhase index key. A case `X` whose lines are split by those of
 * `X#...` (see the module comment) stays on the `open` chain until a key outside it arrives, so its return is not
 * counted again.
 */
export class CaseCounter {
  count = 0;
  #current: string | undefined;
  #open: string[] = [];
  #lastSk: string | undefined;
  #seen = 0;

  constructor(readonly label: string) {}

  see(caseKey: string, sk: string): void {
    if (this.#lastSk !== undefined && compareUtf8(sk, this.#lastSk) < 0) {
      // Line number and key digests, not the keys: the message reaches the function's log, the workflow's Cause and its
      // log, and a key starts with the case reference.
      throw new LineOrderError(
        `${this.label}: line ${this.#seen + 1} of the input (key ~${messageDigest(sk)}) comes after a line with a greater key (~${messageDigest(this.#lastSk)}); lines must come in the byPhase index order (case_ref then line_no, UTF-8 byte order)`,
      );
    }
    this.#lastSk = sk;
    this.#seen++;
    if (caseKey === this.#current) return;
    const resumed = this.#open.includes(caseKey);
    const chain = this.#current === undefined ? this.#open : [...this.#open, this.#current];
    this.#open = chain.filter((k) => caseKey.startsWith(`${k}#`));
    this.#current = caseKey;
    if (!resumed) this.count++;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Accumulation
//
// Per line, the work is a few Map lookups; to keep them cheap at a million lines: keys are interned (the same key
