/**
 * Issue 17: phase-alerts links every email to the portal (PORTAL_URL), checked at init: https on AWS, where the stack
 * always sets it; http only to a loopback address, and only on the local cloud.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { portalUrlOf } from '../../../functions/phase-alerts/app.ts';
import { MissingEnvError } from '../../../functions/shared/errors.ts';
import { checkPortalUrl, portalSummaryUrl, portalUploadUrl, PortalUrlError } from '../../../functions/core/phase/links.ts';

const LOCAL = { SEIZURES_LOCAL_S3: 'http://127.0.0.1:4569' };

test('on AWS, PORTAL_URL is required and must be https', () => {
  assert.equal(portalUrlOf({ PORTAL_URL: 'https://d111.cloudfront.net/' }), 'https://d111.cloudfront.net');
  assert.throws(
    () => portalUrlOf({}),
    (e: Error) => e instanceof MissingEnvError && /PORTAL_URL/.test(e.message),
  );
  assert.throws(
    () => portalUrlOf({ PORTAL_URL: 'http://127.0.0.1:8080' }),
    (e: Error) => e instanceof MissingEnvError && /https/.test(e.message),
  );
  assert.throws(() => portalUrlOf({ PORTAL_URL: 'https://x.org/?X-Amz-Signature=1' }), MissingEnvError);
});

test('on the local cloud, the local portal over http on a loopback address; no portal: no link', () => {
  assert.equal(portalUrlOf({ ...LOCAL, PORTAL_URL: 'http://127.0.0.1:8080' }), 'http://127.0.0.1:8080');
  assert.equal(portalUrlOf({ ...LOCAL, PORTAL_URL: 'http://localhost:8080/' }), 'http://localhost:8080');
  assert.throws(() => portalUrlOf({ ...LOCAL, PORTAL_URL: 'http://portal.example.org' }), MissingEnvError);
  assert.equal(portalUrlOf(LOCAL), undefined);
  assert.throws(() => checkPortalUrl('http://10.0.0.1:8080', { local: true }), PortalUrlError);
});

test('the pages: the run in the reader language, and the upload page', () => {
  assert.equal(portalSummaryUrl('https://p.org/', 3, 'interim-2022-03-14', 'fr'), 'https://p.org/summaries/3/interim-2022-03-14?lang=fr');
  assert.equal(portalUploadUrl('https://p.org', 'es'), 'https://p.org/?lang=es');
});
