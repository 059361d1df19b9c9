/**
 * Analysts must use an authenticator app (TOTP). Cognito cannot require MFA for one group, and the pool keeps MFA
 * optional for Member officers (customs offices and phones where an app cannot be required of everyone), so the
 * portal API requires it of the `analysts` group: an analyst whose account has no TOTP turned on gets 403
 * `mfa-required` on every route but GET /api/me (which says `mfaRequired: true`, so the app shows how to turn it on).
 * With TOTP turned on (and MFA optional in the pool), Cognito asks every sign-in for a code, so "has TOTP" is "signed in
 * with TOTP". Whether an account has it is read from Cognito (AdminGetUser's UserMFASettingList); a yes is kept for
 * five minutes per user, a no is read again on the next request (the analyst may have just turned it on).
 */
import type { Caller } from './auth.ts';
import { HttpError } from './http.ts';

/** Whether an analyst's account has TOTP turned on. */
export type AnalystMfa = (caller: Caller) => Promise<boolean>;

export class MfaRequiredError extends HttpError {
  constructor() {
    super(403, 'mfa-required', 'analysts must turn on an authenticator app (TOTP) before using the portal');
  }
}

export function createAnalystMfa(
  hasTotp: (username: string) => Promise<boolean>,
  opts: { ttlMs?: number; now?: () => number } = {},
): AnalystMfa {
  const ttl = opts.ttlMs ?? 300_000;
  const now = opts.now ?? Date.now;
  const yes = new Map<string, number>();
  return async (caller) => {
    const key = caller.username;
    const until = yes.get(key);
    if (until !== undefined && until > now()) return true;
    const on = await hasTotp(key);
    if (on) yes.set(key, now() + ttl);
    else yes.delete(key);
    return on;
  };
}
