/**
 * The cases of a file seen so far, for duplicate lines and automatic line numbers. Case references are compared as
 * the store keys them (store/keys.ts `headRef`: NFC; cellText has trimmed them): what validation calls one case is
 * what the store calls one case, so a file that validates never fails to store with "a line appears twice".
 */
import { headRef } from '../store/keys.ts';

/** The lines of one case seen so far: the first inline, any others in `more` as [line, row, line, row, ...]. */
interface CaseState {
  next: number;
  /** The first line claimed, -1 before any. */
  line: number;
  row: number;
  more: number[] | undefined;
}

export class CaseRegistry {
  /** Per case of the uploading Member (the usual case, keyed by case_ref alone) and of anyone else. */
  private readonly ownCases = new Map<string, CaseState>();
  private readonly otherCases = new Map<string, CaseState>();
  /** The Member whose cases are keyed by case_ref alone: the uploader, else the first Member seen. */
  private primary: string | undefined;
  /** The case last looked up: the lines of a case usually follow one another, so most lookups are of it. */
  private lastMember: string | undefined;
  private lastCaseRef: string | undefined;
  private lastCase: CaseState | undefined;

  constructor(uploader: string | undefined) {
    this.primary = uploader;
  }

  /** First occurrence of a seizure line's identity wins; returns the row it was first seen on, if any. */
  claim(member: string, caseRef: string, line: number, row: number): number | undefined {
    const c = this.caseState(member, caseRef);
    // Cases hold a handful of lines: the first inline, the others in a flat [line, row, line, row, ...] array (no
    // allocation at all for a case's first line, which is most of them).
    if (c.line === -1) {
      c.line = line;
      c.row = row;
      return undefined;
    }
    if (c.line === line) return c.row;
    const more = c.more;
    if (more === undefined) {
      c.more = [line, row];
      return undefined;
    }
    for (let i = 0; i < more.length; i += 2) if (more[i] === line) return more[i + 1];
    more.push(line, row);
    return undefined;
  }

  autoLine(member: string, caseRef: string): number {
    return ++this.caseState(member, caseRef).next;
  }

  private caseState(member: string, caseRef: string): CaseState {
    if (caseRef === this.lastCaseRef && member === this.lastMember) return this.lastCase!;
    this.primary ??= member;
    const own = member === this.primary;
    const ref = headRef(caseRef);
    const key = own ? ref : `${member}\u0000${ref}`;
    const map = own ? this.ownCases : this.otherCases;
    let c = map.get(key);
    if (!c) map.set(key, (c = { next: 0, line: -1, row: 0, more: undefined }));
    this.lastMember = member;
    this.lastCaseRef = caseRef;
    this.lastCase = c;
    return c;
  }
}
