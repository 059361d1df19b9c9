/** sharedStrings.xml: the strings cells refer to by index, kept in memory (one Cell each, shared by every cell). */
import type yauzl from 'yauzl';
import { SpreadsheetError, type Cell, type ReadLimits } from '../types.ts';
import { classify } from './errors.ts';
import { isName, TextRunScanner } from './xml.ts';
import { entryText, type Package } from './zip.ts';

const EMPTY: Cell = Object.freeze({ t: 'string', v: '' });

/** sharedStrings.xml: each <si> is the concatenation of its <t> texts (runs), phonetic runs (<rPh>) left out. */
class SharedStringsScanner extends TextRunScanner {
  constructor(private readonly limits: Pick<ReadLimits, 'maxSharedStrings' | 'maxSharedStringChars'>) {
    super();
  }

  /** Keeps one more string, within the limits: they are held in memory for as long as the sheets are read. */
  private push(v: string): void {
    this.chars += v.length;
    if (this.cells.length >= this.limits.maxSharedStrings || this.chars > this.limits.maxSharedStringChars) {
      throw new SpreadsheetError(
        'size-error',
        'shared-strings',
        `the shared strings exceed ${this.limits.maxSharedStrings} strings or ${this.limits.maxSharedStringChars} characters`,
        { maxStrings: this.limits.maxSharedStrings, maxChars: this.limits.maxSharedStringChars },
      );
    }
    this.cells.push(v === '' ? EMPTY : { t: 'string', v });
  }

  /** One Cell per shared string, shared by all cells that refer to it (cells are read-only). */
  readonly cells: Cell[] = [];
  private chars = 0;
  private inSi = false;
  private siPreserve = false;
  private current = '';
  private phonetic = 0;

  protected open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number {
    const len = nameEnd - local;
    if (len === 1 && s.charCodeAt(local) === 116 /* t */) {
      if (this.inSi && this.phonetic === 0 && !selfClosing) {
        const t = this.tStart(s, after, nameEnd, this.siPreserve);
        if (t !== undefined) {
          this.current += t;
          return this.contentEnd;
        }
      }
    } else if (len === 2 && isName(s, local, nameEnd, 'si')) {
      if (selfClosing) this.push('');
      else {
        this.inSi = true;
        this.siPreserve = this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve');
        this.current = '';
      }
    } else if (len === 3 && isName(s, local, nameEnd, 'rPh')) {
      if (!selfClosing) this.phonetic++;
    }
    return after;
  }

  protected close(s: string, local: number, nameEnd: number): void {
    const len = nameEnd - local;
    if (len === 1 && s.charCodeAt(local) === 116 /* t */) {
      const t = this.tEnd();
      if (t !== undefined) this.current += t;
    } else if (len === 2 && isName(s, local, nameEnd, 'si')) {
      if (this.inSi) this.push(this.current);
      this.inSi = false;
      this.current = '';
    } else if (len === 3 && isName(s, local, nameEnd, 'rPh')) {
      if (this.phonetic > 0) this.phonetic--;
    }
  }
}

export async function readSharedStrings(pkg: Package, entry: yauzl.Entry | undefined): Promise<Cell[]> {
  if (!entry) return [];
  const scanner = new SharedStringsScanner(pkg.limits);
  try {
    for await (const text of entryText(pkg, entry)) scanner.write(text);
    scanner.end();
  } catch (e) {
    throw classify(e, entry.fileName);
  }
  return scanner.cells;
}
