/**
 * The checks of one data row against the seizure schema: each field read from its column, normalised (vocabularies,
 * countries, currencies, dates, numbers) and checked, every problem reported as a row issue; a valid row becomes its
 * canonical record. Allocation-light on the valid path: it runs for every row of a 200,000-row file.
 */
import { phaseOf, type Lang, type OperationConfig } from '../operation/config.ts';
import { normaliseCurrency, parseCountryList } from '../vocabulary/countries.ts';
import { message, VOCAB_WORD, type MessageId, type Params } from './messages.ts';
import { cellText, parseDate, parseNumber } from './parse.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { FIELD_BY_KEY, type FieldDef, type FieldKey } from '../vocabulary/schema.ts';
import { MAX_LINE_NO } from '../store/keys.ts';
import { columnLetter } from '../sheet/columns.ts';
import type { Cell, Row } from '../sheet/types.ts';
import { categoryOfProduct, VOCABS, type Category, type VocabName } from '../vocabulary/vocab.ts';
import type { Header } from './header.ts';
import { echo, type RowErrorType, type ValidationIssue } from './report.ts';

const LOCODE = /^([A-Z]{2}) ?([A-Z2-9]{3})$/;

/**
 * Control characters a text cell may not hold: C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F). They are invisible
 * in a spreadsheet, can drive a terminal (ESC) and travel raw into records, reports, emails and /api/lineage. Free
 * text (description, remarks, location, brand) may keep tab and line breaks (Alt+Enter in Excel); a case reference
 * may not.
 */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_IN_KEY = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** How a control character is named in a message: its code point, e.g. U+001B. */
export const codePoint = (c: string): string => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** What a row check needs of the validation it is part of. */
export interface RowContext {
  readonly file: string;
  readonly language: Lang;
  readonly sheetTitle: string;
  readonly is1904: boolean;
  readonly todayDay: string;
  readonly uploader: string | undefined;
  readonly config: OperationConfig;
  isParticipant(code: string): boolean;
  rowError(issue: ValidationIssue): void;
  claim(member: string, caseRef: string, line: number, row: number): number | undefined;
  /** A row names this case (valid or not). */
  caseSeen(caseRef: string): void;
  autoLine(member: string, caseRef: string): number;
  memo<T, A = undefined>(kind: string, text: string, compute: (text: string, arg: A) => T, arg?: A): T;
  vocab(name: VocabName, text: string): string | undefined;
  country(text: string, allowUnknown: boolean): string | undefined;
}

/** Checks one row; returns its record when valid. */
export class RowCheck {
  private readonly at: Partial<Record<FieldKey, { index: number; label: string; def: FieldDef }>>;

  constructor(
    private readonly v: RowContext,
    header: Header,
  ) {
    // Built at once: assigned key by key, an object of this many properties goes to dictionary mode (slow lookups).
    this.at = Object.fromEntries(header.columns.map(([def, index, label]) => [def.key, { index, label, def }]));
  }

  private row!: Row;
  private ok = true;

  check(row: Row): SeizureRecord | undefined {
    this.row = row;
    this.ok = true;
    const v = this.v;

    const member = this.member();
    // The store keys cases by their NFC form: the record carries that form, so every reader of the table sees one
    // spelling of a case ("café" typed as é or as e + accent is one case).
    const caseRef = this.text('case_ref', true)?.normalize('NFC');
    if (caseRef !== undefined) v.caseSeen(caseRef);
    const lineNo = this.lineNo(member, caseRef);
    const when = this.date();
    const location = this.location();
    const locationType = this.vocab('location_type', 'location_type', false);
    const direction = this.vocab('direction', 'direction', false);
    const goods = this.goods();
    const hs = this.hsCode();
    const amount = this.amount(goods.category, goods.product);
    const value = this.value();
    const origin = this.country('origin_country');
    const departure = this.country('departure_country');
    const destination = this.country('destination_country');
    const transit = this.transit();
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
      seizure_date: when.date!,
      phase: when.phase!,
      category: goods.category!,
      product: goods.product!,
      quantity: amount.quantity!,
      unit: amount.unit!,
      transport_mode: transport!,
      infringement_type: infringement!,
      source: { file: v.file, sheet: v.sheetTitle, row: row.rowNumber },
    };
    if (location !== undefined) rec.location = location;
    if (locationType !== undefined) rec.location_type = locationType;
    if (direction !== undefined) rec.direction = direction;
    if (goods.description !== undefined) rec.description = goods.description;
    if (goods.brand !== undefined) rec.brand = goods.brand;
    if (hs !== undefined) rec.hs_code = hs;
    if (value.value !== undefined) rec.estimated_value = value.value;
    if (value.currency !== undefined) rec.currency = value.currency;
    if (origin !== undefined) rec.origin_country = origin;
    if (departure !== undefined) rec.departure_country = departure;
    if (destination !== undefined) rec.destination_country = destination;
    if (transit !== undefined) rec.transit_countries = transit;
    if (concealment !== undefined) rec.concealment_method = concealment;
    if (detection !== undefined) rec.detection_method = detection;
    if (remarks !== undefined) rec.remarks = remarks;
    return rec;
  }

  // ---- the fields ----

  private member(): string | undefined {
    const v = this.v;
    const mc = this.cell('reporting_member');
    if (!mc) return this.err('missing-cell', 'reporting_member', 'missing-cell');
    const member = v.country(cellText(mc)!, false);
    if (!member) return this.err('constraint-error', 'reporting_member', 'unknown-country', {});
    if (v.uploader && member !== v.uploader)
      return this.err('constraint-error', 'reporting_member', 'member-mismatch', { member: v.uploader });
    if (!v.isParticipant(member)) this.err('constraint-error', 'reporting_member', 'unknown-member', { operation: v.config.name });
    return member;
  }

  private lineNo(member: string | undefined, caseRef: string | undefined): number | undefined {
    const lc = this.cell('line_no');
    if (lc) {
      const p = parseNumber(lc);
      if (!p.ok || !Number.isInteger(p.value)) return this.err('type-error', 'line_no', 'not-an-integer');
      if (p.value < 1) return this.err('constraint-error', 'line_no', 'line-positive');
      if (p.value > MAX_LINE_NO) return this.err('constraint-error', 'line_no', 'line-too-large', { max: MAX_LINE_NO });
      return p.value;
    }
    return member && caseRef ? this.v.autoLine(member, caseRef) : undefined;
  }

  private date(): { date?: string; phase?: number } {
    const v = this.v;
    const dc = this.cell('seizure_date');
    if (!dc) return this.err('missing-cell', 'seizure_date', 'missing-cell') ?? {};
    const p = parseDate(dc, v.is1904);
    if (!p.ok) return this.err('type-error', 'seizure_date', p.why) ?? {};
    if (p.value > v.todayDay)
      return this.err('constraint-error', 'seizure_date', 'date-in-future', { date: p.value, today: v.todayDay }) ?? {};
    const phase = phaseOf(v.config, p.value)?.phase;
    if (phase === undefined) {
      this.err('constraint-error', 'seizure_date', 'date-outside-phases', {
        date: p.value,
        phases: v.config.phases.map((ph) => `${ph.phase}: ${ph.start} – ${ph.end}`).join('; '),
      });
      return {};
    }
    return { date: p.value, phase };
  }

  private location(): string | undefined {
    const location = this.text('location');
    if (!location) return location;
    const lo = LOCODE.exec(location);
    return lo && this.v.country(lo[1]!, false) ? lo[1]! + lo[2]! : location;
  }

  /** Category, product (of that category), the description other_ products need, and brand. */
  private goods(): { category?: Category; product?: string; description?: string; brand?: string } {
    const category = this.vocab('category', 'category', true) as Category | undefined;
    let product = this.vocab('product', 'product', true, category);
    if (product && category && categoryOfProduct(product) !== category) {
      this.err('constraint-error', 'product', 'product-category', {
        category: { vocab: 'category', code: category },
        accepted: { vocab: 'product', list: category },
      });
      product = undefined;
    }
    const description = this.text('description');
    // A description refused for what it holds (control characters, length) has had its error: not "missing" too.
    if (product?.startsWith('other_') && !description && !this.cell('description')) {
      this.err('missing-cell', 'description', 'missing-description', { product: { vocab: 'product', code: product } });
    }
    const brand = this.text('brand');
    return { category, product, description, brand };
  }

  private hsCode(): string | undefined {
    const hc = this.cell('hs_code');
    if (!hc) return undefined;
    const digits = cellText(hc)!.replace(/[.\s\u00a0]/g, '');
    if (/^\d{6,10}$/.test(digits)) return digits;
    return this.err('constraint-error', 'hs_code', 'hs-code', { numeric: hc.t === 'number' && digits.length === 5 ? 1 : undefined });
  }

  /** Unit and quantity, and whether they fit the goods (whole pieces, doses for vaccines only). */
  private amount(category: Category | undefined, product: string | undefined): { unit?: SeizureRecord['unit']; quantity?: number } {
    const unit = this.vocab('unit', 'unit', true) as SeizureRecord['unit'] | undefined;
    let quantity = this.number('quantity', true);
    if (quantity !== undefined) {
      if (!(quantity > 0)) quantity = this.err('constraint-error', 'quantity', 'quantity-positive');
      else if (unit && (unit === 'pieces' || unit === 'doses' || unit === 'packs') && !Number.isInteger(quantity)) {
        quantity = this.err('constraint-error', 'quantity', 'quantity-whole', { unit: { vocab: 'unit', code: unit } });
      }
    }
    if (unit && category) {
      if (unit === 'doses' && category !== 'vaccine') {
        this.err('constraint-error', 'unit', 'doses-vaccines', {
          product: product ? { vocab: 'product', code: product } : { vocab: 'category', code: category },
        });
      } else if (category === 'vaccine' && unit !== 'doses') this.err('constraint-error', 'unit', 'vaccines-doses');
    }
    return { unit, quantity };
  }

  private value(): { value?: number; currency?: string } {
    let value = this.number('estimated_value', false);
    if (value !== undefined && value < 0) value = this.err('constraint-error', 'estimated_value', 'value-negative');
    let currency: string | undefined;
    const cc = this.cell('currency');
    if (cc) {
      currency = this.v.memo('currency', cellText(cc)!, normaliseCurrency);
      if (!currency) this.err('constraint-error', 'currency', 'unknown-currency');
    } else if (this.cell('estimated_value')) {
      this.err('missing-cell', 'currency', 'missing-currency', { value: echo(cellText(this.cell('estimated_value')) ?? '') });
    }
    return { value, currency };
  }

  private transit(): string[] | undefined {
    const tc = this.cell('transit_countries');
    if (!tc) return undefined;
    const { codes, bad } = this.v.memo('countries', cellText(tc)!, parseCountryList);
    if (bad.length) return this.err('constraint-error', 'transit_countries', 'unknown-countries', { bad: echo(bad.join(' ')) });
    return codes.length ? [...codes] : undefined;
  }

  // ---- reading cells ----

  private err(type: RowErrorType, key: FieldKey, code: MessageId, params: Params = {}): undefined {
    this.ok = false;
    const col = this.at[key];
    const raw = col ? cellText(this.row.cells[col.index]) : undefined;
    // Echoed without control characters (each shown as U+FFFD): the report, the annotated workbook and the portal
    // show the cell, and a raw ESC would reach a terminal or a page.
    const cell = raw === undefined ? null : echo(raw.replace(CONTROL_ALL, '\uFFFD'));
    const said: Params = {
      row: this.row.rowNumber,
      // The column as the Member headed it, else the field's name in each language.
      column: col?.label ?? FIELD_BY_KEY.get(key)!.labels,
      value: cell ?? '',
      // The field's rule, in each language: only the missing-cell message says it.
      ...(code === 'missing-cell' ? { rule: col?.def.rule ?? '' } : {}),
      ...params,
    };
    this.v.rowError({
      type,
      rowNumber: this.row.rowNumber,
      fieldName: key,
      cell,
      ...(col ? { column: columnLetter(col.index) } : {}),
      code,
      message: message(code, this.v.language, said),
      params: said,
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
    const control = (key === 'case_ref' ? CONTROL_IN_KEY : CONTROL_IN_TEXT).exec(t);
    if (control) {
      return this.err('constraint-error', key, 'control-character', {
        char: codePoint(control[0]),
        position: control.index + 1,
      });
    }
    const max = this.at[key]!.def.maxLength;
    if (max && t.length > max) return this.err('constraint-error', key, 'too-long', { length: t.length, max });
    return t;
  }

  /** `category`: the accepted list a product falls back on is that category's products. */
  private vocab(key: FieldKey, name: VocabName, required: boolean, category?: Category): string | undefined {
    const c = this.cell(key);
    if (!c) return required ? this.err('missing-cell', key, 'missing-cell') : undefined;
    const t = cellText(c)!;
    const code = this.v.vocab(name, t);
    if (code === undefined) {
      const near = VOCABS[name].suggest(t);
      return this.err('constraint-error', key, 'unknown-value', {
        what: VOCAB_WORD[name]!,
        accepted: { vocab: name, list: category ?? 'all' },
        suggestion: near ? { vocab: name, code: near } : undefined,
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
}
