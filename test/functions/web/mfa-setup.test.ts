/**
 * An analyst's first sign-in, in a real browser, with TOTP required of analysts (as on AWS): the page says why and
 * shows the key (and an otpauth: link), a wrong code is said plainly, the right one turns TOTP on, and the next
 * sign-in asks for a code and opens the portal. Phone, French; axe-core; a screenshot to look at.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, test, vi } from 'vitest';
import { WORDS } from '../../../functions/web/src/i18n.ts';
import { totp } from '../../helpers/totp.ts';
import { launchChromium, PASSWORD, PHONE, portalCloud, USERS, type PortalCloud } from './helpers.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const SHOTS = process.env.MFA_SHOTS ?? mkdtempSync(join(tmpdir(), 'mfa-shots-'));
let pc: PortalCloud;
let browser: Browser;
beforeAll(async () => {
  [pc, browser] = await Promise.all([portalCloud({ analystMfa: true }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await pc?.close();
});

test('(fr, phone) an analyst turns the authenticator app on, then signs in with a code', async () => {
  const t = WORDS.fr;
  const context = await browser.newContext({ ...PHONE, locale: 'fr-FR' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${pc.url}/?lang=fr`);
  const signIn = async () => {
    await page.getByLabel(t.email).fill(USERS.analyst.email);
    await page.getByLabel(t.password).fill(PASSWORD);
    await page.getByRole('button', { name: t.signIn }).click();
  };
  await signIn();
  await page.getByRole('heading', { name: t.mfaTitle }).waitFor();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  const link = await page.getByRole('link', { name: t.mfaOpenApp }).getAttribute('href');
  assert.match(link ?? '', new RegExp(`^otpauth://totp/.+\\?secret=${secret}&issuer=`));
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(
    axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    [],
  );
  await page.screenshot({ path: join(SHOTS, 'mfa-setup-phone-fr.png'), fullPage: true });

  const wrong = totp(secret) === '000000' ? '111111' : '000000';
  await page.getByLabel(t.mfaStep3).fill(wrong);
  await page.getByRole('button', { name: t.mfaConfirm }).click();
  await page.getByRole('alert').filter({ hasText: t.mfaWrongCode }).waitFor();
  await page.getByLabel(t.mfaStep3).fill(totp(secret));
  await page.getByRole('button', { name: t.mfaConfirm }).click();
  await page.getByRole('status').filter({ hasText: t.mfaDone }).waitFor();
  await page.getByRole('button', { name: t.signIn }).click();

  // Signed out; the next sign-in asks for a code, then the portal opens.
  await signIn();
  await page.getByLabel(t.mfaCode).fill(totp(secret));
  await page.getByRole('button', { name: t.signIn }).click();
  await page.getByRole('navigation').waitFor();
  assert.equal(await page.getByRole('heading', { name: t.mfaTitle }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
