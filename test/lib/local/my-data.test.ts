/**
 * GET /api/my-data on the local cloud, through the local portal server: a Member's stored lines as the upload template
 * of its language (xlsx) and as CSV; only its own, ever; exactly the lines the store's heads name (a corrected case
 * has its new lines only); the file validates with 0 errors in `seizures validate`; and sent back unchanged it stores
 * nothing new (every case replaced by the same lines).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { loadOperationConfig, PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import { myData } from '../../../functions/core/portal/my-data.ts';
import { HttpError } from '../../../functions/core/portal/http.ts';
import { HeadedLineReader } from '../../../functions/core/store/headed.ts';
import { SHEET_NAMES } from '../../../functions/core/validation/template.ts';
import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { FIELDS } from '../../../functions/core/vocabulary/schema.ts';
import { portalCloud, USERS, type PortalCloud } from '../../functions/web/helpers.ts';
import { CLI, NODE } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let pc: PortalCloud;
let fr: string;
let de: string;
let analyst: string;
let dir: string;

const HEADER = FIELDS.map((d) => d.labels.en).join(',');
/** A row by column key (English labels for coded values, as a Member might write them). */
const row = (v: Partial<Record<(typeof FIELDS)[number]['key'], string | number>>) =>
  FIELDS.map((d) => {
    const s = v[d.key] === undefined ? '' : String(v[d.key]);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',');
const base = { category: 'Medicines', product: 'Ivermectin', unit: 'Pieces', transport_mode: 'Air cargo', infringement_type: 'Falsified' };

/** Every column filled somewhere: accents, a comma and quotes, 3 decimals, transit lists, HS codes, two phases. */
const FR_FILE = [
  HEADER,
  row({
    ...base,
    reporting_member: 'FR',
    case_ref: 'FR-1',
    line_no: 1,
    seizure_date: '2021-06-15',
    quantity: 1200,
    location: 'Roissy, terminal "2E"',
    location_type: 'Airport',
    direction: 'Import',
    description: 'Comprimés 6 mg — boîtes',
    brand: 'Stromectol',
    hs_code: '30049000',
    estimated_value: 1234.5,
    currency: 'EUR',
    origin_country: 'IN',
    departure_country: 'AE',
    destination_country: 'FR',
    transit_countries: 'AE TR',
    concealment_method: 'Misdescribed',
    detection_method: 'Risk profiling',
    remarks: 'Contrôle = suite à un signalement; colis n°3',
  }),
  row({ ...base, reporting_member: 'FR', case_ref: 'FR-1', line_no: 2, seizure_date: '2021-06-15', product: 'Doxycycline', quantity: 40 }),
  row({ ...base, reporting_member: 'FR', case_ref: 'FR-2', line_no: 1, seizure_date: '2021-11-02', unit: 'Kilograms', quantity: 2.125 }),
  row({ ...base, reporting_member: 'FR', case_ref: 'FR-2', line_no: 2, seizure_date: '2021-11-02', quantity: 7 }),
  row({ ...base, reporting_member: 'FR', case_ref: 'FR-3', line_no: 1, seizure_date: '2022-03-01', unit: 'Kilograms', quantity: '1.2340' }),
].join('\n');
/** A later file correcting case FR-2: one line instead of two. */
const FR_CORRECTION = [
  HEADER,
  row({ ...base, reporting_member: 'FR', case_ref: 'FR-2', line_no: 1, seizure_date: '2021-11-02', unit: 'Kilograms', quantity: 3.5 }),
].join('\n');
const DE_FILE = [
  HEADER,
  row({ ...base, reporting_member: 'DE', case_ref: 'DE-SECRET', line_no: 1, seizure_date: '2021-06-20', quantity: 555 }),
].join('\n');

beforeAll(async () => {
  pc = await portalCloud();
  dir = await mkdtemp(join(tmpdir(), 'my-data-'));
  [fr, de, analyst] = await Promise.all([pc.token(USERS.fr.email), pc.token(USERS.de.email), pc.token(USERS.analyst.email)]);
  await upload(fr, 'saisies.csv', FR_FILE);
  await upload(fr, 'correction.csv', FR_CORRECTION);
  await upload(de, 'seizures.csv', DE_FILE);
});
afterAll(async () => {
  await pc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = async (path: string, token?: string) => {
  const res = await fetch(`${pc.url}/api/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, json };
};

async function upload(token: string, fileName: string, body: string | Buffer) {
  const res = await fetch(`${pc.url}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fileName, size: body.length }),
  });
  const target = (await res.json()) as { url: string; fields: Record<string, string>; key: string };
  assert.equal(res.status, 200, JSON.stringify(target));
  const form = new FormData();
  for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
  form.append('file', new Blob([body]), fileName);
  const posted = await fetch(target.url, { method: 'POST', body: form });
  assert.equal(posted.status, 204, await posted.text());
  await pc.cloud.waitForIdle(60_000);
  const list = await get('submissions', token);
  const s = list.json.submissions.find((x: { objectKey: string }) => x.objectKey === target.key);
  assert.ok(s, `no submission for ${target.key}`);
  return s;
}

/** The Member's lines as the phase close counts them (fenced), without where each came from, in a stable order. */
async function storedLines(member: string): Promise<Omit<SeizureRecord, 'source'>[]> {
  const reader = new HeadedLineReader({ client: pc.dynamo, tableName: pc.cloud.tableName }).session();
  const out: Omit<SeizureRecord, 'source'>[] = [];
  for (const phase of [1, 2, 3]) for await (const { source: _source, ...r } of reader.linesOf(phase, member)) out.push(r);
  return out.sort((a, b) => `${a.case_ref}#${a.line_no}`.localeCompare(`${b.case_ref}#${b.line_no}`));
}

async function sheetRows(bytes: Buffer): Promise<{ name: string; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((r) => {
    rows.push(FIELDS.map((_, i) => String(r.getCell(i + 1).text ?? '')));
  });
  return { name: ws.name, rows };
}

/** `seizures validate FILE --format json --records OUT`: exit code, report, records. */
async function validate(file: string) {
  const records = `${file}.ndjson`;
  const child = spawn(NODE, ['--import', 'tsx', CLI, 'validate', file, '--format', 'json', '--records', records], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  assert.ok(out, err);
  const lines = (await readFile(records, 'utf8')).split('\n').filter(Boolean);
  return { code, report: JSON.parse(out), records: lines.map((l) => JSON.parse(l) as SeizureRecord) };
}

describe('a Member downloads its own lines', () => {
  test('xlsx: the template of its language (French for FR), the counted lines only, labels in French', async () => {
    const r = await get('my-data?format=xlsx', fr);
    assert.equal(r.status, 200, r.bytes.toString());
    assert.match(r.headers.get('content-type')!, /spreadsheetml/);
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="stop-ii-FR-fr.xlsx"');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const { name, rows } = await sheetRows(r.bytes);
    assert.equal(name, SHEET_NAMES.fr.data);
    assert.deepEqual(
      rows[0],
      FIELDS.map((d) => d.labels.fr + (d.required ? ' *' : '')),
    );
    // FR-2 as corrected: one line, 3.5 kg; FR-2's second line is no longer counted, so it is not in the file.
    const cases = rows.slice(1).map((x) => `${x[1]}#${x[2]}`);
    assert.deepEqual(cases, ['FR-1#1', 'FR-1#2', 'FR-2#1', 'FR-3#1']);
    assert.ok(!rows.flat().some((c) => c.includes('DE')), 'no line of another Member');
    const first = rows[1]!;
    const col = (k: string) => FIELDS.findIndex((d) => d.key === k);
    assert.equal(first[col('category')], 'Médicaments');
    assert.equal(first[col('product')], 'Ivermectine');
    assert.equal(first[col('transport_mode')], 'Fret aérien');
    assert.equal(first[col('location')], 'Roissy, terminal "2E"');
    assert.equal(first[col('transit_countries')], 'AE TR');
    assert.equal(rows[3]![col('unit')], 'Kilogrammes');
  });

  test('CSV: the same header and cells, UTF-8 with a BOM; lang= chooses the language', async () => {
    const r = await get('my-data?format=csv&lang=es', fr);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/csv/);
    assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = r.bytes.toString('utf8').slice(1);
    const lines = text.trimEnd().split('\r\n');
    assert.equal(lines.length, 5);
    assert.ok(lines[0]!.startsWith('Miembro declarante *,'));
    assert.ok(lines[1]!.includes('"Roissy, terminal ""2E"""'));
    assert.ok(lines[1]!.includes(',Medicamentos,'));
    // 1.234 kg: written 1.2340, since "1.234" could be read as one thousand two hundred and thirty-four.
    assert.ok(lines[4]!.includes(',1.2340,Kilogramos,'), lines[4]);
    assert.ok(!text.includes('DE-SECRET'));
  });

  test("another Member's lines never appear; naming another Member is 403; analysts name one", async () => {
    const deFile = await get('my-data?format=csv', de);
    assert.equal(deFile.status, 200);
    assert.ok(deFile.bytes.toString().includes('DE-SECRET'));
    assert.ok(!deFile.bytes.toString().includes('FR-'), "DE's download has none of FR's lines");
    const other = await get('my-data?format=csv&member=DE', fr);
    assert.equal(other.status, 403);
    assert.equal(other.json.error, 'forbidden');
    assert.equal((await get('my-data?format=csv&member=FR', fr)).status, 200);
    const noMember = await get('my-data?format=csv', analyst);
    assert.equal(noMember.status, 400);
    assert.equal(noMember.json.error, 'member-required');
    assert.equal((await get('my-data?format=csv&member=ZZ', analyst)).json.error, 'unknown-member');
    const forDe = await get('my-data?format=csv&member=DE', analyst);
    assert.equal(forDe.status, 200);
    assert.ok(forDe.bytes.toString().includes('DE-SECRET') && !forDe.bytes.toString().includes('FR-'));
    assert.equal(forDe.headers.get('content-disposition'), 'attachment; filename="stop-ii-DE-en.csv"', 'the named Member’s language');
    // A Member with no line gets no empty template (sent back, that would be a nil return): 404 no-lines.
    const none = await get('my-data?member=MX', analyst);
    assert.equal(none.status, 404);
    assert.equal(none.json.error, 'no-lines');
    assert.equal((await get('my-data?format=pdf', fr)).json.error, 'bad-format');
    assert.equal((await get('my-data?lang=de', fr)).json.error, 'bad-lang');
    assert.equal((await get('my-data?phase=9', fr)).json.error, 'bad-phase');
    assert.equal((await get('my-data')).status, 401);
    const phase2 = await get('my-data?format=csv&phase=2', fr);
    assert.deepEqual(
      phase2.bytes
        .toString()
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
      ['FR-2'],
    );
  });

  test('past the line limit: 413 too-many-lines, saying how many', async () => {
    const deps = { dynamo: pc.dynamo, tableName: pc.cloud.tableName, config: loadOperationConfig(), maxLines: 3 };
    const caller = { member: 'FR', analyst: false, email: undefined, sub: 'x', username: 'x' };
    await assert.rejects(myData(deps, caller, { format: 'csv' }), (e: unknown) => {
      assert.ok(e instanceof HttpError);
      assert.equal(e.status, 413);
      assert.equal(e.code, 'too-many-lines');
      assert.match(e.message, /^4 lines .*\(phase=n\)$/);
      return true;
    });
    assert.equal((await myData(deps, caller, { format: 'csv', phase: '1' })).status, 200);
  });
});

describe('the download goes back in as it is', () => {
  for (const format of ['xlsx', 'csv'] as const)
    test(`${format}: validates with 0 errors, and uploaded unchanged stores nothing new`, async () => {
      const r = await get(`my-data?format=${format}`, fr);
      const file = join(dir, `mine.${format}`);
      await writeFile(file, r.bytes);
      const before = await storedLines('FR');
      assert.equal(before.length, 4);

      const v = await validate(file);
      assert.equal(v.code, 0, JSON.stringify(v.report).slice(0, 2000));
      assert.equal(v.report.valid, true);
      assert.deepEqual(v.report.errors, []);
      assert.deepEqual(v.report.warnings, []);
      assert.equal(v.report.stats.errors, 0);
      assert.equal(v.report.stats.validRows, 4);
      assert.equal(v.report.stats.invalidRows, 0);
      assert.equal(v.report.language, 'fr');
      const read = v.records
        .map(({ source: _s, ...x }) => x)
        .sort((a, b) => `${a.case_ref}#${a.line_no}`.localeCompare(`${b.case_ref}#${b.line_no}`));
      assert.deepEqual(read, before, 'the validator reads back the stored lines');

      const s = await upload(fr, `mine.${format}`, r.bytes);
      assert.equal(s.status, 'accepted');
      // Same cases, same lines: every case it holds was already stored and is replaced; none new, none withdrawn.
      assert.deepEqual(
        { ...s.stored, replacedFiles: undefined },
        { written: 4, withdrawn: 0, supersededCases: 0, storedCases: 3, replacedCases: 3, withdrawnCases: 0, replacedFiles: undefined },
      );
      assert.deepEqual(await storedLines('FR'), before, 'the table holds the same lines');
    });
});
