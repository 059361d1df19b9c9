/**
 * Benchmark inputs, written once and cached under the OS temp directory: template-shaped workbooks with every
 * column filled, as a Member's large upload would be.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { FIELDS } from '../../functions/core/vocabulary/schema.ts';

export const BENCH_DIR = join(tmpdir(), 'seizure-pipeline-bench');

const PRODUCTS: Array<[string, string, string]> = [
  ['Medicines', 'Ivermectin', 'Pieces'],
  ['Medicines', 'Doxycycline', 'Packs'],
  ['Medicines', 'Pregabalin', 'Pieces'],
  ['Medical devices', 'COVID-19 test kit', 'Pieces'],
  ['Medical devices', 'Face mask', 'Pieces'],
  ['Medical devices', 'Used gloves', 'kg'],
  ['Medical devices', 'Hand sanitizer', 'Litres'],
  ['Vaccines', 'COVID-19 vaccine', 'Doses'],
];
const ORIGINS = ['IN', 'CN', 'TR', 'AE', 'NG', 'US', 'BR', 'PK'];
const MODES = ['Air cargo', 'Express courier', 'Postal', 'Sea', 'Road'];

/** One row of values in FIELDS order, deterministic in i. */
export function benchRow(member: string, i: number): Array<string | number | Date | null> {
  const [category, product, unit] = PRODUCTS[i % PRODUCTS.length]!;
  const day = new Date(Date.UTC(2021, 4, 1) + (i % 360) * 86_400_000);
  const values: Record<string, string | number | Date | null> = {
    reporting_member: member,
    case_ref: `CASE-${Math.floor(i / 2)}`,
    line_no: (i % 2) + 1,
    seizure_date: day,
    location: 'FRCDG',
    location_type: 'Airport',
    direction: 'Import',
    category,
    product,
    description: `Consignment ${i} declared as food supplements`,
    brand: i % 3 ? 'Stromectol' : null,
    hs_code: '3004.90',
    quantity: unit === 'kg' || unit === 'Litres' ? 12.5 + (i % 7) : 100 + (i % 900),
    unit,
    estimated_value: 1000 + (i % 5000),
    currency: 'EUR',
    origin_country: ORIGINS[i % ORIGINS.length]!,
    departure_country: ORIGINS[(i + 1) % ORIGINS.length]!,
    destination_country: member,
    transit_countries: 'AE; TR',
    transport_mode: MODES[i % MODES.length]!,
    concealment_method: 'Misdescribed',
    detection_method: 'Risk profiling',
    infringement_type: 'Falsified',
    remarks: i % 10 ? null : 'Seized with the help of the right holder',
  };
  return FIELDS.map((f) => values[f.key] ?? null);
}

/** A template-shaped workbook of `rows` rows, written by exceljs' streaming writer (cached). */
export async function benchWorkbook(rows: number, member = 'FR'): Promise<string> {
  await mkdir(BENCH_DIR, { recursive: true });
  const file = join(BENCH_DIR, `template-${member}-${rows}.xlsx`);
  if (existsSync(file)) return file;
  const tmp = `${file}.partial`;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('Seizures');
  ws.addRow(FIELDS.map((f) => f.labels.en)).commit();
  for (let i = 0; i < rows; i++) {
    const row = ws.addRow(benchRow(member, i));
    row.getCell(4).numFmt = 'yyyy-mm-dd';
    row.commit();
  }
  ws.commit();
  await wb.commit();
  await rename(tmp, file);
  return file;
}
