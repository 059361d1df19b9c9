/**
 * XML text for the big parts (worksheets, shared strings): entity and OOXML escape decoding, and `XmlScanner`, a
 * small streaming tokenizer. saxes alone takes about 3x the time of inflating a worksheet, before any cell is built,
 * which is more than the whole budget of the reader. The scanner reads elements, attributes, text, CDATA, comments
 * and processing instructions, decodes entities exactly once, and refuses DTDs; it checks less well-formedness than
 * saxes (end tags are not matched against start tags).
 */
import { XmlError } from './errors.ts';

/** Longest tag, comment or CDATA section the scanner holds while waiting for its end. */
const MAX_MARKUP = 1024 * 1024;

/** Decodes the five predefined entities and character references, once. */
function decodeEntities(s: string): string {
  let i = s.indexOf('&');
  if (i === -1) return s;
  let out = '';
  let last = 0;
  while (i !== -1) {
    const semi = s.indexOf(';', i + 1);
    if (semi === -1 || semi - i > 12) throw new XmlError(`an unterminated entity in "${s.slice(i, i + 16)}"`);
    let ch: string;
    switch (s.slice(i + 1, semi)) {
      case 'amp':
        ch = '&';
        break;
      case 'lt':
        ch = '<';
        break;
      case 'gt':
        ch = '>';
        break;
      case 'quot':
        ch = '"';
        break;
      case 'apos':
        ch = "'";
        break;
      default: {
        const ref = s.slice(i + 1, semi);
        const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
        const cp = m ? (m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10)) : -1;
        if (cp < 1 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError(`an unknown entity &${ref};`);
        ch = String.fromCodePoint(cp);
      }
    }
    out += s.slice(last, i) + ch;
    last = semi + 1;
    i = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** XML end-of-line handling: literal CR LF and CR become LF (character references &#13; are not touched). */
const normalizeNewlines = (s: string): string => (s.indexOf('\r') === -1 ? s : s.replace(/\r\n?/g, '\n'));

/** OOXML's escape for characters XML cannot hold: _xHHHH_ is the UTF-16 code unit HHHH (_x005F_ escapes "_"). */
const unescapeOoxml = (s: string): string =>
  s.indexOf('_x') === -1 ? s : s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Raw XML character data (text or an attribute value) as a parser reports it: newlines normalized, entities decoded.
 * Exported for the tests that hold XmlScanner against saxes. */
export const decodeXml = (raw: string): string => decodeEntities(normalizeNewlines(raw));

/** The string value of raw element text (<v> of t="str", t="e", t="d" cells). */
export const decodeText = (raw: string): string => unescapeOoxml(decodeEntities(normalizeNewlines(raw)));

export const isXmlSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The string value of a <t> element. Without xml:space="preserve", leading and trailing XML white space is dropped, as
 * Excel does, except when the text is nothing but white space (a run holding one space between two words).
 */
export function tText(raw: string, preserve: boolean): string {
  let s = decodeEntities(normalizeNewlines(raw));
  if (!preserve && s.length > 0 && (isXmlSpace(s.charCodeAt(0)) || isXmlSpace(s.charCodeAt(s.length - 1)))) {
    let a = 0;
    let b = s.length;
    while (a < b && isXmlSpace(s.charCodeAt(a))) a++;
    while (b > a && isXmlSpace(s.charCodeAt(b - 1))) b--;
    if (a < b) s = s.slice(a, b);
  }
  return unescapeOoxml(s);
}

// ---------------------------------------------------------------------------------------------------------------
// The streaming scanner

export const C_LT = 60;
export const C_GT = 62;
export const C_SLASH = 47;
const C_BANG = 33;
const C_QUESTION = 63;
const C_COLON = 58;
export const C_EQ = 61;
export const C_DQUOTE = 34;
const C_SQUOTE = 39;

/**
 * A minimal streaming XML tokenizer over text chunks. Subclasses get `open` and `close` with the element's local name
 * as a span of `s` (prefixes such as `x:` dropped), the attributes of a start tag as spans in `attrs` (name start,
 * name end, value start, value end: raw, entities not decoded), and, while they set `capturing`, the raw text content
 * in `text` (entities not decoded; CDATA sections escaped so that decoding restores them). Text outside capture is
 * skipped unread. Exported for the tests, which check it against saxes.
 */
export abstract class XmlScanner {
  private carry = '';
  protected attrs = new Int32Array(64);
  protected attrCount = 0;
  protected capturing = false;
  protected text = '';
  /** Start of the current tag's qualified name (after the '<'). */
  protected nameStart = 0;
  /** After `plainContent` found one: the index just past the end tag. */
  protected contentEnd = 0;

  /**
   * A start tag (or an empty-element tag, `selfClosing`) whose local name is s[local, nameEnd); `after` is the index
   * just past its '>'. Returns where scanning goes on: `after`, or further if the subclass consumed the content.
   */
  protected abstract open(s: string, local: number, nameEnd: number, selfClosing: boolean, after: number): number;
  /** An end tag whose local name is s[local, nameEnd). */
  protected abstract close(s: string, local: number, nameEnd: number): void;

  /** Scans the next chunk of the document. */
  write(chunk: string): void {
    let from = 0;
    if (this.carry.length > 0) {
      // Finish the markup the last chunk ended in on a small string (the carry and the head of this chunk), so that
      // the chunk itself is scanned as it is: concatenating would make every character access go through a rope.
      const carry = this.carry;
      this.carry = '';
      for (let take = Math.min(chunk.length, 256); ; take = Math.min(chunk.length, take * 8)) {
        const head = carry + chunk.slice(0, take);
        const stop = this.scan(head, 0, carry.length);
        if (stop >= carry.length) {
          from = stop - carry.length;
          break;
        }
        if (take === chunk.length) {
          this.keep(head, stop);
          return;
        }
      }
    }
    this.keep(chunk, this.scan(chunk, from, chunk.length));
  }

  /** Keeps s[from..] (unfinished markup) for the next chunk. */
  private keep(s: string, from: number): void {
    this.carry = from < s.length ? s.slice(from) : '';
    if (this.carry.length > MAX_MARKUP) throw new XmlError(`markup longer than ${MAX_MARKUP} characters`);
  }

  /**
   * Scans s from `from` until markup is left unfinished at the end of s or, once `until` is reached, at the next
   * markup boundary. Returns where it stopped: s[result..] is unfinished markup, or the unread rest after `until`.
   */
  private scan(s: string, from: number, until: number): number {
    const n = s.length;
    let i = from;
    while (i < until) {
      // Markup mostly follows markup ("><"): look before calling indexOf.
      const lt = i < n && s.charCodeAt(i) === C_LT ? i : s.indexOf('<', i);
      if (lt === -1) {
        if (this.capturing && i < n) this.text += s.slice(i);
        i = n;
        break;
      }
      if (this.capturing && lt > i) this.text += s.slice(i, lt);
      i = lt;
      if (lt + 1 >= n) break;
      const c = s.charCodeAt(lt + 1);
      if (c === C_SLASH) {
        let p = lt + 2;
        let local = p;
        for (; p < n; p++) {
          const ch = s.charCodeAt(p);
          if (ch <= 32 || ch === C_GT) break;
          if (ch === C_COLON) local = p + 1;
        }
        const gt = p < n && s.charCodeAt(p) === C_GT ? p : s.indexOf('>', p);
        if (gt === -1) break;
        this.close(s, local, p);
        i = gt + 1;
      } else if (c === C_BANG) {
        const next = this.markupDeclaration(s, lt);
        if (next === -1) break;
        i = next;
      } else if (c === C_QUESTION) {
        const end = s.indexOf('?>', lt + 2);
        if (end === -1) break;
        if (this.capturing) this.interruptText();
        i = end + 2;
      } else {
        let p = lt + 1;
        let local = p;
        for (; p < n; p++) {
          const ch = s.charCodeAt(p);
          if (ch <= 32 || ch === C_GT || ch === C_SLASH) break;
          if (ch === C_COLON) local = p + 1;
        }
        if (p >= n) break;
        if (p === lt + 1) throw new XmlError('a tag without a name');
        const nameEnd = p;
        let count = 0;
        let selfClosing = false;
        let complete = false;
        while (p < n) {
          const ch = s.charCodeAt(p);
          if (ch <= 32) {
            p++;
            continue;
          }
          if (ch === C_GT) {
            complete = true;
            break;
          }
          if (ch === C_SLASH) {
            if (p + 1 >= n) break;
            if (s.charCodeAt(p + 1) !== C_GT) throw new XmlError('a "/" inside a tag');
            selfClosing = true;
            complete = true;
            p++;
            break;
          }
          const ns = p;
          while (p < n) {
            const d = s.charCodeAt(p);
            if (d === C_EQ || d <= 32 || d === C_GT || d === C_SLASH || d === C_LT) break;
            p++;
          }
          const ne = p;
          while (p < n && s.charCodeAt(p) <= 32) p++;
          if (p >= n) break;
          if (ne === ns || s.charCodeAt(p) !== C_EQ) throw new XmlError('an attribute without a value');
          p++;
          while (p < n && s.charCodeAt(p) <= 32) p++;
          if (p >= n) break;
          const q = s.charCodeAt(p);
          if (q !== C_DQUOTE && q !== C_SQUOTE) throw new XmlError('an attribute value without quotes');
          // Values are short (r="C7", s="1", t="s"): look a few characters ahead before calling indexOf.
          let ve = p + 1;
          const probe = Math.min(n, ve + 8);
          while (ve < probe && s.charCodeAt(ve) !== q) ve++;
          if (ve === probe) ve = s.indexOf(q === C_DQUOTE ? '"' : "'", ve);
          if (ve === -1) {
            p = n;
            break;
          }
          let attrs = this.attrs;
          if (count * 4 + 4 > attrs.length) {
            attrs = new Int32Array(attrs.length * 2);
            attrs.set(this.attrs);
            this.attrs = attrs;
          }
          const k = count * 4;
          attrs[k] = ns;
          attrs[k + 1] = ne;
          attrs[k + 2] = p + 1;
          attrs[k + 3] = ve;
          count++;
          p = ve + 1;
        }
        if (!complete) break;
        this.attrCount = count;
        this.nameStart = lt + 1;
        i = this.open(s, local, nameEnd, selfClosing, p + 1);
      }
    }
    return i;
  }

  /** Throws if the document ended inside markup. */
  end(): void {
    for (let k = 0; k < this.carry.length; k++) {
      if (!isXmlSpace(this.carry.charCodeAt(k))) throw new XmlError('the XML ends inside a tag');
    }
  }

  /**
   * A comment, CDATA section or processing instruction inside captured text separates what comes before from what
   * comes after: a CR just before it is not the start of a CR LF pair.
   */
  private interruptText(): void {
    const t = this.text;
    if (t.length > 0 && t.charCodeAt(t.length - 1) === 13) this.text = normalizeNewlines(t);
  }

  /** `<!` at s[lt]: a comment, a CDATA section (text while capturing) or a DTD (refused). -1 if incomplete. */
  private markupDeclaration(s: string, lt: number): number {
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end !== -1 && this.capturing) this.interruptText();
      return end === -1 ? -1 : end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (this.capturing) {
        this.interruptText();
        this.text += normalizeNewlines(s.slice(lt + 9, end))
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;');
      }
      return end + 3;
    }
    if (s.length - lt < 9) return -1;
    throw new XmlError('a document type declaration (DTDs are not allowed in xlsx parts)');
  }

  /**
   * The common case of an element holding only text, in this chunk: `<v>123</v>`. If the current start tag (ending
   * at `after`) is followed by text without markup and then its own end tag, returns the index of that end tag's '<'
   * and sets `contentEnd` past its '>'; otherwise -1 (the caller then captures the text as it streams).
   */
  protected plainContent(s: string, after: number, nameEnd: number): number {
    let e = after;
    const n = s.length;
    const probe = Math.min(n, e + 24);
    while (e < probe && s.charCodeAt(e) !== C_LT) e++;
    if (e === probe) e = s.indexOf('<', e);
    if (e === -1 || s.charCodeAt(e + 1) !== C_SLASH) return -1;
    const start = this.nameStart;
    const len = nameEnd - start;
    const at = e + 2;
    if (at + len >= s.length || s.charCodeAt(at + len) !== C_GT) return -1;
    for (let k = 0; k < len; k++) if (s.charCodeAt(at + k) !== s.charCodeAt(start + k)) return -1;
    this.contentEnd = at + len + 1;
    return e;
  }

  /** Whether the current start tag has an attribute named `name` (with prefix, as written) whose value is `value`. */
  protected hasAttr(s: string, name: string, value: string): boolean {
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 4; k += 4) {
      if (a[k + 1]! - a[k]! === name.length && s.startsWith(name, a[k]!) && s.slice(a[k + 2]!, a[k + 3]!) === value) return true;
    }
    return false;
  }
}

/** Same local name: s[start, end) === name. */
export const isName = (s: string, start: number, end: number, name: string): boolean =>
  end - start === name.length && s.startsWith(name, start);

/** The text runs (<t>) of string items: <si> in sharedStrings.xml, <is> (inline strings) in a sheet. */
export abstract class TextRunScanner extends XmlScanner {
  private inT = false;
  private tPreserve = false;

  /**
   * At a <t> start tag: its text when it is plain within this chunk (scanning then resumes at `contentEnd`), else
   * undefined, and the text streams into `text` until `tEnd`. `inherited`: xml:space="preserve" on the item.
   */
  protected tStart(s: string, after: number, nameEnd: number, inherited: boolean): string | undefined {
    const preserve = inherited || (this.attrCount > 0 && this.hasAttr(s, 'xml:space', 'preserve'));
    const e = this.plainContent(s, after, nameEnd);
    if (e !== -1) return tText(s.slice(after, e), preserve);
    this.inT = true;
    this.tPreserve = preserve;
    this.capturing = true;
    this.text = '';
    return undefined;
  }

  /** At a </t>: the run captured since `tStart`, or undefined when none was. */
  protected tEnd(): string | undefined {
    if (!this.inT) return undefined;
    const t = tText(this.text, this.tPreserve);
    this.inT = false;
    this.capturing = false;
    this.text = '';
    return t;
  }
}
