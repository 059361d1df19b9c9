import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

let dir: string;
const HEADER = 'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-validate-'));
  await writeFile(
    join(dir, 'good.csv'),
    `${HEADER}\nFR,C-1,2021-06-15,Medicines,Ivermectin,1200,Pieces,Air cargo,Falsified\nFR,C-1,2021-06-15,Medical devices,Face mask,50,Packs,Air cargo,Counterfeit\n`,
  );
  await writeFile(
    join(dir, 'mixed.csv'),
    `${HEADER}\nFR,C-1,2021-06-15,Medicines,Ivermectin,1200,Pieces,Air cargo,Falsified\nFR,C-2,31/02/2021,Medicines,Aspirine,5,Pieces,Air cargo,Falsified\n`,
  );
  await writeFile(join(dir, 'fake.xlsx'), '%PDF-1.7\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

test('validate exits 0 for a valid file and writes the records as NDJSON', async () => {
  const out = join(dir, 'good.ndjson');
  const r = await runCli(['validate', join(dir, 'good.csv'), '--member', 'FRA', '--records', out, '--today', '2026-01-01']);
  assert.equal(r.code, 0, r.stderr);
  const lines = (await readFile(out, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.reporting_member, l.case_ref, l.line_no, l.product, l.unit, l.phase, l.source.row]),
    [
      ['FR', 'C-1', 1, 'ivermectin', 'pieces', 1, 2],
      ['FR', 'C-1', 2, 'face_mask', 'packs', 1, 3],
    ],
  );
});

test('validate exits 1 when some rows are invalid and prints the Frictionless-shaped JSON report', async () => {
  const r = await runCli(['validate', join(dir, 'mixed.csv'), '--format', 'json', '--lang', 'fr']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(report).slice(0, 6), ['valid', 'file', 'member', 'sheet', 'headerRow', 'format']);
  assert.deepEqual(report.stats, { rows: 2, validRows: 1, invalidRows: 1, blankRows: 0, errors: 2, warnings: 0 });
  assert.deepEqual(
    report.errors.map((e: { type: string; rowNumber: number; fieldName: string; cell: string }) => [
      e.type,
      e.rowNumber,
      e.fieldName,
      e.cell,
    ]),
    [
      ['type-error', 3, 'seizure_date', '31/02/2021'],
      ['constraint-error', 3, 'product', 'Aspirine'],
    ],
  );
  assert.match(report.errors[1].message, /'Aspirine' .* n'est pas une valeur connue de « produit »/);
});

test('validate exits 2 for a rejected file and leaves an empty records file', async () => {
  const out = join(dir, 'fake.ndjson');
  const r = await runCli(['validate', join(dir, 'fake.xlsx'), '--records', out]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /PDF/);
  assert.equal(await readFile(out, 'utf8'), '');
  await assert.rejects(access(`${out}.partial`));
});

test('validate exits 64 on wrong usage', async () => {
  const r = await runCli(['validate', join(dir, 'good.csv'), '--lang', 'de']);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /--lang must be en, fr or es/);
});
