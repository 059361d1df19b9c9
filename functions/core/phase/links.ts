/**
 * Where the alert emails send their readers: the portal, always, and nothing else. An email is read by whoever it
 * reaches (forwarded, printed, in a shared mailbox), so it never carries a bearer link (a presigned S3 URL opens the
 * report for anyone holding it, the analysts' with its case references included): each link opens a portal page,
 * which asks for a sign-in and shows the reader the version their role may read.
 *
 * - the run's summary page: `{portalUrl}/summaries/{phase}/{runLabel}?lang={lang}` (the page links to the full report
 *   and the workbook in that language, downloaded through the API);
 * - the upload page, which also holds "nothing to report" (the nil return): `{portalUrl}/?lang={lang}`.
 *
 * The portal URL: the stack passes the portal's CloudFront address (`https://{distributionDomainName}`, or the
 * operation config's `portalUrl` when it has one) as PORTAL_URL to phase-alerts, and refuses to synthesise without
 * one (lib/phase-close.ts); the local cloud passes its own portal's `http://127.0.0.1:{port}`, the one place plain
 * http is accepted (loopback only, and only when the function runs on the local cloud).
 */
import type { Lang } from '../operation/config.ts';

/** A portal URL that is not one (not https; http only to a loopback address on the local cloud). */
export class PortalUrlError extends Error {
  override readonly name = 'PortalUrlError';
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * The portal's base URL without its trailing slash, checked: https, or (`local`: the function runs on the local
 * cloud) http to a loopback address. Throws PortalUrlError naming what is wrong.
 */
export function checkPortalUrl(url: string, o: { readonly local?: boolean; readonly origin?: string } = {}): string {
  const where = o.origin ?? 'the portal URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PortalUrlError(`${where} ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.search || parsed.hash) throw new PortalUrlError(`${where} ${JSON.stringify(url)} must have no query or fragment`);
  if (parsed.protocol !== 'https:' && !(o.local && LOOPBACK.test(url)))
    throw new PortalUrlError(
      `${where} ${JSON.stringify(url)} must be an https URL${o.local ? ' (or http://127.0.0.1:PORT on the local cloud)' : ''}`,
    );
  return url.replace(/\/+$/, '');
}

const base = (portalUrl: string) => portalUrl.replace(/\/+$/, '');

/** The portal's page of a run's summary, in the reader's language. */
export const portalSummaryUrl = (portalUrl: string, phase: number, runLabel: string, lang?: Lang): string =>
  `${base(portalUrl)}/summaries/${phase}/${encodeURIComponent(runLabel)}${lang ? `?lang=${lang}` : ''}`;

/** The portal's upload page (which also holds "nothing to report"), in the reader's language. */
export const portalUploadUrl = (portalUrl: string, lang: Lang): string => `${base(portalUrl)}/?lang=${lang}`;

/** The portal's "nothing to report" section of the upload page (its heading's id, functions/web/src/pages/NilReturn.tsx). */
export const portalNilReturnUrl = (portalUrl: string, lang: Lang): string => `${portalUploadUrl(portalUrl, lang)}#nil-title`;
