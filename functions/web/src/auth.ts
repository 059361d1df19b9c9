/**
 * Sign-in against the Cognito user pool, straight from the browser (no SDK: two JSON calls). USER_PASSWORD_AUTH over
 * TLS; a TOTP code when the user turned MFA on; a new password when an administrator asked for one. The ID token is
 * kept in sessionStorage (gone when the tab closes) and sent as `Authorization: Bearer` to /api/*.
 *
 * The refresh token is never stored: the app does not refresh (an ID token lasts an hour, then the user signs in
 * again), so it is held in this module's memory only, out of sessionStorage, and revoked (RevokeToken) at sign-out.
 * A reload forgets it; it then expires on its own (60 minutes, the shortest Cognito allows).
 */
export interface AppConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Local cognito-local; on AWS absent: https://cognito-idp.{region}.amazonaws.com/ */
  readonly cognitoEndpoint?: string;
}

export interface Session {
  readonly idToken: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** This page's refresh token, in memory only (see above): what sign-out revokes. */
let refreshToken: string | undefined;
/** This page's access token, in memory only: what turning TOTP on needs (an analyst's first sign-in). */
let accessToken: string | undefined;

export type SignInResult =
  | { kind: 'ok'; session: Session }
  | { kind: 'mfa' | 'newPassword'; answer: (value: string) => Promise<SignInResult> };

const KEY = 'seizures.session';

let config: Promise<AppConfig> | undefined;
export const appConfig = () => (config ??= fetch('/config.json').then((r) => r.json() as Promise<AppConfig>));

export class SignInError extends Error {}

/** What Cognito's InitiateAuth and RespondToAuthChallenge answer (the parts used here), or its error. */
interface CognitoAnswer {
  AuthenticationResult?: { IdToken?: string; RefreshToken?: string; AccessToken?: string };
  SecretCode?: string;
  Status?: string;
  ChallengeName?: string;
  Session?: string;
  __type?: string;
  message?: string;
}

async function call(target: string, body: object): Promise<CognitoAnswer> {
  const c = await appConfig();
  const res = await fetch(c.cognitoEndpoint ?? `https://cognito-idp.${c.region}.amazonaws.com/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  const out = (await res.json().catch(() => ({}))) as CognitoAnswer;
  if (!res.ok) throw new SignInError(String(out.__type ?? out.message ?? res.status));
  return out;
}

const claims = (jwt: string): Record<string, unknown> => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));

function finish(out: CognitoAnswer, username: string): SignInResult {
  const r = out.AuthenticationResult;
  if (r?.IdToken) {
    const session: Session = { idToken: r.IdToken, exp: Number(claims(r.IdToken).exp) };
    sessionStorage.setItem(KEY, JSON.stringify(session));
    refreshToken = r.RefreshToken;
    accessToken = r.AccessToken;
    return { kind: 'ok', session };
  }
  const respond = (name: string, extra: Record<string, string>) => async (value: string) => {
    const c = await appConfig();
    const next = await call('RespondToAuthChallenge', {
      ChallengeName: name,
      ClientId: c.clientId,
      Session: out.Session,
      ChallengeResponses: { USERNAME: username, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v || value])) },
    });
    return finish(next, username);
  };
  if (out.ChallengeName === 'SOFTWARE_TOKEN_MFA')
    return { kind: 'mfa', answer: respond('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: '' }) };
  if (out.ChallengeName === 'NEW_PASSWORD_REQUIRED')
    return { kind: 'newPassword', answer: respond('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: '' }) };
  throw new SignInError(`unsupported sign-in step ${out.ChallengeName}`);
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  const c = await appConfig();
  const out = await call('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: c.clientId,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return finish(out, email);
}

export function currentSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.exp * 1000 > Date.now() + 30_000 ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs out: the session is forgotten at once, and the refresh token (if this page holds one) is revoked with
 * Cognito's RevokeToken. A failed revocation (offline, or an emulator that does not know the token) is not the
 * user's problem: the token was never stored and expires within the hour.
 */
export async function signOut(): Promise<void> {
  sessionStorage.removeItem(KEY);
  const token = refreshToken;
  refreshToken = undefined;
  accessToken = undefined;
  if (!token) return;
  try {
    const c = await appConfig();
    await call('RevokeToken', { ClientId: c.clientId, Token: token });
  } catch {
    // See above.
  }
}

/** Whether this page can turn TOTP on (it signed in itself: the access token is in memory, never stored). */
export const canSetUpTotp = (): boolean => accessToken !== undefined;

/** Starts turning TOTP on: the secret key to put in an authenticator app (AssociateSoftwareToken). */
export async function startTotp(): Promise<string> {
  if (!accessToken) throw new SignInError('NotSignedIn');
  const out = await call('AssociateSoftwareToken', { AccessToken: accessToken });
  if (!out.SecretCode) throw new SignInError('NoSecretCode');
  return out.SecretCode;
}

/**
 * Finishes turning TOTP on with a code the app shows: VerifySoftwareToken, then TOTP made the preferred (and so
 * required) second step of every sign-in (SetUserMFAPreference). A wrong code throws SignInError('CodeMismatch...').
 */
export async function confirmTotp(code: string): Promise<void> {
  if (!accessToken) throw new SignInError('NotSignedIn');
  const out = await call('VerifySoftwareToken', { AccessToken: accessToken, UserCode: code, FriendlyDeviceName: 'portal' });
  if (out.Status && out.Status !== 'SUCCESS') throw new SignInError('CodeMismatchException');
  await call('SetUserMFAPreference', { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
}
