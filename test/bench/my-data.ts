/**
 * "Download my data" (functions/core/portal/my-data.ts): building the xlsx (the template of the Member's language
 * with one row per line) and the CSV of N fully filled lines, beside a floor: JSON.stringify of the same lines (the
 * least any download of them costs). The table read is left out: it is the phase close's fenced read (store/headed.ts),
 * benchmarked there. Cases run in measure.ts's child processes, so each peak RSS is its own.
 */
import { loadOperationConfig } from '../../functions/core/operation/config.ts';
import { MAX_MY_DATA_BYTES, myDataCsv, myDataXlsx } from '../../functions/core/portal/my-data.ts';
import type { SeizureRecord } from '../../functions/core/vocabulary/record.ts';
import type { Case } from './case.ts';

/** N lines with every column filled (the largest a line gets), two lines a case. */
export function fullLines(n: number): SeizureRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    reporting_member: 'FR',
    case_ref: `FR-2021-${String(Math.floor(i / 2)).padStart(6, '0')}`,
    line_no: (i % 2) + 1,
    seizure_date: '2021-06-15',
    phase: 1,
    location: 'Roissy-Charles de Gaulle, terminal 2E',
    location_type: 'airport',
    direction: 'import',
    category: 'medicine',
    product: 'ivermectin',
    description: 'Comprimés 6 mg en plaquettes, boîtes de 20',
    brand: 'Stromectol',
    hs_code: '30049000',
    quantity: 1200 + i,
    unit: 'pieces',
    estimated_value: 1234.5,
    currency: 'EUR',
    origin_country: 'IN',
    departure_country: 'AE',
    destination_country: 'FR',
    transit_countries: ['AE', 'TR'],
    transport_mode: 'air_cargo',
    concealment_method: 'misdescribed',
    detection_method: 'risk_profiling',
    infringement_type: 'falsified',
    remarks: 'Détecté après une alerte de risque sur l’expéditeur',
    source: { file: 'semaine 12.xlsx', sheet: 'Saisies', row: i + 2 },
  }));
}

export const MY_DATA_CASES: Record<string, Case> = {
  async 'my-data-floor'([n]) {
    const lines = fullLines(Number(n));
    return { MB: JSON.stringify(lines).length / 1e6 };
  },
  async 'my-data-xlsx'([n]) {
    const bytes = await myDataXlsx(loadOperationConfig(), fullLines(Number(n)), 'fr');
    return { MB: bytes.length / 1e6, limitMB: MAX_MY_DATA_BYTES / 1e6 };
  },
  async 'my-data-csv'([n]) {
    const bytes = myDataCsv(fullLines(Number(n)), 'fr');
    return { MB: bytes.length / 1e6, limitMB: MAX_MY_DATA_BYTES / 1e6 };
  },
};
