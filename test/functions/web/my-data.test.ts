/**
 * "Download my data" in a real browser (chromium, phone 412 px wide) on the local cloud: in English, French and
 * Spanish the button on the uploads page saves the Member's lines as the template of the page's language (its own
 * lines only); the CSV button saves the same lines; an analyst picks the Member first; and the downloaded workbook,
 * sent back unchanged through the upload page, replaces every case with the same lines (nothing new stored).
 * Its screenshot (UPDATE_SCREENSHOTS=1) is shown in the README.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { HeadedLineReader } from '../../../functions/core/store/headed.ts';
import { SHEET_NAMES } from '../../../functions/core/validation/template.ts';
import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { FIELDS } from '../../../functions/core/vocabulary/schema.ts';
import { LANGS, WORDS, type Lang } from '../../../functions/web/src/i18n.ts';
import { csv } from '../../lib/local/helpers.ts';
import { launchChromium, PASSWORD, PHONE, portalCloud, USERS, type PortalCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('./screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'my-data-shots-'));
/** A mid-size Android phone (412 px: Pixel 7, Galaxy S2x). */
const PHONE_412 = { ...PHONE, viewport: { width: 412, height: 915 } } as const;
const LOCALE: Record<Lang, string> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES' };

let pc: PortalCloud;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function apiUpload(email: string, fileName: string, body: string): Promise<void> {
  const token = await pc.token(email);
  const res = await fetch(`${pc.url}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fileName, size: body.length }),
  });
  const target = (await res.json()) as { url: string; fields: Record<string, string> };
  const form = new FormData();
  for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
  form.append('file', new Blob([body]), fileName);
  assert.equal((await fetch(target.url, { method: 'POST', body: form })).status, 204);
  await pc.cloud.waitForIdle(60_000);
}

beforeAll(async () => {
  [pc, browser] = await Promise.all([portalCloud(), launchChromium()]);
  // FR: 12 lines in 6 cases (two lines each); DE: 3 lines that FR must never get.
  await apiUpload(USERS.fr.email, 'semaine 1.csv', csv('FR', 12, { prefix: 'F', perCase: 2 }));
  await apiUpload(USERS.de.email, 'week 1.csv', csv('DE', 3, { prefix: 'GERMAN' }));
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await pc?.close();
});

async function open(path: string, lang: Lang, email: string): Promise<Page> {
  const context = await browser.newContext({ ...PHONE_412, locale: LOCALE[lang], acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${pc.url}${path}`);
  const t = WORDS[lang];
  await page.getByLabel(t.email).fill(email);
  await page.getByLabel(t.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await page.getByRole('navigation').waitFor();
  (page as Page & { problems: string[] }).problems = problems;
  return page;
}

async function save(page: Page, button: RegExp | string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
}

async function workbook(bytes: Buffer): Promise<{ sheet: string; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((r) => {
    rows.push(FIELDS.map((_, i) => r.getCell(i + 1).text));
  });
  return { sheet: ws.name, rows };
}

async function storedLines(member: string): Promise<Omit<SeizureRecord, 'source'>[]> {
  const reader = new HeadedLineReader({ client: pc.dynamo, tableName: pc.cloud.tableName }).session();
  const out: Omit<SeizureRecord, 'source'>[] = [];
  for (const phase of [1, 2, 3]) for await (const { source: _s, ...r } of reader.linesOf(phase, member)) out.push(r);
  return out.sort((a, b) => `${a.case_ref}#${a.line_no}`.localeCompare(`${b.case_ref}#${b.line_no}`));
}

describe('a Member downloads its data on a phone', () => {
  for (const lang of LANGS)
    test(`(${lang}) the button saves the template of the page's language with the Member's lines only`, async () => {
      const t = WORDS[lang];
      const page = await open(`/submissions?lang=${lang}`, lang, USERS.fr.email);
      await page.getByRole('heading', { name: t.myData }).waitFor();
      const { name, bytes } = await save(page, `${t.myData} (.xlsx)`);
      assert.equal(name, `stop-ii-FR-${lang}.xlsx`);
      const { sheet, rows } = await workbook(bytes);
      assert.equal(sheet, SHEET_NAMES[lang].data);
      assert.deepEqual(
        rows[0],
        FIELDS.map((d) => d.labels[lang] + (d.required ? ' *' : '')),
      );
      assert.equal(rows.length, 13);
      assert.ok(
        rows.slice(1).every((r) => r[0] === 'FR' && r[1]!.startsWith('F-')),
        'FR lines only',
      );
      // Within the phone's width: the card and its buttons do not make the page scroll sideways.
      assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 412);
      if (lang === 'fr') {
        const csvFile = await save(page, t.myDataCsv);
        assert.equal(csvFile.name, 'stop-ii-FR-fr.csv');
        assert.equal(csvFile.bytes.toString('utf8').trimEnd().split('\r\n').length, 13);
        const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        assert.deepEqual(
          r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
          [],
        );
        await page.getByRole('heading', { name: t.myData }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, 'my-data-phone-fr.png') });
      }
      assert.deepEqual((page as Page & { problems: string[] }).problems, []);
    });

  test('(en) an analyst chooses the Member, then downloads its data', async () => {
    const t = WORDS.en;
    const page = await open('/submissions?lang=en', 'en', USERS.analyst.email);
    await page.getByRole('heading', { name: t.myDataMember }).waitFor();
    await page.getByText(t.myDataChoose).waitFor();
    // A Member with no line: said in words, no file.
    await page.getByLabel(t.member, { exact: true }).selectOption('MX');
    await page.getByRole('button', { name: `${t.myDataMember} (.xlsx)` }).click();
    await page.getByText(t.myDataNoneMember).waitFor();
    await page.getByLabel(t.member, { exact: true }).selectOption('DE');
    const { name, bytes } = await save(page, `${t.myDataMember} (.xlsx)`);
    assert.equal(name, 'stop-ii-DE-en.xlsx');
    const { rows } = await workbook(bytes);
    assert.deepEqual(
      rows.slice(1).map((r) => r[1]),
      ['GERMAN-1', 'GERMAN-2', 'GERMAN-3'],
    );
  });

  test('(es) the downloaded workbook, uploaded back unchanged, stores nothing new: the same cases, the same lines', async () => {
    const t = WORDS.es;
    const before = await storedLines('FR');
    assert.equal(before.length, 12);
    const page = await open('/submissions?lang=es', 'es', USERS.fr.email);
    const { name, bytes } = await save(page, `${t.myData} (.xlsx)`);
    await page.getByRole('link', { name: t.upload, exact: true }).click();
    await page.getByLabel(t.file).setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('stored-cases').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('invalid-rows').textContent(), '0');
    assert.equal(await page.getByTestId('valid-rows').textContent(), '12');
    // Every case it holds was stored already and is replaced: none is new, none withdrawn.
    assert.equal(await page.getByTestId('stored-cases').textContent(), '6');
    assert.equal(await page.getByTestId('replaced-cases').textContent(), '6');
    assert.equal(await page.getByTestId('withdrawn-cases').count(), 0);
    assert.deepEqual(await storedLines('FR'), before);
  });
});
