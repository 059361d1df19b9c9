/**
 * The API answers CloudFront only. CloudFront adds a header to every request it sends to the API origin, its value a
 * secret (Secrets Manager, generated at deploy; lib/portal-api.ts); a request to the default execute-api endpoint
 * that goes around CloudFront lacks it and is refused before the router, the token, or anything else is looked at.
 * Compared in constant time; the secret is read once per container and again (at most once a minute) when a request
 * does not match, so a rotated secret is picked up without a restart.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http.ts';

/** The header CloudFront adds (lower case, as PortalRequest headers are). */
export const ORIGIN_HEADER = 'x-origin-verify';

/** Whether a request came through the portal's front door (CloudFront, or the local portal server). */
export type OriginCheck = (headers: Readonly<Record<string, string | undefined>>) => Promise<boolean>;

export class NotThroughPortalError extends HttpError {
  constructor() {
    super(403, 'not-through-portal', "this API answers the portal's own address only");
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** An OriginCheck against a secret read by `readSecret` (cached; re-read at most every `refreshMs` on a mismatch). */
export function createOriginCheck(readSecret: () => Promise<string>, opts: { refreshMs?: number; now?: () => number } = {}): OriginCheck {
  const refreshMs = opts.refreshMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let secret: Promise<Buffer> | undefined;
  let readAt = 0;
  const load = () => {
    readAt = now();
    secret = readSecret().then((s) => {
      if (!s) throw new Error('the origin secret is empty');
      return digest(s);
    });
    // A failed read is tried again on the next request, not cached.
    secret.catch(() => {
      secret = undefined;
    });
    return secret;
  };
  return async (headers) => {
    const given = headers[ORIGIN_HEADER];
    if (!given) return false;
    const g = digest(given);
    if (timingSafeEqual(g, await (secret ?? load()))) return true;
    if (now() - readAt < refreshMs) return false;
    return timingSafeEqual(g, await load());
  };
}
