import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { exitCodeOf, validateWorkbook, type ValidateOptions } from '../../../../functions/core/validation/validate.ts';
import { EN_HEADER, enRow, memWorkbook, type Value } from '../../../helpers/workbook.ts';

const config = loadOperationConfig();

async function run(rows: Value[][], opts: Partial<ValidateOptions> = {}, extraSheets: Array<{ name: string; rows: Value[][] }> = []) {
  const records: SeizureRecord[] = [];
  const report = await validateWorkbook(memWorkbook([...extraSheets, { name: 'Data', rows }]), 'fr.xlsx', {
    config,
    today: '2026-11-28',
    onRecord: (r) => void records.push(r),
    ...opts,
  });
  return { report, records };
}

const codes = (r: { errors: Array<{ type: string; code: string; fieldName: string | null }> }) =>
  r.errors.map((e) => `${e.type}/${e.code}/${e.fieldName}`);

test('a valid row becomes a canonical record with line number, phase and source', async () => {
  const { report, records } = await run([EN_HEADER, enRow()]);
  assert.equal(exitCodeOf(report), 0);
  assert.deepEqual(records, [
    {
      reporting_member: 'FR',
      case_ref: 'C-1',
      line_no: 1,
      seizure_date: '2021-06-15',
      phase: 1,
      location: 'FRCDG',
      category: 'medicine',
      product: 'ivermectin',
      hs_code: '300490',
      quantity: 1200,
      unit: 'pieces',
      estimated_value: 350.5,
      currency: 'EUR',
      origin_country: 'IN',
      transit_countries: ['AE', 'TR'],
      transport_mode: 'air_cargo',
      concealment_method: 'misdescribed',
      infringement_type: 'falsified',
      source: { file: 'fr.xlsx', sheet: 'Data', row: 2 },
    },
  ]);
  assert.deepEqual(report.stats, { rows: 1, validRows: 1, invalidRows: 0, blankRows: 0, errors: 0, warnings: 0 });
});

test('lines without a number are numbered 1, 2, 3 in order of appearance of their case', async () => {
  const { records } = await run([EN_HEADER, enRow({ case: 'A' }), enRow({ case: 'B' }), enRow({ case: 'A' }), enRow({ case: 'A' })]);
  assert.deepEqual(
    records.map((r) => `${r.case_ref}${r.line_no}`),
    ['A1', 'B1', 'A2', 'A3'],
  );
});

test('title rows above a French header are skipped and row numbers count them', async () => {
  const fr = [
    'Membre déclarant',
    'Référence du cas',
    'Date de saisie',
    'Catégorie',
    'Produit',
    'Quantité',
    'Unité',
    'Mode de transport',
    "Type d'infraction",
  ];
  const { report, records } = await run([
    ['Opération STOP II — déclaration'],
    [],
    fr,
    ['FRA', 'X 1', '15/06/2021', 'Médicaments', 'Ivermectine', '1 234,5', 'Kilogrammes', 'Fret aérien', 'Contrefaçon'],
  ]);
  assert.equal(report.headerRow, 3);
  assert.equal(report.language, 'fr');
  assert.equal(records[0]!.source.row, 4);
  assert.equal(records[0]!.quantity, 1234.5);
  assert.equal(records[0]!.reporting_member, 'FR');
  assert.equal(records[0]!.unit, 'kg');
});

test('the data sheet is the first sheet whose header has the required columns', async () => {
  const { report } = await run([EN_HEADER, enRow()], {}, [{ name: 'Read me', rows: [['Instructions'], ['Fill the other sheet']] }]);
  assert.equal(report.sheet, 'Data');
});

test('missing required columns are all named in one missing-label error', async () => {
  const { report } = await run([
    ['Reporting Member', 'Case reference', 'Seizure date', 'Quantity'],
    ['FR', 'C', '2021-06-01', 3],
  ]);
  assert.equal(exitCodeOf(report), 2);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0]!.type, 'missing-label');
  for (const col of ['Category', 'Product', 'Unit', 'Mode of transport', 'Infringement type'])
    assert.match(report.errors[0]!.message, new RegExp(col));
});

test('two columns meaning the same field reject the file', async () => {
  const { report } = await run([[...EN_HEADER, 'Produit'], enRow()]);
  assert.equal(exitCodeOf(report), 2);
  assert.equal(report.errors[0]!.type, 'duplicate-label');
  assert.equal(report.errors[0]!.fieldName, 'product');
});

test('unknown extra columns are warnings, not errors', async () => {
  const { report } = await run([
    [...EN_HEADER, 'Officer name'],
    [...enRow(), 'J. Doe'],
  ]);
  assert.equal(exitCodeOf(report), 0);
  assert.equal(report.warnings.length, 1);
  assert.equal(report.warnings[0]!.type, 'extra-label');
  assert.equal(report.warnings[0]!.column, 'S');
});

test('an empty required cell is a missing-cell error naming the column', async () => {
  const { report } = await run([EN_HEADER, enRow({ product: '  ' })]);
  assert.deepEqual(codes(report), ['missing-cell/missing-cell/product']);
  assert.equal(report.errors[0]!.rowNumber, 2);
  assert.match(report.errors[0]!.message, /column 'Product', row 2/);
});

test('an unknown product is reported in the Member language with the accepted values and a suggestion', async () => {
  const { report } = await run([EN_HEADER, enRow({ product: 'Ivermecitn' })], { lang: 'fr' });
  const e = report.errors[0]!;
  assert.equal(e.type, 'constraint-error');
  assert.equal(e.cell, 'Ivermecitn');
  assert.match(e.message, /'Ivermecitn' dans la colonne 'Product', ligne 2/);
  assert.match(e.message, /Prégabaline/);
  assert.match(e.message, /Vouliez-vous dire 'Ivermectine' \?/);
});

test('a product of another category is a constraint error', async () => {
  const { report } = await run([EN_HEADER, enRow({ product: 'Face mask' })]);
  assert.deepEqual(codes(report), ['constraint-error/product-category/product']);
});

test('other products need a goods description', async () => {
  const bad = await run([EN_HEADER, enRow({ product: 'Other medicine' })]);
  assert.deepEqual(codes(bad.report), ['missing-cell/missing-description/description']);
  const good = await run([EN_HEADER, enRow({ product: 'Other medicine', description: 'Sildenafil tablets' })]);
  assert.equal(good.records[0]!.description, 'Sildenafil tablets');
});

test('numbers: a text that is not a number is a type error, an ambiguous one says so', async () => {
  const { report } = await run([EN_HEADER, enRow({ qty: 'lots' }), enRow({ case: 'C-2', qty: '1,234' })]);
  assert.deepEqual(codes(report), ['type-error/not-a-number/quantity', 'type-error/ambiguous-number/quantity']);
  assert.match(report.errors[1]!.message, /1234 or 1\.234/);
});

test('quantities are above zero and whole for pieces, doses and packs', async () => {
  const { report } = await run([
    EN_HEADER,
    enRow({ qty: 0 }),
    enRow({ case: 'C-2', qty: 2.5 }),
    enRow({ case: 'C-3', qty: 2.5, unit: 'kg' }),
  ]);
  assert.deepEqual(codes(report), ['constraint-error/quantity-positive/quantity', 'constraint-error/quantity-whole/quantity']);
});

test('doses are for vaccines only, and vaccines only in doses', async () => {
  const { report } = await run([
    EN_HEADER,
    enRow({ unit: 'Doses' }),
    enRow({ case: 'V', category: 'Vaccines', product: 'COVID-19 vaccine', unit: 'Pieces' }),
    enRow({ case: 'W', category: 'Vacunas', product: 'Vacuna COVID-19', unit: 'Dosis' }),
  ]);
  assert.deepEqual(codes(report), ['constraint-error/doses-vaccines/unit', 'constraint-error/vaccines-doses/unit']);
});

test('an estimated value needs a currency, and the currency must be ISO 4217', async () => {
  const { report } = await run([EN_HEADER, enRow({ currency: null }), enRow({ case: 'C-2', currency: 'EUROS' })]);
  assert.deepEqual(codes(report), ['missing-cell/missing-currency/currency', 'constraint-error/unknown-currency/currency']);
});

test('dates: day-first text, ISO, date cells and Excel serials are read; 31/02/2021 is impossible; month-first is never guessed', async () => {
  const { report, records } = await run([
    EN_HEADER,
    enRow({ case: 'a', date: '03/05/2021' }),
    enRow({ case: 'b', date: new Date(Date.UTC(2021, 4, 3)) }),
    enRow({ case: 'c', date: 44319 }),
    enRow({ case: 'd', date: '31/02/2021' }),
    enRow({ case: 'e', date: '05/13/2021' }),
    enRow({ case: 'f', date: 'May 3rd' }),
  ]);
  assert.deepEqual(
    records.map((r) => r.seizure_date),
    ['2021-05-03', '2021-05-03', '2021-05-03'],
  );
  assert.deepEqual(codes(report), [
    'type-error/impossible-date/seizure_date',
    'type-error/impossible-date/seizure_date',
    'type-error/not-a-date/seizure_date',
  ]);
  assert.match(report.errors[2]!.message, /YYYY-MM-DD, DD\/MM\/YYYY, DD\.MM\.YYYY or DD-MM-YYYY/);
});

test('serial dates follow the workbook date system (1904)', async () => {
  const records: SeizureRecord[] = [];
  await validateWorkbook(memWorkbook([{ name: 'S', rows: [EN_HEADER, enRow({ date: 42857 })] }], { date1904: true }), 'f.xlsx', {
    config,
    today: '2026-01-01',
    onRecord: (r) => void records.push(r),
  });
  assert.equal(records[0]!.seizure_date, '2021-05-03');
});

test('dates outside the phases, or after today, are constraint errors', async () => {
  const { report } = await run([EN_HEADER, enRow({ date: '2020-01-01' }), enRow({ case: 'x', date: '2022-05-04' })], {
    today: '2022-05-03',
  });
  assert.deepEqual(codes(report), ['constraint-error/date-outside-phases/seizure_date', 'constraint-error/date-in-future/seizure_date']);
});

test('rows reporting another Member than the uploader are rejected; alpha-3 codes are normalised', async () => {
  const { report, records } = await run([EN_HEADER, enRow({ member: 'FRA' }), enRow({ case: 'C-9', member: 'DE' })], { member: 'FR' });
  assert.deepEqual(
    records.map((r) => r.reporting_member),
    ['FR'],
  );
  assert.deepEqual(codes(report), ['constraint-error/member-mismatch/reporting_member']);
  assert.match(report.errors[0]!.message, /not the Member uploading this file \(FR\)/);
});

test('the same case line twice: the first stays valid, the later one is a unique-error', async () => {
  const { report, records } = await run([EN_HEADER, enRow({ line: 1 }), enRow({ line: 1, qty: 5 })]);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.quantity, 1200);
  assert.deepEqual(codes(report), ['unique-error/duplicate-line/case_ref']);
  assert.match(report.errors[0]!.message, /already given in row 2/);
  assert.equal(exitCodeOf(report), 1);
});

test('HS codes keep their digits; a number that lost its leading zero is explained', async () => {
  const { report, records } = await run([EN_HEADER, enRow({ hs: '3004 90 00' }), enRow({ case: 'z', hs: 30490 })]);
  assert.equal(records[0]!.hs_code, '30049000');
  assert.match(report.errors[0]!.message, /leading zeros are lost/);
});

test('unknown countries are constraint errors; XX means unknown', async () => {
  const { report, records } = await run([
    EN_HEADER,
    enRow({ origin: 'XX', transit: null }),
    enRow({ case: 'q', origin: 'ZZ' }),
    enRow({ case: 'r', transit: 'AE; QQ' }),
  ]);
  assert.equal(records[0]!.origin_country, 'XX');
  assert.deepEqual(codes(report), [
    'constraint-error/unknown-country/origin_country',
    'constraint-error/unknown-countries/transit_countries',
  ]);
});

test('blank rows are counted, not errors', async () => {
  const { report } = await run([EN_HEADER, enRow(), [], [null, '  '], enRow({ case: 'B' })]);
  assert.equal(report.stats.blankRows, 2);
  assert.equal(report.stats.rows, 2);
  assert.equal(exitCodeOf(report), 0);
});

test('more rows than the limit is a size-error for the file', async () => {
  const rows = [EN_HEADER, ...Array.from({ length: 6 }, (_, i) => enRow({ case: `c${i}` }))];
  const { report } = await run(rows, { limits: { maxRows: 5 } });
  assert.equal(exitCodeOf(report), 2);
  assert.equal(report.errors.at(-1)!.type, 'size-error');
  assert.match(report.errors.at(-1)!.message, /more than 5 seizure rows/);
});

test('a header with no rows below it rejects the file as empty', async () => {
  const { report } = await run([EN_HEADER]);
  assert.equal(exitCodeOf(report), 2);
  assert.equal(report.errors[0]!.type, 'source-error');
});

test('Spanish headers and values validate, and the report is in Spanish', async () => {
  const es = [
    'Miembro declarante',
    'Referencia del caso',
    'Fecha de incautación',
    'Categoría',
    'Producto',
    'Cantidad',
    'Unidad',
    'Modo de transporte',
    'Tipo de infracción',
  ];
  const { report, records } = await run([
    es,
    ['ES', '1', '2022-02-10', 'Dispositivos médicos', 'Guantes usados', '10.000,0', 'Piezas', 'Marítimo', 'Usado'],
    ['ES', '2', '2022-02-10', 'Dispositivos médicos', 'Guantes', 'diez', 'Piezas', 'Marítimo', 'Usado'],
  ]);
  assert.equal(report.language, 'es');
  assert.equal(records[0]!.product, 'used_gloves');
  assert.equal(records[0]!.quantity, 10000);
  assert.match(report.errors[0]!.message, /no es un número/);
});

test('issues past the listing cap are counted but not listed', async () => {
  const rows = [EN_HEADER, ...Array.from({ length: 5 }, (_, i) => enRow({ case: `c${i}`, qty: 'x' }))];
  const { report } = await run(rows, { maxIssues: 2 });
  assert.equal(report.errors.length, 2);
  assert.equal(report.errorsNotListed, 3);
  assert.equal(report.stats.errors, 5);
});
