/** In-memory workbooks for unit tests of the validator: rows of plain values become typed cells. */
import type { Cell, Row, Sheet, Workbook } from '../../functions/core/sheet/types.ts';

export type Value = string | number | boolean | Date | null | undefined | { error: string };

export function toCell(v: Value): Cell | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return { t: 'string', v };
  if (typeof v === 'number') return { t: 'number', v };
  if (typeof v === 'boolean') return { t: 'boolean', v };
  if (v instanceof Date) return { t: 'date', v };
  return { t: 'error', v: v.error };
}

export function memWorkbook(
  sheets: Array<{ name: string; rows: Value[][] }>,
  opts: { date1904?: boolean; format?: 'xlsx' | 'csv' } = {},
): Workbook & { closed: boolean } {
  const wb = {
    format: opts.format ?? 'xlsx',
    date1904: opts.date1904 ?? false,
    closed: false,
    async *sheets(): AsyncIterable<Sheet> {
      for (const s of sheets) {
        yield {
          name: s.name,
          async *rows(): AsyncIterable<Row> {
            for (let i = 0; i < s.rows.length; i++) yield { rowNumber: i + 1, cells: s.rows[i]!.map(toCell) };
          },
        };
      }
    },
    async close() {
      wb.closed = true;
    },
  };
  return wb as Workbook & { closed: boolean };
}

export const EN_HEADER = [
  'Reporting Member',
  'Case reference',
  'Line',
  'Seizure date',
  'Location',
  'Category',
  'Product',
  'Goods description',
  'HS code',
  'Quantity',
  'Unit',
  'Estimated value',
  'Currency',
  'Country of origin',
  'Transit countries',
  'Mode of transport',
  'Concealment method',
  'Infringement type',
];

export type RowObj = Partial<
  Record<
    | 'member'
    | 'case'
    | 'line'
    | 'date'
    | 'location'
    | 'category'
    | 'product'
    | 'description'
    | 'hs'
    | 'qty'
    | 'unit'
    | 'value'
    | 'currency'
    | 'origin'
    | 'transit'
    | 'transport'
    | 'concealment'
    | 'infringement',
    Value
  >
>;

/** A valid English row, with overrides. */
export function enRow(o: RowObj = {}): Value[] {
  const d: RowObj = {
    member: 'FR',
    case: 'C-1',
    line: null,
    date: '2021-06-15',
    location: 'FRCDG',
    category: 'Medicines',
    product: 'Ivermectin',
    description: null,
    hs: '3004.90',
    qty: 1200,
    unit: 'Pieces',
    value: 350.5,
    currency: 'EUR',
    origin: 'IN',
    transit: 'AE; TR',
    transport: 'Air cargo',
    concealment: 'Misdescribed',
    infringement: 'Falsified',
    ...o,
  };
  return [
    d.member,
    d.case,
    d.line,
    d.date,
    d.location,
    d.category,
    d.product,
    d.description,
    d.hs,
    d.qty,
    d.unit,
    d.value,
    d.currency,
    d.origin,
    d.transit,
    d.transport,
    d.concealment,
    d.infringement,
  ];
}
