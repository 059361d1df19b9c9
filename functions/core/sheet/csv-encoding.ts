/** The encoding of a CSV file: UTF-8 validation as it streams, and the decision from the BOM or the first bytes. */

export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/**
 * Incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
 * `feed` returns the index of the first byte that cannot be part of valid UTF-8, or -1.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current sequence. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrower right after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;

  feed(b: Uint8Array): number {
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (need === 0) {
        if (c < 0x80) continue;
        if (c >= 0xc2 && c <= 0xdf) need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
          need = 2;
          if (c === 0xe0) lo = 0xa0;
          else if (c === 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
          need = 3;
          if (c === 0xf0) lo = 0x90;
          else if (c === 0xf4) hi = 0x8f;
        } else {
          this.need = 0;
          return i;
        }
      } else {
        if (c < lo || c > hi) {
          this.need = 0;
          this.lo = 0x80;
          this.hi = 0xbf;
          return i;
        }
        lo = 0x80;
        hi = 0xbf;
        need--;
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return -1;
  }

  /** True if the bytes fed so far end inside a multi-byte sequence. */
  get pending(): boolean {
    return this.need > 0;
  }
}

/** Encoding of a file from its BOM or, failing that, from whether its first bytes are valid UTF-8. */
export function detectEncoding(prefix: Uint8Array, wholeFile: boolean): { encoding: CsvEncoding; bom: boolean } {
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const v = new Utf8Validator();
  // A prefix cut inside a character is fine unless it is the whole file.
  const ok = v.feed(prefix) === -1 && (!wholeFile || !v.pending);
  return { encoding: ok ? 'utf-8' : 'windows-1252', bom: false };
}
