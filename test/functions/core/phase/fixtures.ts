/**
 * Test support for the phase close: a small operation, hand-built lines with known totals, and a sorter into the
 * byPhase index order. Not a test file itself.
 */
import { parseOperationConfig, type OperationConfig } from '../../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { compareIndexOrder } from '../../../../functions/core/phase/aggregate.ts';
import type { PhaseCloseInput } from '../../../../functions/core/phase/input.ts';

export const CONFIG: OperationConfig = parseOperationConfig({
  id: 'stop-ii',
  name: 'Operation STOP II',
  phases: [
    { phase: 1, start: '2021-05-03', end: '2021-06-27' },
    { phase: 2, start: '2021-06-28', end: '2021-08-22' },
  ],
  members: [
    { code: 'FR', language: 'fr', ncpEmail: 'ncp.fr@customs.example.org' },
    { code: 'DE', ncpEmail: 'ncp.de@customs.example.org' },
    { code: 'ES', language: 'es', ncpEmail: 'ncp.es@customs.example.org' },
    { code: 'NL' },
  ],
  analysts: ['analysts@stop-ii.example.org'],
  mailFrom: 'stop-ii@stop-ii.example.org',
});

export const FINAL_2: PhaseCloseInput = { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2021-08-23' };

let row = 10;
/** A line; `over` replaces fields. */
export const L = (
  over: Partial<SeizureRecord> & Pick<SeizureRecord, 'reporting_member' | 'case_ref' | 'line_no' | 'seizure_date'>,
): SeizureRecord => {
  const phase = over.seizure_date <= '2021-06-27' ? 1 : 2;
  return {
    phase,
    category: 'medicine',
    product: 'paracetamol',
    quantity: 100,
    unit: 'pieces',
    transport_mode: 'air_cargo',
    infringement_type: 'counterfeit',
    source: { file: `${over.reporting_member}-week.xlsx`, sheet: 'Seizures', row: row++ },
    ...over,
  };
};

/** Lines in the byPhase index order (per Member, case_ref then line_no in UTF-8 order); phases interleaved per Member. */
export const sorted = (lines: readonly SeizureRecord[]): SeizureRecord[] => [...lines].sort(compareIndexOrder);

export async function* asyncOf<T>(xs: Iterable<T>): AsyncGenerator<T> {
  for (const x of xs) yield x;
}

/**
 * The hand-built set: FR, DE and ES in two phases. Known totals are stated in SMALL_TOTALS.
 * Phase 2: 9 lines; cases FR {F-1 (2 lines), F-2}, DE {D-1 (3 lines)}, ES {E-1, E-2 =remark case}.
 */
export const SMALL: SeizureRecord[] = [
  // phase 1
  L({
    reporting_member: 'FR',
    case_ref: 'F-1',
    line_no: 1,
    seizure_date: '2021-05-04',
    quantity: 1000,
    origin_country: 'IN',
    destination_country: 'FR',
    location: 'Roissy CDG',
    remarks: 'SECRET-REMARK-FR',
  }),
  L({
    reporting_member: 'FR',
    case_ref: 'F-9',
    line_no: 1,
    seizure_date: '2021-05-20',
    quantity: 50,
    unit: 'packs',
    product: 'ivermectin',
  }),
  L({
    reporting_member: 'DE',
    case_ref: 'D-0',
    line_no: 1,
    seizure_date: '2021-06-01',
    quantity: 2.5,
    unit: 'kg',
    product: 'tramadol',
    origin_country: 'IN',
  }),
  // phase 2
  // F-1 has lines in both phases: one case cumulatively.
  L({
    reporting_member: 'FR',
    case_ref: 'F-1',
    line_no: 2,
    seizure_date: '2021-06-29',
    quantity: 200,
    origin_country: 'IN',
    destination_country: 'FR',
    estimated_value: 150,
    currency: 'EUR',
  }),
  L({
    reporting_member: 'FR',
    case_ref: 'F-1',
    line_no: 3,
    seizure_date: '2021-06-29',
    quantity: 3,
    unit: 'litres',
    product: 'other_medicine',
    origin_country: 'CN',
    concealment_method: 'misdescribed',
  }),
  L({
    reporting_member: 'FR',
    case_ref: 'F-2',
    line_no: 1,
    seizure_date: '2021-07-06',
    quantity: 40,
    unit: 'doses',
    category: 'vaccine',
    product: 'covid19_vaccine',
    estimated_value: 10.5,
    currency: 'EUR',
    location: 'Port of Le Havre',
  }),
  L({
    reporting_member: 'DE',
    case_ref: 'D-1',
    line_no: 1,
    seizure_date: '2021-07-07',
    quantity: 500,
    origin_country: 'CN',
    departure_country: 'HK',
    transit_countries: ['AE'],
    destination_country: 'DE',
    transport_mode: 'postal',
    estimated_value: 99,
    currency: 'USD',
  }),
  L({
    reporting_member: 'DE',
    case_ref: 'D-1',
    line_no: 2,
    seizure_date: '2021-07-07',
    quantity: 1.25,
    unit: 'kg',
    product: 'tramadol',
    origin_country: 'CN',
    transport_mode: 'postal',
  }),
  L({
    reporting_member: 'DE',
    case_ref: 'D-1',
    line_no: 3,
    seizure_date: '2021-07-07',
    quantity: 10,
    unit: 'packs',
    product: 'ivermectin',
    origin_country: 'CN',
    transport_mode: 'postal',
    detection_method: 'x_ray',
  }),
  L({
    reporting_member: 'ES',
    case_ref: 'E-1',
    line_no: 1,
    seizure_date: '2021-08-02',
    quantity: 7,
    unit: 'pieces',
    category: 'medical_device',
    product: 'test_kit',
    origin_country: 'CN',
    estimated_value: 20,
  }),
  L({
    reporting_member: 'ES',
    case_ref: '=HYPERLINK("http://evil.example")',
    line_no: 1,
    seizure_date: '2021-08-03',
    quantity: 1,
    remarks: 'SECRET-REMARK-ES',
    location: 'Algeciras',
  }),
];

/** What SMALL must give for phase 2 (final) and cumulatively. */
export const SMALL_TOTALS = {
  phase2: {
    lines: 8,
    cases: 5,
    units: 200 + 40 + 500 + 10 + 7 + 1,
    pieces: 200 + 500 + 7 + 1,
    doses: 40,
    packs: 10,
    kg: 1.25,
    litres: 3,
    reporting: 3,
  },
  cumulative: { lines: 11, cases: 7, units: 1000 + 50 + 758, kg: 3.75, litres: 3 },
  value: { EUR: 160.5, USD: 99, XXX: 20 },
};

/** Every entry of a zip (an xlsx) as text, by name. */
export async function unzipText(buf: Buffer): Promise<Map<string, string>> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (entry: import('yauzl').Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
