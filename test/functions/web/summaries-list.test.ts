/**
 * Issue 17 (8): the portal's list of summaries on a phone, in French: runs ordered by the day they cover (an interim
 * run made late does not jump ahead), "sent to NCPs" said as a plain fact (no red badge), signals counted with
 * agreement, days in the reader's locale. The screenshot goes to a temporary folder (SHOTS_DIR to keep it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, test, vi } from 'vitest';
import { loadOperationConfig } from '../../../functions/core/operation/config.ts';
import { WORDS } from '../../../functions/web/src/i18n.ts';
import { csv } from '../../lib/local/helpers.ts';
import { launchChromium, PASSWORD, PHONE, portalCloud, USERS, type PortalCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

let pc: PortalCloud;
let browser: Browser;
const operation = loadOperationConfig();

beforeAll(async () => {
  [pc, browser] = await Promise.all([portalCloud({ operation }), launchChromium()]);
  await pc.s3.send(new PutObjectCommand({ Bucket: pc.cloud.bucket, Key: 'incoming/FR/s1.csv', Body: csv('FR', 6) }));
  await pc.cloud.waitForIdle(60_000);
  const p1 = operation.phases[0]!;
  await pc.cloud.closePhase({ operation: operation.id, phase: 1, mode: 'final', asOf: p1.end });
  await pc.cloud.closePhase({ operation: operation.id, phase: 1, mode: 'interim', asOf: '2021-06-28' });
  // Made last, covers the earliest week: listed last.
  await pc.cloud.closePhase({ operation: operation.id, phase: 1, mode: 'interim', asOf: '2021-06-21' });
});
afterAll(async () => {
  await browser?.close();
  await pc?.close();
});

test('(fr, phone) the list reads by covered day, newest first, with "sent to NCPs" as plain text', async () => {
  const t = WORDS.fr;
  const context = await browser.newContext({ ...PHONE, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${pc.url}/summaries?lang=fr`);
  await page.getByLabel(t.email).fill(USERS.fr.email);
  await page.getByLabel(t.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await page.locator('ul.list li').first().waitFor();
  const items = await page.locator('ul.list li').allInnerTexts();
  const flat = items.map((x) => x.replace(/\s+/g, ' ').trim());
  assert.equal(flat.length, 3, flat.join('\n'));
  assert.match(flat[0]!, /^Phase 1 · finale · jusqu’au 30 sept\. 2021/);
  assert.match(flat[1]!, /^Phase 1 · intermédiaire · jusqu’au 28 juin 2021/);
  assert.match(flat[2]!, /^Phase 1 · intermédiaire · jusqu’au 21 juin 2021/);
  assert.match(flat[0]!, /envoyée aux PCN/);
  assert.doesNotMatch(flat.join('\n'), /0 signaux|alerte envoyée/);
  assert.equal(await page.locator('.badge.alert').count(), 0, 'no red badge');
  const dir = process.env.SHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'summaries-list-'));
  await page.screenshot({ path: join(dir, 'summaries-list-phone-fr.png'), fullPage: true });
  await context.close();
});
