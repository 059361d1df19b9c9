/**
 * Validation of a Member's spreadsheet: finds the data sheet and its header row, checks every row against the
 * seizure schema and hands each valid row on as a canonical record, while collecting a report shaped after
 * Frictionless validation reports. Streams: only the report's issues and the keys seen (for duplicates) grow.
 */
import type { Lang, OperationConfig } from './config.ts';
import { phaseOf } from './config.ts';
import { TEST_MEMBER } from './smoke.ts';
import { normaliseCountry, normaliseCurrency, parseCountryList } from './countries.ts';
import { message, VOCAB_WORD, type MessageId, type Params } from './messages.ts';
import { cellText, isoDay, parseDate, parseNumber } from './parse.ts';
import type { SeizureRecord } from './record.ts';
import { FIELDS, REQUIRED_KEYS, type FieldDef, type FieldKey } from './schema.ts';
import { columnLetter } from './sheet/columns.ts';
import { openSpreadsheet } from './sheet/open.ts';
import { DEFAULT_LIMITS, SpreadsheetError, type ByteSource, type Cell, type ReadLimits, type Row, type Sheet, type Workbook } from './sheet/types.ts';
import { categoryOfProduct, fold, LANGS, PRODUCTS_BY_CATEGORY, VOCABS, type Category, type VocabName } from './vocab.ts';

export type RowErrorType = 'missing-cell' | 'type-error' | 'constraint-error' | 'unique-error';
export type FileErrorType = 'source-error' | 'format-error' | 'size-error' | 'missing-label' | 'duplicate-label' | 'encoding-error';
export type WarningType = 'extra-label';

export interface ValidationIssue {
  type: RowErrorType | FileErrorType | WarningType;
  /** The row number a person sees in the spreadsheet program; null for file-level issues. */
  rowNumber: number | null;
  /** Canonical key of the column; null when the issue is not about one column. */
  fieldName: string | null;
  /** The raw value as text. */
  cell: string | null;
  message: string;
  /** Column letter (A, B, ... AA) where the issue sits, when it is about a cell or header. */
  column?: string;
  /** Which rule spoke: a stable id for tools and the feedback workbook. */
  code: MessageId;
}

export interface ValidationReport {
  valid: boolean;
  file: string;
  member: string | null;
  sheet: string | null;
  headerRow: number | null;
  format: 'xlsx' | 'csv' | null;
  language: Lang;
  stats: { rows: number; validRows: number; invalidRows: number; blankRows: number; errors: number; warnings: number };
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** Errors counted in stats but left out of `errors` to bound the report's size (0 when all are listed). */
  errorsNotListed: number;
  /** Where each canonical column sits in the data sheet (0-based), for the feedback workbook. */
  columns: Partial<Record<FieldKey, number>>;
}

export interface ValidateOptions {
  readonly config: OperationConfig;
  /** The uploading Member (ISO alpha-2): rows reporting another Member are errors. */
  readonly member?: string;
  /** Language of the messages; by default the language of the file's headers, else the Member's, else English. */
  readonly lang?: Lang;
  /** Today as YYYY-MM-DD (seizure dates after it are errors). @default the current UTC date */
  readonly today?: string;
  readonly limits?: Partial<ReadLimits>;
  /** Most issues listed in the report (all are counted). @default 100,000 */
  readonly maxIssues?: number;
  /** Receives each valid record as it is found; awaited (backpressure). Records are final only if the report is not rejected. */
  readonly onRecord?: (record: SeizureRecord) => void | Promise<void>;
}

const FILE_LEVEL: ReadonlySet<string> = new Set(['source-error', 'format-error', 'size-error', 'missing-label', 'duplicate-label', 'encoding-error']);
const HEADER_SEARCH_ROWS = 20;
const LOCODE = /^([A-Z]{2}) ?([A-Z2-9]{3})$/;

/** True when the file as a whole was rejected (nothing in it is usable). */
export const isRejected = (r: Pick<ValidationReport, 'errors'>): boolean => r.errors.some((e) => FILE_LEVEL.has(e.type));

/** The CLI's exit code for a report: 0 all valid, 1 some rows invalid, 2 rejected. */
export const exitCodeOf = (r: ValidationReport): 0 | 1 | 2 => (isRejected(r) ? 2 : r.stats.invalidRows > 0 ? 1 : 0);

/** Header cell (folded) -> canonical key, with the languages whose label it is. */
const HEADER_INDEX: ReadonlyMap<string, { key: FieldKey; langs: Lang[] }> = (() => {
  const m = new Map<string, { key: FieldKey; langs: Lang[] }>();
  const add = (text: string, key: FieldKey, lang?: Lang) => {
    const k = fold(text);
    const e = m.get(k) ?? { key, langs: [] };
    if (e.key !== key) throw new Error(`header label '${text}' would mean both ${e.key} and ${key}`);
    if (lang && !e.langs.includes(lang)) e.langs.push(lang);
    m.set(k, e);
  };
  for (const d of FIELDS) {
    add(d.key, d.key);
    for (const lang of LANGS) add(d.labels[lang], d.key, lang);
    for (const a of d.aliases ?? []) add(a, d.key);
  }
  return m;
})();

interface Header {
  rowNumber: number;
  /** [field, column index, header text as written] for the columns present. */
  columns: Array<[FieldDef, number, string]>;
  lang: Lang | undefined;
  extra: Array<[number, string]>;
  duplicates: Array<[FieldKey, Array<[number, string]>]>;
}

function readHeader(row: Row): Header & { missing: FieldKey[] } {
  const found = new Map<FieldKey, Array<[number, string]>>();
  const votes: Record<Lang, number> = { en: 0, fr: 0, es: 0 };
  const extra: Array<[number, string]> = [];
  row.cells.forEach((cell, i) => {
    const text = cellText(cell);
    if (text === undefined) return;
    const hit = HEADER_INDEX.get(fold(text));
    if (!hit) return void extra.push([i, text]);
    for (const l of hit.langs) votes[l] += hit.langs.length === 1 ? 2 : 1;
    found.set(hit.key, [...(found.get(hit.key) ?? []), [i, text]]);
  });
  const best = (Object.entries(votes) as Array<[Lang, number]>).sort((a, b) => b[1] - a[1])[0]!;
  return {
    rowNumber: row.rowNumber,
    columns: FIELDS.filter((d) => found.has(d.key)).map((d) => [d, found.get(d.key)![0]![0], found.get(d.key)![0]![1]]),
    lang: best[1] > 0 ? best[0] : undefined,
    extra,
    duplicates: [...found].filter(([, cols]) => cols.length > 1),
    missing: REQUIRED_KEYS.filter((k) => !found.has(k)),
  };
}

/** Validates one file. Never throws for a bad file: every problem ends up in the report. */
export async function validateSpreadsheet(source: ByteSource, opts: ValidateOptions): Promise<ValidationReport> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  let wb: Workbook;
  try {
    wb = await openSpreadsheet(source, limits);
  } catch (e) {
    if (!(e instanceof SpreadsheetError)) throw e;
    const v = new Validation(source.name, opts);
    v.fileError(e.type, e.type, { ...e.params, reason: e.reason });
    return v.finish();
  }
  try {
    return await validateWorkbook(wb, source.name, opts);
  } finally {
    await wb.close().catch(() => undefined);
  }
}

/** Validates an open workbook (the caller closes it). */
export async function validateWorkbook(wb: Workbook, file: string, opts: ValidateOptions): Promise<ValidationReport> {
  const v = new Validation(file, opts);
  v.report.format = wb.format;
  try {
    await v.run(wb, { ...DEFAULT_LIMITS, ...opts.limits });
  } catch (e) {
    // A reader may fail mid-sheet (a corrupt entry, a zip bomb, bad bytes in a CSV): the file is rejected as a whole.
    if (!(e instanceof SpreadsheetError)) throw e;
    v.fileError(e.type, e.type, { ...e.params, reason: e.reason });
  }
  return v.finish();
}

/** The lines of one case seen so far: the first inline, any others in `more` as [line, row, line, row, ...]. */
interface CaseState {
  next: number;
  /** The first line claimed, -1 before any. */
  line: number;
  row: number;
  more: number[] | undefined;
}

class Validation {
  readonly report: ValidationReport;
  private lang: Lang;
  private readonly maxIssues: number;
  private readonly today: string;
  private readonly members: ReadonlySet<string>;
  /** Per case of the uploading Member (the usual case, keyed by case_ref alone) and of anyone else. */
  private readonly ownCases = new Map<string, CaseState>();
  private readonly otherCases = new Map<string, CaseState>();
  /** The Member whose cases are keyed by case_ref alone: the uploader, else the first Member seen. */
  private primary: string | undefined;
  private readonly memos = new Map<string, Map<string, unknown>>();
  private date1904 = false;
  private sheetName = '';

  constructor(file: string, private readonly opts: ValidateOptions) {
    this.lang = opts.lang ?? opts.config.members.find((m) => m.code === opts.member)?.language ?? 'en';
    this.maxIssues = opts.maxIssues ?? 100_000;
    this.today = opts.today ?? isoDay(new Date());
    this.members = new Set(opts.config.members.map((m) => m.code));
    this.primary = opts.member;
    this.report = {
      valid: false,
      file,
      member: opts.member ?? null,
      sheet: null,
      headerRow: null,
      format: null,
      language: this.lang,
      stats: { rows: 0, validRows: 0, invalidRows: 0, blankRows: 0, errors: 0, warnings: 0 },
      errors: [],
      warnings: [],
      errorsNotListed: 0,
      columns: {},
    };
  }

  finish(): ValidationReport {
    const r = this.report;
    r.language = this.lang;
    r.stats.errors = r.errors.length + r.errorsNotListed;
    r.stats.warnings = r.warnings.length;
    r.valid = r.stats.errors === 0;
    return r;
  }

  fileError(type: FileErrorType, code: MessageId, params: Params, fieldName: string | null = null): void {
    this.report.errors.push({ type, rowNumber: null, fieldName, cell: null, message: message(code, this.lang, params), code });
  }

  async run(wb: Workbook, limits: ReadLimits): Promise<void> {
    this.date1904 = wb.date1904 ?? false;
    let bestMiss: FieldKey[] | undefined;
    for await (const sheet of wb.sheets()) {
      const it = sheet.rows()[Symbol.asyncIterator]();
      const header = await this.findHeader(it);
      if (!header) continue;
      if (header.missing.length) {
        if (!bestMiss || header.missing.length < bestMiss.length) bestMiss = header.missing;
        await it.return?.();
        continue;
      }
      await this.readSheet(sheet, header, it, limits);
      return;
    }
    const missing = bestMiss ?? REQUIRED_KEYS;
    this.fileError('missing-label', 'missing-label', { missing: missing.map((k) => this.fieldLabel(k)).join(', ') });
  }

  private async findHeader(it: AsyncIterator<Row>): Promise<(Header & { missing: FieldKey[] }) | undefined> {
    let best: (Header & { missing: FieldKey[] }) | undefined;
    for (;;) {
      const next = await it.next();
      if (next.done || next.value.rowNumber > HEADER_SEARCH_ROWS) break;
      const h = readHeader(next.value);
      if (h.missing.length === 0) return h;
      if (h.columns.length && (!best || h.missing.length < best.missing.length)) best = h;
    }
    return best;
  }

  private fieldLabel(key: FieldKey): string {
    return FIELDS.find((d) => d.key === key)!.labels[this.lang];
  }

  private async readSheet(sheet: Sheet, header: Header, it: AsyncIterator<Row>, limits: ReadLimits): Promise<void> {
    const r = this.report;
    this.sheetName = sheet.name;
    if (!this.opts.lang && header.lang) this.lang = header.lang;
    r.sheet = sheet.name;
    r.headerRow = header.rowNumber;
    r.columns = Object.fromEntries(header.columns.map(([d, i]) => [d.key, i]));
    for (const [key, cols] of header.duplicates) {
      this.fileError('duplicate-label', 'duplicate-label', {
        columns: cols.map(([i, t]) => `'${t}' (${columnLetter(i)})`).join(', '),
        field: this.fieldLabel(key),
      }, key);
    }
    for (const [i, text] of header.extra) {
      r.warnings.push({ type: 'extra-label', rowNumber: header.rowNumber, fieldName: null, cell: text, column: columnLetter(i), code: 'extra-label', message: message('extra-label', this.lang, { column: text, letter: columnLetter(i) }) });
    }
    if (header.duplicates.length) return;
    const rowCheck = new RowCheck(this, header);
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      const row = next.value;
      if (row.cells.every((c) => cellText(c) === undefined)) {
        r.stats.blankRows++;
        continue;
      }
      if (r.stats.rows >= limits.maxRows) {
        await it.return?.();
        this.fileError('size-error', 'size-error', { reason: 'too-many-rows', max: limits.maxRows });
        return;
      }
      r.stats.rows++;
      const record = rowCheck.check(row);
      if (record) {
        r.stats.validRows++;
        const sink = this.opts.onRecord?.(record);
        if (sink) await sink;
      } else r.stats.invalidRows++;
    }
    if (r.stats.rows === 0) this.fileError('source-error', 'no-rows', { sheet: sheet.name, headerRow: header.rowNumber });
  }

  // ---- used by RowCheck ----
  get language(): Lang {
    return this.lang;
  }
  get sheetTitle(): string {
    return this.sheetName;
  }
  get is1904(): boolean {
    return this.date1904;
  }
  get todayDay(): string {
    return this.today;
  }
  isParticipant(code: string): boolean {
    return this.members.size === 0 || this.members.has(code);
  }
  get uploader(): string | undefined {
    return this.opts.member;
  }
  get config(): OperationConfig {
    return this.opts.config;
  }

  rowError(issue: ValidationIssue): void {
    if (this.report.errors.length < this.maxIssues) this.report.errors.push(issue);
    else this.report.errorsNotListed++;
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

  /** The case last looked up: the lines of a case usually follow one another, so most lookups are of it. */
  private lastMember: string | undefined;
  private lastCaseRef: string | undefined;
  private lastCase: CaseState | undefined;

  private caseState(member: string, caseRef: string): CaseState {
    if (caseRef === this.lastCaseRef && member === this.lastMember) return this.lastCase!;
    this.primary ??= member;
    const own = member === this.primary;
    const key = own ? caseRef : `${member}\u0000${caseRef}`;
    const map = own ? this.ownCases : this.otherCases;
    let c = map.get(key);
    if (!c) map.set(key, (c = { next: 0, line: -1, row: 0, more: undefined }));
    this.lastMember = member;
    this.lastCaseRef = caseRef;
    this.lastCase = c;
    return c;
  }

  /**
   * Normalising a cell (vocabulary match, country, currency) is pure in its text and a sheet repeats few distinct
   * texts per column, so each answer is computed once. Bounded, so a sheet of distinct values cannot grow it unduly.
   */
  memo<T, A = undefined>(kind: string, text: string, compute: (text: string, arg: A) => T, arg?: A): T {
    let m = this.memos.get(kind) as Map<string, T> | undefined;
    if (!m) this.memos.set(kind, (m = new Map<string, T>()));
    const hit = m.get(text);
    if (hit !== undefined || m.has(text)) return hit as T;
    const value = compute(text, arg as A);
    if (m.size < 10_000) m.set(text, value);
    return value;
  }

  // The compute functions are made once (not a closure per call: these run several times per row).
  vocab(name: VocabName, text: string): string | undefined {
    return this.memo(name, text, matchVocab, name);
  }

  country(text: string, allowUnknown: boolean): string | undefined {
    // XT, the test Member of `seizures smoke`, is a Member only of the smoke operation (functions/core/smoke.ts).
    if (!allowUnknown && this.members.has(TEST_MEMBER) && text.trim().toUpperCase() === TEST_MEMBER) return TEST_MEMBER;
    return this.memo(allowUnknown ? 'country' : 'member', text, matchCountry, allowUnknown);
  }
}

const matchVocab = (text: string, name: VocabName): string | undefined => VOCABS[name].match(text);
const matchCountry = (text: string, allowUnknown: boolean): string | undefined => normaliseCountry(text, { allowUnknown });

/** Checks one row; returns its record when valid. Allocation-light on the valid path. */
class RowCheck {
  private readonly at: Partial<Record<FieldKey, { index: number; label: string; def: FieldDef }>>;
  private readonly file: string;

  constructor(private readonly v: Validation, header: Header) {
    // Built at once: assigned key by key, an object of this many properties goes to dictionary mode (slow lookups).
    this.at = Object.fromEntries(header.columns.map(([def, index, label]) => [def.key, { index, label, def }]));
    this.file = v.report.file;
  }

  private row!: Row;
  private ok = true;

  private err(type: RowErrorType, key: FieldKey, code: MessageId, params: Params = {}): undefined {
    this.ok = false;
    const col = this.at[key];
    const cell = col ? cellText(this.row.cells[col.index]) ?? null : null;
    this.v.rowError({
      type,
      rowNumber: this.row.rowNumber,
      fieldName: key,
      cell,
      ...(col ? { column: columnLetter(col.index) } : {}),
      code,
      message: message(code, this.v.language, {
        row: this.row.rowNumber,
        column: col?.label ?? FIELDS.find((d) => d.key === key)!.labels[this.v.language],
        value: cell ?? '',
        rule: col?.def.rule[this.v.language] ?? '',
        ...params,
      }),
    });
    return undefined;
  }

  private cell(key: FieldKey): Cell | undefined {
    const col = this.at[key];
    if (!col) return undefined;
    const c = this.row.cells[col.index];
    return c && (c.t !== 'string' || c.v.trim() !== '') ? c : undefined;
  }

  private text(key: FieldKey, required = false): string | undefined {
    const c = this.cell(key);
    if (!c) return required ? this.err('missing-cell', key, 'missing-cell') : undefined;
    const t = cellText(c)!;
    const max = this.at[key]!.def.maxLength;
    if (max && t.length > max) return this.err('constraint-error', key, 'too-long', { length: t.length, max });
    return t;
  }

  private vocab(key: FieldKey, name: VocabName, required: boolean, codes?: readonly string[]): string | undefined {
    const c = this.cell(key);
    if (!c) return required ? this.err('missing-cell', key, 'missing-cell') : undefined;
    const t = cellText(c)!;
    const code = this.v.vocab(name, t);
    if (code === undefined) {
      const lang = this.v.language;
      const vocab = VOCABS[name];
      const pool = codes ?? vocab.codes;
      const near = vocab.suggest(t);
      return this.err('constraint-error', key, 'unknown-value', {
        what: VOCAB_WORD[name]![lang],
        accepted: pool.map((k) => vocab.label(k, lang)).join(', '),
        suggestion: near ? vocab.label(near, lang) : undefined,
      });
    }
    return code;
  }

  private number(key: FieldKey, required: boolean): number | undefined {
    const c = this.cell(key);
    if (!c) return required ? this.err('missing-cell', key, 'missing-cell') : undefined;
    const p = parseNumber(c);
    if (p.ok) return p.value;
    return this.err('type-error', key, p.why, { a: p.a, b: p.b });
  }

  private country(key: FieldKey): string | undefined {
    const c = this.cell(key);
    if (!c) return undefined;
    const code = this.v.country(cellText(c)!, true);
    return code ?? this.err('constraint-error', key, 'unknown-country', { allowUnknown: 1 });
  }

  check(row: Row): SeizureRecord | undefined {
    this.row = row;
    this.ok = true;
    const v = this.v;
    const lang = v.language;

    // reporting_member
    let member: string | undefined;
    const mc = this.cell('reporting_member');
    if (!mc) this.err('missing-cell', 'reporting_member', 'missing-cell');
    else {
      member = v.country(cellText(mc)!, false);
      if (!member) this.err('constraint-error', 'reporting_member', 'unknown-country', {});
      else if (v.uploader && member !== v.uploader) {
        this.err('constraint-error', 'reporting_member', 'member-mismatch', { member: v.uploader });
        member = undefined;
      } else if (!v.isParticipant(member)) {
        this.err('constraint-error', 'reporting_member', 'unknown-member', { operation: v.config.name });
      }
    }

    const caseRef = this.text('case_ref', true);

    let lineNo: number | undefined;
    const lc = this.cell('line_no');
    if (lc) {
      const p = parseNumber(lc);
      if (!p.ok || !Number.isInteger(p.value)) this.err('type-error', 'line_no', 'not-an-integer');
      else if (p.value < 1) this.err('constraint-error', 'line_no', 'line-positive');
      else lineNo = p.value;
    } else if (member && caseRef) lineNo = v.autoLine(member, caseRef);

    let date: string | undefined;
    let phase: number | undefined;
    const dc = this.cell('seizure_date');
    if (!dc) this.err('missing-cell', 'seizure_date', 'missing-cell');
    else {
      const p = parseDate(dc, v.is1904);
      if (!p.ok) this.err('type-error', 'seizure_date', p.why);
      else if (p.value > v.todayDay) this.err('constraint-error', 'seizure_date', 'date-in-future', { date: p.value, today: v.todayDay });
      else {
        phase = phaseOf(v.config, p.value)?.phase;
        if (phase === undefined) {
          this.err('constraint-error', 'seizure_date', 'date-outside-phases', {
            date: p.value,
            phases: v.config.phases.map((ph) => `${ph.phase}: ${ph.start} – ${ph.end}`).join('; '),
          });
        } else date = p.value;
      }
    }

    let location = this.text('location');
    if (location) {
      const lo = LOCODE.exec(location);
      if (lo && v.country(lo[1]!, false)) location = lo[1]! + lo[2]!;
    }
    const locationType = this.vocab('location_type', 'location_type', false);
    const direction = this.vocab('direction', 'direction', false);
    const category = this.vocab('category', 'category', true) as Category | undefined;
    let product = this.vocab('product', 'product', true, category ? PRODUCTS_BY_CATEGORY[category] : undefined);
    if (product && category && categoryOfProduct(product) !== category) {
      this.err('constraint-error', 'product', 'product-category', {
        category: VOCABS.category.label(category, lang),
        accepted: PRODUCTS_BY_CATEGORY[category].map((p) => VOCABS.product.label(p, lang)).join(', '),
      });
      product = undefined;
    }
    const description = this.text('description');
    if (product?.startsWith('other_') && !description) {
      this.err('missing-cell', 'description', 'missing-description', { product: VOCABS.product.label(product, lang) });
    }
    const brand = this.text('brand');

    let hs: string | undefined;
    const hc = this.cell('hs_code');
    if (hc) {
      const digits = cellText(hc)!.replace(/[.\s\u00a0]/g, '');
      if (/^\d{6,10}$/.test(digits)) hs = digits;
      else this.err('constraint-error', 'hs_code', 'hs-code', { numeric: hc.t === 'number' && digits.length === 5 ? 1 : undefined });
    }

    const unit = this.vocab('unit', 'unit', true) as SeizureRecord['unit'] | undefined;
    let quantity = this.number('quantity', true);
    if (quantity !== undefined) {
      if (!(quantity > 0)) quantity = this.err('constraint-error', 'quantity', 'quantity-positive');
      else if (unit && (unit === 'pieces' || unit === 'doses' || unit === 'packs') && !Number.isInteger(quantity)) {
        quantity = this.err('constraint-error', 'quantity', 'quantity-whole', { unit: VOCABS.unit.label(unit, lang) });
      }
    }
    if (unit && category) {
      if (unit === 'doses' && category !== 'vaccine') {
        this.err('constraint-error', 'unit', 'doses-vaccines', { product: product ? VOCABS.product.label(product, lang) : VOCABS.category.label(category, lang) });
      } else if (category === 'vaccine' && unit !== 'doses') this.err('constraint-error', 'unit', 'vaccines-doses');
    }

    let value = this.number('estimated_value', false);
    if (value !== undefined && value < 0) value = this.err('constraint-error', 'estimated_value', 'value-negative');
    let currency: string | undefined;
    const cc = this.cell('currency');
    if (cc) {
      currency = v.memo('currency', cellText(cc)!, normaliseCurrency);
      if (!currency) this.err('constraint-error', 'currency', 'unknown-currency');
    } else if (this.cell('estimated_value')) {
      this.err('missing-cell', 'currency', 'missing-currency', { value: cellText(this.cell('estimated_value')) });
    }

    const origin = this.country('origin_country');
    const departure = this.country('departure_country');
    const destination = this.country('destination_country');
    let transit: string[] | undefined;
    const tc = this.cell('transit_countries');
    if (tc) {
      const { codes, bad } = v.memo('countries', cellText(tc)!, parseCountryList);
      if (bad.length) this.err('constraint-error', 'transit_countries', 'unknown-countries', { bad: bad.join(' ') });
      else if (codes.length) transit = [...codes];
    }
    const transport = this.vocab('transport_mode', 'transport_mode', true);
    const concealment = this.vocab('concealment_method', 'concealment_method', false);
    const detection = this.vocab('detection_method', 'detection_method', false);
    const infringement = this.vocab('infringement_type', 'infringement_type', true);
    const remarks = this.text('remarks');

    if (member && caseRef !== undefined && lineNo !== undefined) {
      const first = v.claim(member, caseRef, lineNo, row.rowNumber);
      if (first !== undefined) {
        this.err('unique-error', 'case_ref', 'duplicate-line', { caseRef, line: lineNo, firstRow: first });
      }
    }
    if (!this.ok) return undefined;

    const rec: SeizureRecord = {
      reporting_member: member!,
      case_ref: caseRef!,
      line_no: lineNo!,
      seizure_date: date!,
      phase: phase!,
      category: category!,
      product: product!,
      quantity: quantity!,
      unit: unit!,
      transport_mode: transport!,
      infringement_type: infringement!,
      source: { file: this.file, sheet: v.sheetTitle, row: row.rowNumber },
    };
    if (location !== undefined) rec.location = location;
    if (locationType !== undefined) rec.location_type = locationType;
    if (direction !== undefined) rec.direction = direction;
    if (description !== undefined) rec.description = description;
    if (brand !== undefined) rec.brand = brand;
    if (hs !== undefined) rec.hs_code = hs;
    if (value !== undefined) rec.estimated_value = value;
    if (currency !== undefined) rec.currency = currency;
    if (origin !== undefined) rec.origin_country = origin;
    if (departure !== undefined) rec.departure_country = departure;
    if (destination !== undefined) rec.destination_country = destination;
    if (transit !== undefined) rec.transit_countries = transit;
    if (concealment !== undefined) rec.concealment_method = concealment;
    if (detection !== undefined) rec.detection_method = detection;
    if (remarks !== undefined) rec.remarks = remarks;
    return rec;
  }
}

