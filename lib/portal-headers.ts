/**
 * The portal's security headers, one definition for CloudFront (lib/portal-web.ts, a response headers policy) and the
 * local portal server (lib/local/portal.ts): a CSP without inline script, HSTS, no framing, no sniffing, no referrer
 * across origins. `connect-src` names what the browser app talks to besides its own origin: Cognito (sign-in) and the
 * submissions bucket (the presigned POST of an upload).
 */

export interface CspSources {
  /** Origins the app calls with fetch/XHR besides 'self'. */
  readonly connect: readonly string[];
  /** Origins of forms (the presigned POST goes to the bucket). @default connect */
  readonly form?: readonly string[];
}

export function contentSecurityPolicy(s: CspSources): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Vega's SVGs carry style attributes; no inline <script> is ever allowed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${s.connect.join(' ')}`.trim(),
    `form-action 'self' ${(s.form ?? s.connect).join(' ')}`.trim(),
    "manifest-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** HSTS: two years, subdomains; the header is ignored by browsers on plain http (the local portal). */
export const HSTS_SECONDS = 63_072_000;

/** The headers as the local server sends them (CloudFront's policy sets the same values). */
export function securityHeaders(s: CspSources): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(s),
    'strict-transport-security': `max-age=${HSTS_SECONDS}; includeSubDomains`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}
