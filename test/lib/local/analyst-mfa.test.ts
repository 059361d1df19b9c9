/**
 * Analysts must use TOTP (functions/core/portal/mfa.ts), tested on the local cloud with it turned on as on AWS: an
 * analyst without it gets only /api/me (mfaRequired) and 403 mfa-required elsewhere; Member officers are not asked;
 * once the analyst turns TOTP on (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference, as the web app
 * does), sign-in asks for a code and the API answers.
 */
import './quiet.ts';
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test, vi } from 'vitest';
import { PASSWORD, portalCloud, USERS, type PortalCloud } from '../../functions/web/helpers.ts';
import { totp } from '../../helpers/totp.ts';
import { fileURLToPath } from 'node:url';
import { callsAreCurrent, recordCalls } from '../preflight/record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// The portal's question to the pool (AdminGetUser), kept for `seizures preflight` (lib/preflight/calls/analyst-mfa.json).
const recording = recordCalls();

let pc: PortalCloud;
beforeAll(async () => {
  pc = await portalCloud({ analystMfa: true });
});
afterAll(async () => {
  const names = pc
    ? { [pc.cloud.bucket]: 'BucketName', [pc.cloud.tableName]: 'TableName', [pc.config.userPoolId]: 'UserPoolId' }
    : undefined;
  await pc?.close();
  if (names) callsAreCurrent('analyst-mfa', recording, names, fileURLToPath(import.meta.url));
});

const cognito = async (target: string, body: object) => {
  const r = await fetch(pc.config.cognitoEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  const json = (await r.json().catch(() => ({}))) as Record<string, any>;
  if (!r.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
};
const call = async (path: string, token: string) => {
  const res = await fetch(`${pc.url}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};

test('an analyst without TOTP gets /api/me only; with it turned on, sign-in asks for a code and every route answers', async () => {
  const token = await pc.token(USERS.analyst.email);
  const me = await call('me', token);
  assert.equal(me.status, 200);
  assert.equal(me.json.analyst, true);
  assert.equal(me.json.mfaRequired, true);
  for (const path of ['submissions', 'summaries', 'lineage?phase=1&dimension=product&key=x', 'nil-returns']) {
    const r = await call(path, token);
    assert.equal(r.status, 403, path);
    assert.equal(r.json.error, 'mfa-required', path);
  }
  // A Member officer is not asked.
  const fr = await pc.token(USERS.fr.email);
  assert.equal((await call('submissions', fr)).status, 200);
  assert.equal((await call('me', fr)).json.mfaRequired, undefined);

  // Turning TOTP on, as the web app's MfaSetup page does.
  const first = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: pc.config.clientId,
    AuthParameters: { USERNAME: USERS.analyst.email, PASSWORD },
  });
  const accessToken = first.AuthenticationResult.AccessToken as string;
  const { SecretCode } = await cognito('AssociateSoftwareToken', { AccessToken: accessToken });
  await assert.rejects(cognito('VerifySoftwareToken', { AccessToken: accessToken, UserCode: '000000' }), /CodeMismatch/);
  await cognito('VerifySoftwareToken', { AccessToken: accessToken, UserCode: totp(SecretCode), FriendlyDeviceName: 'portal' });
  await cognito('SetUserMFAPreference', {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });

  // From now on the password alone gives no token: a code is asked for.
  const next = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: pc.config.clientId,
    AuthParameters: { USERNAME: USERS.analyst.email, PASSWORD },
  });
  assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
  assert.equal(next.AuthenticationResult, undefined);
  const answered = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    ClientId: pc.config.clientId,
    Session: next.Session,
    ChallengeResponses: { USERNAME: USERS.analyst.email, SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode) },
  });
  const withMfa = answered.AuthenticationResult.IdToken as string;
  assert.equal((await call('me', withMfa)).json.mfaRequired, undefined);
  assert.equal((await call('submissions', withMfa)).status, 200);
  assert.equal((await call('summaries', withMfa)).status, 200);
});
