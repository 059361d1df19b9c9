/**
 * A Member's summary page on a 412 px phone, in English, French and Spanish, with a STOP II-sized phase (the full
 * demo's phase 3, rendered by the phase close's own render and store steps into the local cloud): the page and the
 * full report it links to are in the page's language (no English phrase in French or Spanish, no code), chart text
 * is at least 12 px as drawn, nothing is wider than the screen, and the report and workbook come through the API's
 * 5-minute links only once signed in. The phone screenshots (one per language) land in screenshots/ for the README.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { demoRecords, generateDemo } from '../../../bin/demo/index.ts';
import { loadOperationConfig, type Lang } from '../../../functions/core/operation/config.ts';
import { putJson } from '../../../functions/core/phase/io.ts';
import { aggregateLines } from '../../../functions/core/phase/aggregate.ts';
import { analyse } from '../../../functions/core/phase/analyse.ts';
import { reportPrefix, workPrefixOf } from '../../../functions/core/phase/input.ts';
import { PhaseTable } from '../../../functions/core/phase/items.ts';
import { W } from '../../../functions/core/phase/report-words.ts';
import { renderStep } from '../../../functions/core/phase/render.ts';
import { storeStep } from '../../../functions/core/phase/steps.ts';
import { WORDS } from '../../../functions/web/src/i18n.ts';
import { sorted } from '../core/phase/fixtures.ts';
import { launchChromium, PASSWORD, portalCloud, USERS, type PortalCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 });

const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('./screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'summary-shots-'));
/** The phone the issue names: 412 px wide. */
const PHONE = { viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;
/** A4 at 96 dpi: what a printed page holds. */
const PRINT = { viewport: { width: 794, height: 1123 }, deviceScaleFactor: 1 } as const;

let pc: PortalCloud;
let browser: Browser;
const contexts: BrowserContext[] = [];
const operation = loadOperationConfig();

beforeAll(async () => {
  [pc, browser] = await Promise.all([portalCloud(), launchChromium()]);
  // The demo's phase 3 closed by the workflow's own render and store steps, from its aggregate and analysis.
  const input = { operation: operation.id, phase: 3, mode: 'final' as const, asOf: operation.phases[2]!.end };
  const agg = await aggregateLines(input, operation, sorted(demoRecords(generateDemo(operation))));
  const ctx = { s3: pc.s3, bucket: pc.cloud.bucket, config: operation };
  const work = workPrefixOf(input);
  await putJson(pc.s3, pc.cloud.bucket, `${work}aggregate.json`, agg);
  await putJson(pc.s3, pc.cloud.bucket, `${work}analysis.json`, analyse(input, operation, agg));
  const prefix = reportPrefix(input);
  const r = await renderStep(ctx, input, `${work}aggregate.json`, `${work}analysis.json`, prefix);
  const table = new PhaseTable({ client: pc.dynamo, tableName: pc.cloud.tableName });
  await storeStep({ ...ctx, table }, input, prefix, r.keys, r.signalCount);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await pc?.close();
});

async function open(device: typeof PHONE | typeof PRINT, path: string): Promise<Page> {
  const context = await browser.newContext({ ...device, locale: 'de-DE', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
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

/** English a French or Spanish reader must not meet: the app's and the reports' English phrases, and the issue's. */
function englishPhrases(lang: Lang): string[] {
  const out = new Set(['New route', 'Units by category', 'Face mask', 'Spain', 'Germany', 'Other (', 'seizure lines', 'first seen']);
  const walk = (en: unknown, other: unknown) => {
    if (typeof en === 'string') {
      if (en.includes(' ') && en.length >= 8 && en !== other) out.add(en);
    } else if (en && typeof en === 'object' && typeof en !== 'function') {
      for (const k of Object.keys(en)) walk((en as Record<string, unknown>)[k], (other as Record<string, unknown>)?.[k]);
    }
  };
  walk(WORDS.en, WORDS[lang]);
  walk(W.en, W[lang]);
  return [...out];
}

/** What the page shows that a reader should not have to: codes, sideways scrolling, chart text under 12 px. */
async function problems(page: Page): Promise<{ codes: string[]; overflow: number; smallest: number; charts: number }> {
  // Run in the page (a string: the tests' TypeScript has no DOM types).
  return page.evaluate(`(() => {
    const text = document.body.innerText;
    const codes = [...new Set(text.match(/\\b[a-z]+(?:_[a-z0-9]+)+\\b/g) ?? [])];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    let smallest = Infinity;
    const svgs = [...document.querySelectorAll('svg[viewBox]')];
    for (const svg of svgs) {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      for (const t of svg.querySelectorAll('text')) {
        if (!t.textContent.trim()) continue;
        smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
      }
    }
    return { codes, overflow, smallest, charts: svgs.length };
  })()`);
}

describe('the summary page of a STOP II-sized phase on a 412 px phone', () => {
  for (const lang of ['en', 'fr', 'es'] as const) {
    test(`(${lang}) in the page's language, no code, chart text >= 12 px, no sideways scroll; the report and workbook through the API`, async () => {
      const t = WORDS[lang];
      const page = await open(PHONE, `/summaries/3/final?lang=${lang}`);
      await signIn(page, lang, USERS.de.email);
      await page.getByText(t.ncpVersion).waitFor();
      await page.locator('figure.chart svg').first().waitFor();
      const p = await problems(page);
      assert.deepEqual(p.codes, [], 'codes on the page');
      assert.ok(p.overflow <= 0, `the page is ${p.overflow} px wider than the phone`);
      assert.ok(p.charts >= 3, `${p.charts} charts`);
      assert.ok(p.smallest >= 12, `chart text of ${p.smallest.toFixed(1)} px`);
      const text = String(await page.evaluate('document.body.innerText'));
      // The Member's own name, the chart titles and the signals in the page's language.
      assert.ok(text.includes({ en: 'Germany', fr: 'Allemagne', es: 'Alemania' }[lang]), 'the Member in the language');
      assert.ok(text.includes(W[lang].chart.perWeek), 'chart title');
      // Its own row, which no NCP table shows (disclosure control), for its eyes only.
      assert.ok(text.includes(t.yourMember({ en: 'Germany', fr: 'Allemagne', es: 'Alemania' }[lang])), 'own row');
      if (lang !== 'en')
        assert.deepEqual(
          englishPhrases(lang).filter((x) => text.includes(x)),
          [],
          'English on the page',
        );
      // No serious accessibility problem (axe-core, WCAG 2.1 AA), as on every other page of the portal.
      const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
        [],
        'axe',
      );
      // The first two screens: the title, the links, the signals and the first charts.
      await page.screenshot({
        path: join(SHOTS, `summary-phone-${lang}.png`),
        fullPage: true,
        clip: { x: 0, y: 0, width: 412, height: 1830 },
      });

      // The workbook: a download through a 5-minute link, in the page's language.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t.workbook }).click()]);
      assert.equal(download.suggestedFilename(), `${operation.id}-phase-3-final-${lang}.xlsx`);

      // The full report: the same language, phone-sized too.
      await page.getByRole('button', { name: t.fullReport }).click();
      await page.waitForURL(/summary\.\w\w\.html/);
      assert.match(page.url(), new RegExp(`summary\\.${lang}\\.html\\?.*X-Amz-Expires=300`));
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const r = await problems(page);
      assert.deepEqual(r.codes, [], 'codes in the report');
      assert.ok(r.overflow <= 0, `the report is ${r.overflow} px wider than the phone`);
      assert.ok(r.smallest >= 12, `report chart text of ${r.smallest.toFixed(1)} px`);
      const report = String(await page.evaluate('document.body.innerText'));
      if (lang !== 'en')
        assert.deepEqual(
          englishPhrases(lang).filter((x) => report.includes(x)),
          [],
          'English in the report',
        );
      if (lang === 'fr')
        await page.screenshot({ path: join(SHOTS, 'report-phone-fr.png'), fullPage: true, clip: { x: 0, y: 0, width: 412, height: 1830 } });
    });
  }

  test('at print size (A4) neither the page nor the report is wider than the paper', async () => {
    const page = await open(PRINT, '/summaries/3/final?lang=fr');
    await signIn(page, 'fr', USERS.fr.email);
    await page.getByText(WORDS.fr.ncpVersion).waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.ok((await problems(page)).overflow <= 0);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: WORDS.fr.fullReport }).click();
    await page.waitForURL(/summary\.fr\.html/);
    await page.emulateMedia({ media: 'print' });
    assert.ok((await problems(page)).overflow <= 0);
  });

  test('the files are not reachable without signing in', async () => {
    const res = await fetch(`${pc.url}/api/summaries/3/final/files?lang=fr`);
    assert.equal(res.status, 401);
  });
});
