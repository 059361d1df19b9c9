/**
 * Shares and the installable app in a real browser (playwright-core driving Debian's chromium), phone viewport, in
 * English, French and Spanish: FR shares a stored case with DE and BE from the portal; DE's NCP gets one email in
 * DE's language with the link only, and every subscribed device exactly one push (a fake push service on 127.0.0.1
 * checks the VAPID signature and decrypts each payload); none for FR or GB; DE opens it (FR sees "read"),
 * acknowledges (FR sees it); GB gets 404; after revocation and after expiry 404; the analysts see all. Then the PWA:
 * the manifest is valid and linked, the service worker controls the page, a summary and a received share open with
 * the network off, nothing is kept for an analyst, and sign-out empties the caches. Screenshots go to screenshots/
 * with UPDATE_SCREENSHOTS=1 (shown in the README).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { SHARE_SK, sharePk } from '../../../functions/core/shares/keys.ts';
import { pushPayload } from '../../../functions/core/shares/notify.ts';
import { VOCABS } from '../../../functions/core/vocabulary/vocab.ts';
import { SHARE_WORDS } from '../../../functions/web/src/shares-words.ts';
import { WORDS, type Lang } from '../../../functions/web/src/i18n.ts';
import { startPushService, type PushService } from '../../lib/local/push-service.ts';
import { ALL_USERS, CASE_REF, sharesCloud, storeFrCase, type SharesCloud, type UserName } from '../../lib/local/shares-fixtures.ts';
import { launchChromium, PASSWORD, PHONE } from './helpers.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

// The browser's globals the page functions below use (the tests' tsconfig has no DOM lib).
declare const caches: { keys(): Promise<string[]>; open(name: string): Promise<{ keys(): Promise<{ url: string }[]> }> };
type WithWorker = { serviceWorker: { controller: { scriptURL: string } | null } };
const controlled = () => !!(navigator as unknown as WithWorker).serviceWorker.controller;

const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('./screenshots/', import.meta.url))
  : mkdtempSync(join(tmpdir(), 'shares-shots-'));
const LANGS: Lang[] = ['en', 'fr', 'es'];
const DEVICES = ['be-phone', 'de-laptop', 'de-phone', 'de2-phone'];

let sc: SharesCloud;
let push: PushService;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [sc, push, browser] = await Promise.all([sharesCloud(), startPushService(), launchChromium()]);
  await storeFrCase(sc);
  const subscribe = async (who: UserName, name: string) => {
    const r = await sc.call('push/subscriptions', who, { method: 'POST', body: push.device(name).subscription });
    assert.equal(r.status, 201);
  };
  await subscribe('de', 'de-phone');
  await subscribe('de', 'de-laptop');
  await subscribe('de2', 'de2-phone');
  await subscribe('be', 'be-phone');
  await subscribe('fr', 'fr-phone');
  await subscribe('gb', 'gb-phone');
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await push?.close();
  await sc?.close();
});

async function open(who: UserName, path: string, lang: Lang): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, locale: lang });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('browser error:', e.message));
  await page.goto(`${sc.url}${path}`);
  const t = WORDS[lang];
  await page.getByLabel(t.email).fill(ALL_USERS[who].email);
  await page.getByLabel(t.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.signIn }).click();
  await page.getByRole('navigation').waitFor();
  return page;
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

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const idle = () => sc.cloud.shares!.queue.waitForIdle(30_000);
const statusOf = (page: Page, member: string) => page.locator(`tr[data-member="${member}"] td`).nth(1);

describe('FR shares a case with DE and BE, on phones', () => {
  for (const lang of LANGS) {
    test(`(${lang}) share, email and pushes, read, acknowledge, 404 for GB, revoke`, async () => {
      const w = SHARE_WORDS[lang];
      const product = VOCABS.product.label('ivermectin', lang);

      // FR shares from the form: the Members on the case's route are proposed and ticked.
      const fr = await open('fr', `/shares/new?caseRef=${CASE_REF}&lang=${lang}`, lang);
      await fr.getByRole('checkbox', { name: /\(DE\)$/ }).waitFor();
      assert.equal(await fr.getByRole('checkbox', { name: /\(DE\)$/ }).isChecked(), true);
      assert.equal(await fr.getByRole('checkbox', { name: /\(BE\)$/ }).isChecked(), true);
      assert.equal(await fr.getByRole('checkbox', { name: /\(GB\)$/ }).count(), 0);
      await fr.getByLabel(w.note).fill(`Watch for the same sender (${lang}).`);
      if (lang === 'en') await shot(fr, 'shares-new-phone-en');
      await axe(fr, `share form (${lang})`);
      await fr.getByRole('button', { name: w.send, exact: true }).click();
      await fr.waitForURL(/\/shares\/[A-Za-z0-9_-]{22}/);
      const id = /\/shares\/([A-Za-z0-9_-]{22})/.exec(fr.url())![1]!;
      await fr.getByRole('heading', { name: product }).waitFor();
      await idle();

      // The emails: one per recipient NCP, in its language, the link only. None for FR or GB.
      const mails = async (address: string) => (await sc.mailTo(address)).filter((m) => m.text.includes(id));
      const [de, be] = [await mails('ncp.de@customs.example.org'), await mails('ncp.be@customs.example.org')];
      assert.equal(de.length, 1);
      assert.equal(be.length, 1);
      assert.match(de[0]!.subject, /a seizure has been shared with you/);
      assert.match(be[0]!.subject, /une saisie vous a été partagée/);
      for (const m of [...de, ...be]) assert.ok(!m.text.includes(product) && !m.text.includes(CASE_REF) && !m.text.includes('sender'));
      assert.equal((await mails('ncp.fr@customs.example.org')).length, 0);
      assert.equal((await mails('ncp.gb@customs.example.org')).length, 0);
      // The pushes: exactly one per subscribed device of DE's and BE's users, decrypted; none for FR or GB.
      assert.deepEqual(push.rejected, []);
      const pushes = push.received.filter((r) => String(r.payload.url).includes(id));
      assert.deepEqual(pushes.map((p) => p.device).sort(), DEVICES);

      // DE: the share is listed first, marked unread; opened, it is worded in DE's reader's language.
      const dePage = await open('de', `/shares?lang=${lang}`, lang);
      const first = dePage.locator('section[aria-labelledby="received"] li').first();
      await first.getByText(w.unread).waitFor();
      if (lang === 'en') await shot(dePage, 'shares-received-phone-en');
      await axe(dePage, `received shares (${lang})`);
      await first.getByRole('link').click();
      await dePage.getByRole('heading', { name: product }).waitFor();
      await dePage.getByText(`Watch for the same sender (${lang}).`).waitFor();
      assert.equal(await dePage.getByText(CASE_REF).count(), 0);

      // FR sees "read".
      await fr.reload();
      await statusOf(fr, 'DE').filter({ hasText: w.stRead }).waitFor();
      assert.equal(await statusOf(fr, 'BE').textContent(), w.stSent);

      // DE acknowledges; FR sees it.
      await dePage.getByRole('button', { name: w.acknowledge }).click();
      await dePage.getByRole('status').filter({ hasText: ALL_USERS.de.email }).waitFor();
      if (lang === 'en') await shot(dePage, 'shares-read-phone-en');
      await fr.reload();
      await statusOf(fr, 'DE').filter({ hasText: w.stAcknowledged }).waitFor();
      if (lang === 'en') await shot(fr, 'shares-status-phone-en');
      await axe(fr, `the sharer's status (${lang})`);

      // GB, not addressed: 404, in the page and in the API.
      const gb = await open('gb', `/shares/${id}?lang=${lang}`, lang);
      await gb.getByRole('alert').filter({ hasText: w.notFound }).waitFor();
      assert.equal((await sc.call(`shares/${id}`, 'gb')).status, 404);

      // The analysts see it.
      assert.ok((await sc.call('shares', 'analyst')).json.all.some((s: { id: string }) => s.id === id));

      // FR revokes: 404 to DE from then on.
      fr.once('dialog', (d) => void d.accept());
      await fr.getByRole('button', { name: w.revoke }).click();
      await fr.getByRole('status').filter({ hasText: w.revoked }).waitFor();
      await dePage.reload();
      await dePage.getByRole('alert').filter({ hasText: w.notFound }).waitFor();
      assert.equal((await sc.call(`shares/${id}`, 'de')).status, 404);
      assert.equal((await sc.call(`shares/${id}`, 'analyst')).status, 200);
    });
  }

  test('(fr) after expiry, 404 in the page; the analysts still see it in their list', async () => {
    const r = await sc.call('shares', 'fr', { method: 'POST', body: { caseRef: CASE_REF, note: '', to: ['DE'], expiresInDays: 1 } });
    await idle();
    await sc.dynamo.send(
      new UpdateItemCommand({
        TableName: sc.cloud.tableName,
        Key: { pk: { S: sharePk(r.json.id) }, sk: { S: SHARE_SK } },
        UpdateExpression: 'SET expiresAt = :t',
        ExpressionAttributeValues: { ':t': { S: new Date(Date.now() - 1000).toISOString() } },
      }),
    );
    const de = await open('de', `/shares/${r.json.id}?lang=fr`, 'fr');
    await de.getByRole('alert').filter({ hasText: SHARE_WORDS.fr.notFound }).waitFor();
    const analyst = await open('analyst', '/shares?lang=fr', 'fr');
    await analyst.locator('section[aria-labelledby="all"] li').first().getByText(SHARE_WORDS.fr.expired).waitFor();
  });
});

describe('photos', () => {
  test('(es) FR shares with a phone photo carrying its GPS position; DE sees the photo, without the position', async () => {
    const w = SHARE_WORDS.es;
    const fr = await open('fr', `/shares/new?caseRef=${CASE_REF}&lang=es`, 'es');
    // A real JPEG (a screenshot), with an Exif segment holding a position spliced in after its SOI marker.
    const shotJpeg = await fr.screenshot({ type: 'jpeg', quality: 60 });
    const exif = Buffer.from('Exif\0\0GPSLatitude 48.8566 N', 'latin1');
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), exif]);
    app1.writeUInt16BE(exif.length + 2, 2);
    const photo = Buffer.concat([shotJpeg.subarray(0, 2), app1, shotJpeg.subarray(2)]);
    await fr.getByRole('checkbox', { name: /\(DE\)$/ }).waitFor();
    await fr.getByLabel(w.photos).setInputFiles({ name: 'camion.jpg', mimeType: 'image/jpeg', buffer: photo });
    await fr.getByRole('button', { name: w.send, exact: true }).click();
    await fr.waitForURL(/\/shares\/[A-Za-z0-9_-]{22}/);
    const id = /\/shares\/([A-Za-z0-9_-]{22})/.exec(fr.url())![1]!;
    await idle();
    const de = await open('de', `/shares/${id}?lang=es`, 'es');
    const img = de.getByRole('img', { name: w.photo(1) });
    await img.waitFor();
    assert.match((await img.getAttribute('src')) ?? '', /^blob:/);
    assert.ok(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth > 0), 'the photo decodes');
    const seen = await sc.call(`shares/${id}`, 'de');
    const bytes = Buffer.from(await (await fetch(seen.json.photos[0].url)).arrayBuffer());
    assert.ok(!bytes.includes(Buffer.from('GPSLatitude')));
    assert.equal(bytes.length, shotJpeg.length);
    await shot(de, 'shares-photo-phone-es');
  });
});

describe('the installable app', () => {
  test('the manifest is valid and linked; the service worker at /sw.js controls the page', async () => {
    const page = await open('de', '/?lang=en', 'en');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.equal(href, '/manifest.webmanifest');
    const res = await fetch(`${sc.url}${href}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /manifest\+json/);
    const m = (await res.json()) as Record<string, any>;
    assert.equal(m.display, 'standalone');
    assert.equal(m.start_url, '/');
    assert.ok(m.name && m.short_name);
    for (const size of ['192x192', '512x512']) {
      const icon = m.icons.find((i: { sizes: string }) => i.sizes === size);
      assert.ok(icon, size);
      assert.equal((await fetch(`${sc.url}${icon.src}`)).headers.get('content-type'), 'image/png');
    }
    const sw = await fetch(`${sc.url}/sw.js`);
    assert.equal(sw.status, 200);
    assert.match(sw.headers.get('content-type') ?? '', /javascript/);
    await page.waitForFunction(controlled, undefined, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => (navigator as unknown as WithWorker).serviceWorker.controller!.scriptURL), `${sc.url}/sw.js`);
  });

  test('a push delivered to the service worker shows the notification of a new share', async () => {
    const page = await open('de', '/shares?lang=fr', 'fr');
    await page.context().grantPermissions(['notifications'], { origin: sc.url });
    await page.waitForFunction(controlled, undefined, { timeout: 30_000 });
    const cdp = await page.context().newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
        const r = e.registrations.find((x) => x.scopeURL === `${sc.url}/`);
        if (r) resolve(r.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    // The payload exactly as the fan-out encrypts it for a device (functions/core/shares/notify.ts).
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    const data = pushPayload('Allemagne', `${sc.url}/shares/${id}?lang=fr`, id, 'fr');
    const payload = JSON.parse(data) as { title: string; body: string; tag: string };
    assert.equal(payload.title, 'Une saisie vous a été partagée');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${sc.url}/`, registrationId, data });
    const notifications = () =>
      page.evaluate(async () => {
        type Reg = { getNotifications(): Promise<{ title: string; body: string; tag: string }[]> };
        const reg = await (navigator as unknown as { serviceWorker: { ready: Promise<Reg> } }).serviceWorker.ready;
        return (await reg.getNotifications()).map((x) => ({ title: x.title, body: x.body, tag: x.tag }));
      });
    // On a loaded machine the worker may still be starting: delivered again every 5 s until shown (the same tag
    // replaces the notification, so one is shown whatever the number of deliveries).
    let shown = await notifications();
    for (let i = 1; i <= 150 && !shown.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (i % 25 === 0) await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${sc.url}/`, registrationId, data });
      shown = await notifications();
    }
    assert.deepEqual(shown, [{ title: payload.title, body: payload.body, tag: payload.tag }]);
  });

  test('after one visit, a summary and a received share open with the network off; sign-out empties the caches', async () => {
    await sc.cloud.closePhase({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-09-01' });
    const shared = await sc.call('shares', 'fr', { method: 'POST', body: { caseRef: CASE_REF, note: 'Offline reading', to: ['DE'] } });
    await idle();
    const t = WORDS.en;
    const page = await open('de', '/summaries/1/final?lang=en', 'en');
    await page.waitForFunction(controlled, undefined, { timeout: 30_000 });
    // The first load may have run before the worker took control: once more, through it.
    await page.reload();
    await page.getByText(t.ncpVersion).waitFor();
    await page.goto(`${sc.url}/shares/${shared.json.id}?lang=en`);
    await page.getByText('Offline reading').waitFor();

    await page.context().setOffline(true);
    await page.goto(`${sc.url}/summaries/1/final?lang=en`);
    await page.getByText(t.ncpVersion).waitFor();
    await page.goto(`${sc.url}/shares/${shared.json.id}?lang=en`);
    await page.getByText('Offline reading').waitFor();
    await page.getByText(SHARE_WORDS.en.offline).waitFor();
    await shot(page, 'shares-offline-phone-en');
    await page.context().setOffline(false);

    const kept = () =>
      page.evaluate(async () => {
        const out: string[] = [];
        for (const name of await caches.keys()) {
          if (name.startsWith('workbox-precache')) continue;
          for (const r of await (await caches.open(name)).keys()) out.push(new URL(r.url).pathname);
        }
        return out.sort();
      });
    const before = await kept();
    assert.ok(before.includes('/api/summaries/1/final'), before.join(' '));
    assert.ok(before.includes(`/api/shares/${shared.json.id}`), before.join(' '));
    await page.getByRole('button', { name: t.signOut }).click();
    await page.getByLabel(t.email).waitFor();
    await page.waitForFunction(async () => (await caches.keys()).every((n: string) => n.startsWith('workbox-precache')), undefined, {
      timeout: 10_000,
    });
    assert.deepEqual(await kept(), []);
  });

  test("nothing is kept for an analyst: not the analysts' version of a summary, not a share", async () => {
    const page = await open('analyst', '/summaries/1/final?lang=en', 'en');
    await page.waitForFunction(controlled, undefined, { timeout: 30_000 });
    await page.reload();
    await page.getByText(WORDS.en.analystsVersion).waitFor();
    await page.goto(`${sc.url}/shares?lang=en`);
    await page.locator('section[aria-labelledby="all"] li').first().getByRole('link').click();
    await page.getByRole('heading').first().waitFor();
    const names = await page.evaluate(async () => {
      const out: string[] = [];
      for (const name of await caches.keys())
        if (!name.startsWith('workbox-precache')) for (const r of await (await caches.open(name)).keys()) out.push(r.url);
      return out;
    });
    assert.deepEqual(names, []);
  });
});
