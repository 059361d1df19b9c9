/**
 * Property: any valid seizure record, written to a workbook as a Member would write it (headers and labels in any of
 * the three languages, dates as date cells or text, numbers as numbers or national text), validates and reads back as
 * the same record.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { loadOperationConfig, type Lang } from '../../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { FIELDS, type FieldKey } from '../../../../functions/core/vocabulary/schema.ts';
import { bufferByteSource } from '../../../../functions/core/sheet/source.ts';
import { exitCodeOf, validateSpreadsheet } from '../../../../functions/core/validation/validate.ts';
import { PRODUCTS_BY_CATEGORY, VOCABS, type Category } from '../../../../functions/core/vocabulary/vocab.ts';

const config = loadOperationConfig();
const MEMBER = 'FR';

// Letters Members write: accents, other scripts, emoji, punctuation, XML specials and formula starters.
const CHARS = [...'abcXYZ019 éèçñüßœÆ中文字ЖДйΩ🙂‑-_/.,;:()&<>"\'=+@#%'];
const text = (min: number, max: number) =>
  fc
    .string({ unit: fc.constantFrom(...CHARS), minLength: min, maxLength: max })
    .map((s) => s.trim())
    .filter((s) => s.length >= min);
const dayIn = (start: string, end: string) =>
  fc.integer({ min: Date.parse(start), max: Date.parse(end) }).map((t) => new Date(t - (t % 86_400_000)).toISOString().slice(0, 10));

const productArb = fc.constantFrom(...(Object.keys(PRODUCTS_BY_CATEGORY) as Category[])).chain((category) =>
  fc.record({
    category: fc.constant(category),
    product: fc.constantFrom(...PRODUCTS_BY_CATEGORY[category]),
    unit:
      category === 'vaccine'
        ? fc.constant('doses' as const)
        : fc.constantFrom('pieces' as const, 'packs' as const, 'kg' as const, 'litres' as const),
  }),
);

const recordArb = fc
  .record({
    case_ref: text(1, 35),
    line_no: fc.integer({ min: 1, max: 999 }),
    seizure_date: fc.constantFrom(...config.phases).chain((p) => dayIn(p.start, p.end)),
    what: productArb,
    whole: fc.integer({ min: 1, max: 50_000_000 }),
    decimal: fc.integer({ min: 1, max: 9_999_999 }).map((n) => n / 100),
    description: text(1, 60),
    brand: fc.option(text(1, 20), { nil: undefined }),
    hs_code: fc.option(fc.stringMatching(/^\d{6,10}$/), { nil: undefined }),
    value: fc.option(
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 100),
      { nil: undefined },
    ),
    currency: fc.constantFrom('EUR', 'USD', 'XOF', 'GBP', 'MXN'),
    origin_country: fc.option(fc.constantFrom('CN', 'IN', 'TR', 'XX', 'US'), { nil: undefined }),
    destination_country: fc.option(fc.constantFrom('FR', 'DE', 'XX'), { nil: undefined }),
    transit_countries: fc.option(fc.uniqueArray(fc.constantFrom('AE', 'TR', 'NL', 'BE', 'SG'), { minLength: 1, maxLength: 3 }), {
      nil: undefined,
    }),
    transport_mode: fc.constantFrom(...VOCABS.transport_mode.codes),
    concealment_method: fc.option(fc.constantFrom(...VOCABS.concealment_method.codes), { nil: undefined }),
    detection_method: fc.option(fc.constantFrom(...VOCABS.detection_method.codes), { nil: undefined }),
    infringement_type: fc.constantFrom(...VOCABS.infringement_type.codes),
    location_type: fc.option(fc.constantFrom(...VOCABS.location_type.codes), { nil: undefined }),
    direction: fc.option(fc.constantFrom(...VOCABS.direction.codes), { nil: undefined }),
    remarks: fc.option(text(1, 80), { nil: undefined }),
  })
  .map((g): SeizureRecord => {
    const countable = g.what.unit === 'pieces' || g.what.unit === 'packs' || g.what.unit === 'doses';
    const r: SeizureRecord = {
      reporting_member: MEMBER,
      case_ref: g.case_ref,
      line_no: g.line_no,
      seizure_date: g.seizure_date,
      phase: config.phases.find((p) => p.start <= g.seizure_date && g.seizure_date <= p.end)!.phase,
      category: g.what.category,
      product: g.what.product,
      quantity: countable ? g.whole : g.decimal,
      unit: g.what.unit,
      transport_mode: g.transport_mode,
      infringement_type: g.infringement_type,
      source: { file: '', sheet: '', row: 0 },
    };
    if (g.what.product.startsWith('other_')) r.description = g.description;
    if (g.brand !== undefined) r.brand = g.brand;
    if (g.hs_code !== undefined) r.hs_code = g.hs_code;
    if (g.value !== undefined) Object.assign(r, { estimated_value: g.value, currency: g.currency });
    if (g.origin_country !== undefined) r.origin_country = g.origin_country;
    if (g.destination_country !== undefined) r.destination_country = g.destination_country;
    if (g.transit_countries !== undefined) r.transit_countries = g.transit_countries;
    if (g.concealment_method !== undefined) r.concealment_method = g.concealment_method;
    if (g.detection_method !== undefined) r.detection_method = g.detection_method;
    if (g.location_type !== undefined) r.location_type = g.location_type;
    if (g.direction !== undefined) r.direction = g.direction;
    if (g.remarks !== undefined) r.remarks = g.remarks;
    return r;
  });

/** How a Member might write each record into a cell. */
const styleArb = fc.record({
  lang: fc.constantFrom<Lang>('en', 'fr', 'es'),
  dateAsText: fc.boolean(),
  numbersAsText: fc.boolean(),
  alpha3: fc.boolean(),
  titleRows: fc.integer({ min: 0, max: 3 }),
});

function cellFor(
  r: SeizureRecord,
  key: FieldKey,
  s: { lang: Lang; dateAsText: boolean; numbersAsText: boolean; alpha3: boolean },
): ExcelJS.CellValue {
  const v = (r as unknown as Record<string, unknown>)[key];
  if (v === undefined) return null;
  const def = FIELDS.find((f) => f.key === key)!;
  if (def.vocab) return VOCABS[def.vocab].label(v as string, s.lang);
  switch (key) {
    case 'reporting_member':
      return s.alpha3 ? 'FRA' : 'fr';
    case 'seizure_date': {
      const [y, m, d] = (v as string).split('-');
      return s.dateAsText ? `${d}/${m}/${y}` : new Date(`${v}T00:00:00Z`);
    }
    case 'quantity':
    case 'estimated_value': {
      const n = v as number;
      // French-style text: no-break space thousands, decimal comma (unambiguous with the grouping).
      if (!s.numbersAsText) return n;
      const [int, frac] = String(n).split('.');
      const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
      return frac ? `${grouped},${frac}` : grouped;
    }
    case 'transit_countries':
      return (v as string[]).join(' / ');
    case 'hs_code':
      return `${(v as string).slice(0, 4)}.${(v as string).slice(4)}`;
    default:
      return typeof v === 'number' ? v : String(v);
  }
}

test('any valid record written to a workbook, in any language and style, reads back as the same record', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(recordArb, { minLength: 1, maxLength: 12, selector: (r) => `${r.case_ref}\u0000${r.line_no}` }),
      styleArb,
      async (records, style) => {
        const wb = new ExcelJS.Workbook();
        const ws = wb.addWorksheet('Data');
        for (let i = 0; i < style.titleRows; i++) ws.addRow([`Operation STOP II — ${i}`]);
        ws.addRow(FIELDS.map((f) => f.labels[style.lang]));
        for (const r of records) ws.addRow(FIELDS.map((f) => cellFor(r, f.key, style)));
        const buf = Buffer.from(await wb.xlsx.writeBuffer());
        const out: SeizureRecord[] = [];
        const report = await validateSpreadsheet(bufferByteSource('p.xlsx', buf), {
          config,
          member: MEMBER,
          today: '2026-11-28',
          onRecord: (r) => void out.push(r),
        });
        assert.equal(exitCodeOf(report), 0, JSON.stringify(report.errors.slice(0, 3)));
        assert.deepEqual(
          out.map(({ source: _s, ...r }) => r),
          records.map(({ source: _s, ...r }) => r),
        );
        assert.deepEqual(
          out.map((r) => r.source.row),
          records.map((_, i) => style.titleRows + 2 + i),
        );
      },
    ),
    { numRuns: 60 },
  );
});
