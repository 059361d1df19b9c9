/**
 * A small streaming .xlsx writer for the annotated feedback copy: sheets of plain cells (text, numbers, booleans,
 * dates, errors) in six styles, frozen header rows, column widths, wrapped columns, printing fitted to the page width
 * and cell notes. Rows go straight into a deflate
 * stream and out, so memory stays flat whatever the row count; deflate runs on libuv's thread pool, off the main
 * thread.
 *
 * Why not exceljs' streaming writer: it builds an object model per cell and spent about 18 s on a 200,000-row copy
 * (most of the ingest handler's own time); this writes the same parts as text in a fraction of that, and keeps
 * exceljs out of the ingest bundle.
 *
 * Text is always an inline string cell (`t="inlineStr"`): nothing a Member typed ever becomes a formula.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';
import { columnIndex, columnLetter } from './columns.ts';

export type XCell = string | number | boolean | Date | { readonly error: string } | null | undefined;
/** 'wrap': normal text wrapped at the column's width, top-aligned (set by SheetOptions.wrapColumns). */
export type XStyle = 'normal' | 'head' | 'bad' | 'wrap';

export interface SheetOptions {
  /** Made valid for Excel: at most 31 characters, none of []:*?/\ */
  readonly name: string;
  /** Rows kept in view when scrolling (0: none). */
  readonly frozenRows?: number;
  /** Column widths in characters, from column A. */
  readonly widths?: readonly number[];
  /** Notes by cell reference (`E4`); shown on hover in spreadsheet programs. */
  readonly notes?: ReadonlyMap<string, string>;
  /**
   * Columns (0-based) whose text wraps at the column's width instead of running past it: set on the column and on
   * each 'normal' cell written in it. A row whose text wraps is given the height of its lines (wrappedLines): not
   * every program measures rows when it opens a file, and an unmeasured row hides its second line under the next.
   */
  readonly wrapColumns?: readonly number[];
  /** Printed with every column fitted to the page width, on as many pages down as the rows need. */
  readonly fitToWidth?: boolean;
  /** The printed page's orientation, with fitToWidth. @default 'portrait' */
  readonly orientation?: 'portrait' | 'landscape';
}

export interface RowSink {
  /** Rows in increasing rowNumber (1-based); `style` gives each cell's style by 0-based column. */
  row(rowNumber: number, cells: readonly XCell[], style?: (col: number) => XStyle): Promise<void>;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

// cellXfs indexes (styles.xml below).
const XF = { normal: 0, head: 1, bad: 2, date: 3, badDate: 4, wrap: 5 } as const;
const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${NS}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>' +
  '<fonts count="3">' +
  '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/><family val="2"/></font>' +
  '</fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="2" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Escapes text for XML content and attributes, and drops the control characters XML 1.0 cannot carry. */
export function xmlText(s: string): string {
  return s.replace(/[&<>"]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => XML_ESCAPES[c] ?? '');
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

function cellXml(ref: string, v: XCell, style: XStyle): string {
  // Empty text is a blank cell, as spreadsheet programs save it.
  // A blank 'wrap' cell is left out too: its column carries the style.
  if (v === null || v === undefined || v === '') return style === 'normal' || style === 'wrap' ? '' : `<c r="${ref}" s="${XF[style]}"/>`;
  const s = XF[style] === 0 ? '' : ` s="${XF[style]}"`;
  if (typeof v === 'string') return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(v)}</t></is></c>`;
  if (typeof v === 'number') return Number.isFinite(v) ? `<c r="${ref}"${s}><v>${v}</v></c>` : `<c r="${ref}"${s}/>`;
  if (typeof v === 'boolean') return `<c r="${ref}"${s} t="b"><v>${v ? 1 : 0}</v></c>`;
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) return `<c r="${ref}"${s}/>`;
    return `<c r="${ref}" s="${style === 'bad' ? XF.badDate : XF.date}"><v>${(t - EXCEL_EPOCH) / 86_400_000}</v></c>`;
  }
  return `<c r="${ref}"${s} t="e"><v>${xmlText(v.error)}</v></c>`;
}

/** Excel's default column width and the height of a line of its default font (11 pt), in points. */
const DEFAULT_WIDTH = 8.43;
const LINE_HEIGHT = 15;

/**
 * The lines a text takes wrapped in a column `width` characters wide, counted on the safe side: a character as wide
 * as the digit 0 the width is measured in (most letters are narrower, in Calibri and in the wider fonts other
 * programs fall back to), so the row may keep a little room below but never hides a line.
 */
export function wrappedLines(v: XCell, width: number): number {
  if (typeof v !== 'string' || v === '') return 1;
  const perLine = Math.max(1, Math.floor(width));
  let lines = 0;
  for (const paragraph of v.split('\n')) lines += Math.max(1, Math.ceil(paragraph.length / perLine));
  return lines;
}

const sheetName = (name: string): string => name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Sheet';

interface ZipEntry {
  readonly name: Buffer;
  readonly offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/** A zip archive written as a stream: deflated entries with data descriptors, then the central directory. */
class ZipStream {
  readonly #out: Writable;
  readonly #entries: ZipEntry[] = [];
  #offset = 0;
  readonly #time: number;
  readonly #date: number;

  constructor(out: Writable, now = new Date()) {
    this.#out = out;
    this.#time = (now.getHours() << 11) | (now.getMinutes() << 5) | Math.floor(now.getSeconds() / 2);
    this.#date = ((Math.max(1980, now.getFullYear()) - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  async #raw(b: Buffer): Promise<void> {
    this.#offset += b.length;
    if (!this.#out.write(b)) await once(this.#out, 'drain');
  }

  /** One entry, its content written through `put` (text, buffered and deflated as it comes). */
  async entry(name: string, fill: (put: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
    const e: ZipEntry = { name: Buffer.from(name, 'utf8'), offset: this.#offset, crc: 0, compressed: 0, size: 0 };
    this.#entries.push(e);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4); // version needed
    head.writeUInt16LE(0x0808, 6); // sizes in a data descriptor; UTF-8 names
    head.writeUInt16LE(8, 8); // deflate
    head.writeUInt16LE(this.#time, 10);
    head.writeUInt16LE(this.#date, 12);
    head.writeUInt16LE(e.name.length, 26);
    await this.#raw(Buffer.concat([head, e.name]));

    const deflate = createDeflateRaw({ level: 6 });
    const out = this.#out;
    let onError: (err: Error) => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      onError = reject;
      deflate.on('data', (chunk: Buffer) => {
        e.compressed += chunk.length;
        this.#offset += chunk.length;
        if (!out.write(chunk)) {
          deflate.pause();
          out.once('drain', () => deflate.resume());
        }
      });
      deflate.once('end', resolve);
      deflate.once('error', reject);
    });
    out.on('error', onError);
    try {
      let pending = '';
      const flush = async (): Promise<void> => {
        if (pending === '') return;
        const b = Buffer.from(pending, 'utf8');
        pending = '';
        e.crc = crc32(b, e.crc);
        e.size += b.length;
        if (!deflate.write(b)) await once(deflate, 'drain');
      };
      await fill(async (text) => {
        pending += text;
        if (pending.length >= 1 << 16) await flush();
      });
      await flush();
      deflate.end();
      await done;
    } catch (err) {
      deflate.destroy();
      throw err;
    } finally {
      out.off('error', onError);
    }

    if (e.size >= 0xffffffff || this.#offset >= 0xffffffff) throw new RangeError('the workbook would need ZIP64');
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(e.crc >>> 0, 4);
    desc.writeUInt32LE(e.compressed, 8);
    desc.writeUInt32LE(e.size, 12);
    await this.#raw(desc);
  }

  async close(): Promise<void> {
    const start = this.#offset;
    for (const e of this.#entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by
      h.writeUInt16LE(20, 6); // needed
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(this.#time, 12);
      h.writeUInt16LE(this.#date, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      await this.#raw(Buffer.concat([h, e.name]));
    }
    const size = this.#offset - start;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.#entries.length, 8);
    end.writeUInt16LE(this.#entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    await this.#raw(end);
    this.#out.end();
    await once(this.#out, 'finish');
  }
}

/** Writes a workbook to `out`, sheet after sheet; `close` writes the workbook parts and ends `out`. */
export class XlsxWriter {
  readonly #zip: ZipStream;
  readonly #sheets: Array<{ name: string; notes: boolean }> = [];

  constructor(out: Writable) {
    this.#zip = new ZipStream(out);
  }

  async sheet(opts: SheetOptions, fill: (rows: RowSink) => Promise<void>): Promise<void> {
    const n = this.#sheets.length + 1;
    const notes = opts.notes !== undefined && opts.notes.size > 0 ? opts.notes : undefined;
    this.#sheets.push({ name: sheetName(opts.name), notes: notes !== undefined });
    await this.#zip.entry(`xl/worksheets/sheet${n}.xml`, async (put) => {
      const frozen = opts.frozenRows ?? 0;
      const pane = frozen > 0 ? `<pane ySplit="${frozen}" topLeftCell="A${frozen + 1}" activePane="bottomLeft" state="frozen"/>` : '';
      const wrap = new Set(opts.wrapColumns ?? []);
      const cols = (opts.widths ?? [])
        .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}"${wrap.has(i) ? ` style="${XF.wrap}"` : ''} customWidth="1"/>`)
        .join('');
      const fit = opts.fitToWidth === true;
      await put(
        `${XML_HEAD}<worksheet xmlns="${NS}" xmlns:r="${REL_NS}">${fit ? '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' : ''}<sheetViews><sheetView workbookViewId="0"${n === 1 ? ' tabSelected="1"' : ''}>${pane}</sheetView></sheetViews>` +
          `<sheetFormatPr defaultRowHeight="15"/>${cols ? `<cols>${cols}</cols>` : ''}<sheetData>`,
      );
      let last = 0;
      await fill({
        async row(rowNumber, cells, style) {
          if (!Number.isInteger(rowNumber) || rowNumber <= last) throw new RangeError(`row ${rowNumber} after row ${last}`);
          last = rowNumber;
          let lines = 1;
          for (const i of wrap) lines = Math.max(lines, wrappedLines(cells[i], opts.widths?.[i] ?? DEFAULT_WIDTH));
          let xml = lines > 1 ? `<row r="${rowNumber}" ht="${lines * LINE_HEIGHT}" customHeight="1">` : `<row r="${rowNumber}">`;
          for (let i = 0; i < cells.length; i++) {
            const s = style ? style(i) : 'normal';
            xml += cellXml(columnLetter(i) + rowNumber, cells[i], s === 'normal' && wrap.has(i) ? 'wrap' : s);
          }
          await put(`${xml}</row>`);
        },
      });
      await put(
        `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>${fit ? `<pageSetup orientation="${opts.orientation ?? 'portrait'}" fitToWidth="1" fitToHeight="0"/>` : ''}${notes ? '<legacyDrawing r:id="rId2"/>' : ''}</worksheet>`,
      );
    });
    if (notes === undefined) return;
    await this.#zip.entry(`xl/worksheets/_rels/sheet${n}.xml.rels`, (put) =>
      put(
        `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
          `<Relationship Id="rId1" Type="${REL_NS}/comments" Target="../comments${n}.xml"/>` +
          `<Relationship Id="rId2" Type="${REL_NS}/vmlDrawing" Target="../drawings/vmlDrawing${n}.vml"/></Relationships>`,
      ),
    );
    await this.#zip.entry(`xl/comments${n}.xml`, async (put) => {
      await put(`${XML_HEAD}<comments xmlns="${NS}"><authors><author>seizure-pipeline</author></authors><commentList>`);
      for (const [ref, text] of notes) {
        await put(`<comment ref="${ref}" authorId="0"><text><r><t xml:space="preserve">${xmlText(text)}</t></r></text></comment>`);
      }
      await put('</commentList></comments>');
    });
    // Excel shows a note only with its VML shape (the legacy drawing); other programs read comments alone.
    await this.#zip.entry(`xl/drawings/vmlDrawing${n}.vml`, async (put) => {
      await put(
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">' +
          `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="${n}"/></o:shapelayout>` +
          '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>',
      );
      let id = n * 1024 + 1;
      for (const ref of notes.keys()) {
        const m = /^([A-Z]+)(\d+)$/.exec(ref);
        if (!m) throw new RangeError(`not a cell reference: ${ref}`);
        const col = columnIndex(m[1]!);
        const row = Number(m[2]) - 1;
        await put(
          `<v:shape id="_x0000_s${id++}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">` +
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>' +
            `<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>${col + 1}, 15, ${row}, 2, ${col + 4}, 15, ${row + 4}, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>${row}</x:Row><x:Column>${col}</x:Column></x:ClientData></v:shape>`,
        );
      }
      await put('</xml>');
    });
  }

  async close(): Promise<void> {
    const sheets = this.#sheets;
    await this.#zip.entry('xl/workbook.xml', (put) =>
      put(
        `${XML_HEAD}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>` +
          sheets.map((s, i) => `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
          '</sheets></workbook>',
      ),
    );
    await this.#zip.entry('xl/_rels/workbook.xml.rels', (put) =>
      put(
        `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
          sheets
            .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
            .join('') +
          `<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
      ),
    );
    await this.#zip.entry('xl/styles.xml', (put) => put(STYLES));
    await this.#zip.entry('_rels/.rels', (put) =>
      put(
        `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    );
    const ml = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
    await this.#zip.entry('[Content_Types].xml', (put) =>
      put(
        `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
          '<Default Extension="xml" ContentType="application/xml"/>' +
          '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>' +
          `<Override PartName="/xl/workbook.xml" ContentType="${ml}.sheet.main+xml"/>` +
          `<Override PartName="/xl/styles.xml" ContentType="${ml}.styles+xml"/>` +
          sheets
            .map(
              (s, i) =>
                `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${ml}.worksheet+xml"/>` +
                (s.notes ? `<Override PartName="/xl/comments${i + 1}.xml" ContentType="${ml}.comments+xml"/>` : ''),
            )
            .join('') +
          '</Types>',
      ),
    );
    await this.#zip.close();
  }
}
