/**
 * The portal in a real browser (playwright-core driving Debian's chromium) on the local cloud: phone and desktop,
 * English, French and Spanish, sign-in, an upload with its progress, the errors shown, the annotated copy downloaded,
 * a Member not seeing another's uploads, an analyst's summary and lineage, and axe-core on every main page (no
 * serious or critical violation). The screenshots of the main pages land in screenshots/ (shown in the README).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { loadOperationConfig } from '../../../functions/core/operation/config.ts';
import { WORDS, type Lang } from '../../../functions/web/src/i18n.ts';
import { CSV_HEADER, csv } from '../../lib/local/helpers.ts';
import { DESKTOP, launchChromium, PASSWORD, PHONE, portalCloud, USERS, type PortalCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

// The README's screenshots are rewritten with UPDATE_SCREENSHOTS=1; otherwise they go to a temporary folder, so that
// \`npm test\` leaves the working tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('./screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'portal-shots-'));
let pc: PortalCloud;
let browser: Browser;
const contexts: BrowserContext[] = [];

// The empty template is a nil return for the phase the upload's day falls in: cdk.json's phases are in 2021-22, so the
// cloud runs them plus one spanning this year (after theirs), the phase an upload made now falls in.
const operation = loadOperationConfig();
const THIS_YEAR = new Date().getUTCFullYear();
const NOW_PHASE = Math.max(...operation.phases.map((p) => p.phase)) + 1;

beforeAll(async () => {
  const phases = [...operation.phases, { phase: NOW_PHASE, start: `${THIS_YEAR}-01-01`, end: `${THIS_YEAR}-12-31` }];
  [pc, browser] = await Promise.all([portalCloud({ operation: { ...operation, phases } }), launchChromium()]);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await pc?.close();
});

async function open(device: typeof PHONE | typeof DESKTOP, path: string, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ ...device, locale, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => process.env.DEBUG_PORTAL && console.log('browser:', m.type(), m.text()));
  page.on('console', (m) => m.type() === 'error' && !/401|404|403|409/.test(m.text()) && problems.push(m.text()));
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(`${pc.url}${path}`);
  return page;
}

async function signIn(page: Page, lang: Lang, email: string): Promise<void> {
  const t = WORDS[lang];
  await page.getByLabel(t.email).fill(email);
  await page.getByLabel(t.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await page.getByRole('navigation').waitFor();
}

async function axe(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `axe on ${what}`,
  );
}

const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

describe('sign-in page', () => {
  for (const lang of ['en', 'fr', 'es'] as const) {
    test(`?lang=${lang} on a phone: the page, its visible labels, no serious accessibility problem`, async () => {
      // The browser says German: ?lang= wins.
      const page = await open(PHONE, `/?lang=${lang}`, 'de-DE');
      const t = WORDS[lang];
      await page.getByRole('heading', { name: t.signIn }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      for (const label of [t.email, t.password]) assert.ok(await page.locator('label', { hasText: label }).isVisible(), label);
      await axe(page, `sign-in (${lang})`);
      if (lang === 'fr') await shot(page, 'sign-in-phone-fr');
    });
  }

  test("the browser's language when there is no ?lang=, English when it is not one of ours", async () => {
    const es = await open(PHONE, '/', 'es-ES');
    await es.getByRole('heading', { name: WORDS.es.signIn }).waitFor();
    const de = await open(PHONE, '/', 'de-DE');
    await de.getByRole('heading', { name: WORDS.en.signIn }).waitFor();
  });

  test('a wrong password is said in words', async () => {
    const page = await open(PHONE, '/?lang=fr');
    await page.getByLabel(WORDS.fr.email).fill(USERS.fr.email);
    await page.getByLabel(WORDS.fr.password).fill('Wrong-passw0rd!!');
    await page.getByRole('button', { name: WORDS.fr.signIn }).click();
    await page.getByRole('alert').filter({ hasText: WORDS.fr.badLogin }).waitFor();
  });
});

describe('a Member officer on a phone', () => {
  let uploadedName: string;

  test('(fr) uploads a file with progress, sees the counts and each error, downloads the annotated copy', async () => {
    const t = WORDS.fr;
    const page = await open(PHONE, '/?lang=fr', 'fr-FR');
    await signIn(page, 'fr', USERS.fr.email);
    await page.getByRole('heading', { name: t.uploadTitle }).waitFor();
    await axe(page, 'upload page (fr)');

    // The browser's own checks first: wrong type, then a good file.
    const input = page.getByLabel(t.file);
    assert.equal(await input.getAttribute('type'), 'file');
    await input.setInputFiles({ name: 'rapport.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
    await page.getByRole('alert').filter({ hasText: t.wrongType }).waitFor();
    assert.ok(await page.getByRole('button', { name: t.send }).isDisabled());

    // Records every value the progress bar shows: a small local upload can finish between two polls.
    // (A string: this file is typechecked without the DOM library.)
    await page.evaluate(`(() => {
      window.seen = [];
      new MutationObserver(() => {
        const p = document.querySelector('progress');
        if (p) window.seen.push(Number(p.getAttribute('value')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    })()`);
    uploadedName = 'semaine 12.csv';
    // ~200 kB: 2 invalid rows among many valid ones, enough bytes for several progress events.
    await input.setInputFiles({ name: uploadedName, mimeType: 'text/csv', buffer: Buffer.from(csv('FR', 2_000, { invalid: 2 })) });
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('invalid-rows').waitFor({ timeout: 90_000 });
    const seen = (await page.evaluate('window.seen')) as number[];
    assert.ok(seen.length >= 1, 'the progress bar was shown');
    assert.equal(Math.max(...seen), 100);

    assert.equal(await page.getByTestId('valid-rows').textContent(), (2_000).toLocaleString('fr'));
    assert.equal(await page.getByTestId('invalid-rows').textContent(), '2');
    const errors = page.locator('ol.errors li');
    assert.equal(await errors.count(), 2);
    assert.match((await errors.first().textContent()) ?? '', /Ligne 2002.*'lots'/s);
    // The file has English headers, so it was checked in English; the page is in French, and so are its messages.
    assert.match(
      (await errors.first().locator('.msg').textContent()) ?? '',
      /^'lots' dans la colonne 'Quantity', ligne 2002 n'est pas un nombre/,
    );

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: t.annotated }).click()]);
    assert.equal(download.suggestedFilename(), 'semaine 12.report.xlsx');
    const file = await download.path();
    assert.equal((await readFile(file)).subarray(0, 2).toString(), 'PK');
    assert.ok((await stat(file)).size > 1000);
    await axe(page, 'upload result (fr)');
    await shot(page, 'upload-result-phone-fr');
    assert.deepEqual((page as Page & { problems: string[] }).problems, []);
  });

  test('(fr) says "nothing to report" for a phase: a labelled phase select, the answer shown, once only', async () => {
    const t = WORDS.fr;
    const page = await open(PHONE, '/?lang=fr', 'fr-FR');
    await signIn(page, 'fr', USERS.fr.email);
    await page.getByRole('heading', { name: t.nilTitle }).waitFor();
    assert.ok(await page.locator('label', { hasText: t.nilPhase }).isVisible());
    // Phase 1: France's seizures uploaded above are stored there, so "nothing to report" is refused, and said so.
    await page.getByLabel(t.nilPhase).selectOption('1');
    await page.getByRole('button', { name: t.nilSend }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: t.nilRefused(1) })
      .waitFor();
    await page.getByLabel(t.nilPhase).selectOption('3');
    await page.getByRole('button', { name: t.nilSend }).click();
    await page
      .getByRole('status')
      .filter({ hasText: t.nilSent(3) })
      .waitFor();
    await page.getByRole('button', { name: t.nilSend }).click();
    await page.getByRole('status').filter({ hasText: 'Déjà enregistré' }).waitFor();
    await axe(page, 'nil return (fr)');
    await shot(page, 'nil-return-phone-fr');
    assert.deepEqual((page as Page & { problems: string[] }).problems, []);
  });

  test('(es) lists past uploads with status and counts, and downloads the template in Spanish', async () => {
    const t = WORDS.es;
    const page = await open(PHONE, '/submissions?lang=es', 'es-ES');
    await signIn(page, 'es', USERS.fr.email);
    await page.getByRole('heading', { name: t.uploads }).waitFor();
    const item = page.locator('ul.list li', { hasText: uploadedName });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', new RegExp(`${t.status.accepted_with_errors}.*2 ${t.invalidRows}`, 's'));
    await axe(page, 'uploads list (es)');
    await shot(page, 'uploads-phone-es');
    await page.getByRole('link', { name: t.upload, exact: true }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: new RegExp(t.template) }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'stop-ii-template-es.xlsx');
  });

  test('(es) sends a corrected file: under the same name alone it withdraws nothing; said to correct the earlier upload, it does', async () => {
    const t = WORDS.es;
    const page = await open(PHONE, '/?lang=es', 'es-ES');
    await signIn(page, 'es', USERS.fr.email);
    await page.getByRole('heading', { name: t.uploadTitle }).waitFor();
    const input = page.getByLabel(t.file);
    // Cases V-1 … V-1200, two lines each, seized in phase 2: apart from the cases and phase the analysts' test reads.
    const name = 'semana 40.csv';
    const rows = (cases: number) => csv('FR', cases * 2, { prefix: 'V', perCase: 2 }).replaceAll('2021-06-15', '2021-10-15');
    await input.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(rows(1_200)) });
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('stored-cases').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('stored-cases').textContent(), (1_200).toLocaleString('es'));
    assert.equal(await page.getByTestId('replaced-files').count(), 0);

    // The corrected version: the same name, without case V-1200. The earlier upload is pointed out, not chosen.
    const corrects = page.getByLabel(t.corrects);
    assert.equal(await corrects.inputValue(), '');
    await input.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(rows(1_199)) });
    await page.getByTestId('corrects-hint').waitFor();
    assert.match((await page.getByTestId('corrects-hint').textContent()) ?? '', /«semana 40\.csv»/);
    assert.equal(await corrects.inputValue(), '', 'no upload is chosen for the Member');
    await axe(page, 'upload form, an earlier upload of the same name pointed out (es)');
    await shot(page, 'corrects-hint-phone-es');
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('replaced-cases').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('valid-rows').textContent(), (2_398).toLocaleString('es'));
    assert.equal(await page.getByTestId('stored-cases').textContent(), (1_199).toLocaleString('es'));
    assert.equal(await page.getByTestId('replaced-cases').textContent(), (1_199).toLocaleString('es'));
    // Not said to correct anything: every upload has its own folder (functions/core/portal/uploads.ts, uploadKey), so the
    // same name is not a new version of the same S3 key, and the case it lacks is not withdrawn: it stays from the earlier file.
    assert.equal(await page.getByTestId('withdrawn-cases').count(), 0);
    const report = page.locator('section.card', { has: page.getByTestId('replaced-cases') });
    assert.match((await report.textContent()) ?? '', new RegExp(`${t.replacedCases}.*${t.replacedFiles}`, 's'));
    // The earlier file by the name the Member gave it and when it came, not by its storage folder.
    const earlier = page.getByTestId('replaced-files').locator('li');
    assert.equal(await earlier.count(), 1);
    assert.match((await earlier.textContent()) ?? '', /^semana 40\.csv \d/);
    await axe(page, 'corrected upload result (es)');
    await shot(page, 'corrected-upload-phone-es');

    // Sent again, now said to correct the first upload (the list is newest first: the first upload is the second
    // choice): a new version of its key, so its case V-1200, which this file no longer has, is withdrawn.
    assert.equal(await corrects.inputValue(), '', 'the choice does not outlive the upload');
    await input.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(rows(1_199)) });
    const choices = corrects.locator('option');
    assert.equal(await choices.first().textContent(), t.correctsNone);
    assert.match((await choices.nth(2).textContent()) ?? '', /^semana 40\.csv · \d/);
    await corrects.selectOption({ index: 2 });
    const effect = page.getByTestId('corrects-effect');
    await effect.waitFor();
    assert.match(
      (await effect.textContent()) ?? '',
      /«semana 40\.csv».*los casos del archivo anterior que este ya no contiene serán retirados/,
    );
    assert.equal(await page.getByTestId('corrects-hint').count(), 0);
    await axe(page, 'upload form, correcting an earlier upload (es)');
    await shot(page, 'corrects-choice-phone-es');
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('withdrawn-cases').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('withdrawn-cases').textContent(), '1');
    assert.equal(await page.getByTestId('stored-cases').textContent(), (1_199).toLocaleString('es'));
    assert.equal(await page.getByTestId('replaced-cases').textContent(), (1_199).toLocaleString('es'));
    // Named: the second upload (its cases replaced) and the first, whose new version this is (its case withdrawn).
    const replaced = await page.getByTestId('replaced-files').locator('li').allTextContents();
    assert.equal(replaced.length, 2, replaced.join(' | '));
    for (const f of replaced) assert.match(f, /^semana 40\.csv \d/);
    assert.notEqual(replaced[0], replaced[1], 'two files of one name told apart by when they came');
    // Nothing to fix: the copy holds only its Summary, and the link does not promise marked errors.
    await page.getByRole('link', { name: t.annotatedClean }).waitFor();
    assert.equal(await page.getByRole('link', { name: t.annotated }).count(), 0);
    await page.getByRole('heading', { name: /^semana 40\.csv/ }).waitFor();
    // The file just sent is not pointed out as an earlier upload of its name, and no upload stays chosen.
    assert.equal(await page.getByTestId('corrects-hint').count(), 0);
    assert.equal(await corrects.inputValue(), '');
    await axe(page, 'correction result (es)');
    await shot(page, 'correction-result-phone-es');

    // The empty template, sent in a phase: accepted as "nothing to report" for it, said on the result.
    await input.setInputFiles({ name: 'nada.csv', mimeType: 'text/csv', buffer: Buffer.from(`${CSV_HEADER}\n`) });
    await page.getByRole('button', { name: t.send }).click();
    await page.getByTestId('nil-return').waitFor({ timeout: 90_000 });
    assert.equal(await page.getByTestId('nil-return').textContent(), t.nilSent(NOW_PHASE));
    assert.equal(await page.locator('#report-title .badge').textContent(), t.status.accepted);
    // Nothing to fix and no rows: not "every row was accepted", and the zero rows to fix not in red.
    assert.equal(await page.getByText(t.noErrors).count(), 0);
    assert.equal(await page.getByRole('heading', { name: t.errors }).count(), 0);
    assert.equal(await page.locator('ul.counts li.bad').count(), 0);
    await axe(page, 'nil return upload result (es)');
    await shot(page, 'nil-upload-phone-es');
    assert.deepEqual((page as Page & { problems: string[] }).problems, []);
  });

  test('(en) another Member sees none of it: not in its list, and 404 for the submission', async () => {
    const page = await open(PHONE, '/submissions?lang=en');
    await signIn(page, 'en', USERS.de.email);
    await page.getByText(WORDS.en.noUploads).waitFor();
    const fr = await pc.token(USERS.fr.email);
    const list = (await (await fetch(`${pc.url}/api/submissions`, { headers: { authorization: `Bearer ${fr}` } })).json()) as {
      submissions: { id: string }[];
    };
    const id = list.submissions[0]!.id;
    await page.goto(`${pc.url}/submissions/${id}?lang=en`);
    await page.getByRole('alert').filter({ hasText: WORDS.en.notFound }).waitFor();
    const de = await pc.token(USERS.de.email);
    assert.equal((await fetch(`${pc.url}/api/submissions/${id}`, { headers: { authorization: `Bearer ${de}` } })).status, 404);
  });
});

describe('an analyst on a desktop', () => {
  test("(en) reads the analysts' summary with its charts, and the lines behind a figure down to the file version", async () => {
    await pc.cloud.closePhase({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-09-01' });
    const t = WORDS.en;
    const page = await open(DESKTOP, '/summaries?lang=en');
    await signIn(page, 'en', USERS.analyst.email);
    const link = page.getByRole('link', { name: `${t.phase} 1 · ${t.final}` });
    await link.click();
    assert.match(page.url(), /\/summaries\/1\/final\?lang=en$/);
    await page.getByText(t.analystsVersion).waitFor();
    assert.ok((await page.locator('figure.chart svg').count()) >= 2, 'server-rendered charts');
    await axe(page, 'summary (analysts)');
    await shot(page, 'summary-desktop-en');

    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: t.lineage }).waitFor();
    const rows = page.locator('table.lineage tbody tr');
    assert.equal(await rows.count(), 100);
    const first = (await rows.first().locator('td').allTextContents()).join(' | ');
    assert.match(first, /^FR \| semaine 12\.csv \| .+ \| \d+ \| C-\d+ #\d+ \| 2021-06-15/);
    await page
      .getByRole('status')
      .filter({ hasText: /100 of 2000 lines shown/ })
      .waitFor();
    await axe(page, 'lineage');
    await shot(page, 'lineage-desktop-en', false);
  });

  test('(fr) a Member on a desktop reads the NCP version in French', async () => {
    const page = await open(DESKTOP, '/summaries/1/final?lang=fr');
    await signIn(page, 'fr', USERS.fr.email);
    await page.getByText(WORDS.fr.ncpVersion).waitFor();
    assert.equal(await page.getByText(WORDS.fr.linesBehind).count(), 0);
    await axe(page, 'summary (ncp, fr)');
  });
});
