/** A local cloud serving the portal on free ports, with users, and the browser the tests drive. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { addUser } from '../../../bin/cli/users.ts';
import type { OperationConfig } from '../../../functions/core/operation/config.ts';
import { cognitoClient } from '../../../lib/local/cognito.ts';
import { testCloud, type TestCloud } from '../../lib/local/helpers.ts';

export const PASSWORD = 'Portal-test-passw0rd';
export const USERS = {
  fr: { email: 'officer@douane.fr.example', member: 'FR', analyst: false },
  de: { email: 'officer@zoll.de.example', member: 'DE', analyst: false },
  analyst: { email: 'analyst@wco.example', member: undefined, analyst: true },
} as const;

export interface PortalCloud extends TestCloud {
  readonly url: string;
  readonly config: { region: string; userPoolId: string; clientId: string; cognitoEndpoint: string };
  /** An ID token of a user (USER_PASSWORD_AUTH, as the browser signs in). */
  token(email: string): Promise<string>;
}

/**
 * `operation`: the operation config the cloud runs (cdk.json's by default). `analystMfa`: whether analysts must use
 * TOTP (default false here: the analyst of USERS has none; test/lib/local/analyst-mfa.test.ts tests it on).
 */
export async function portalCloud(opts: { operation?: OperationConfig; analystMfa?: boolean } = {}): Promise<PortalCloud> {
  const tc = await testCloud({ portal: { portal: 0, cognito: 0 }, analystMfa: false, ...opts });
  const portal = tc.cloud.portal!;
  const client = cognitoClient(portal.cognito.endpoint);
  try {
    for (const u of Object.values(USERS))
      await addUser(
        { client, userPoolId: portal.cognito.userPoolId },
        { email: u.email, password: PASSWORD, member: u.member, analyst: u.analyst },
      );
  } finally {
    client.destroy();
  }
  const config = (await (await fetch(`${portal.url}/config.json`)).json()) as PortalCloud['config'];
  return {
    ...tc,
    url: portal.url,
    config,
    async token(email) {
      const r = await fetch(config.cognitoEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: config.clientId,
          AuthParameters: { USERNAME: email, PASSWORD: PASSWORD },
        }),
      });
      const out = (await r.json()) as { AuthenticationResult?: { IdToken?: string } };
      if (!out.AuthenticationResult?.IdToken) throw new Error(`sign-in of ${email} failed: ${JSON.stringify(out)}`);
      return out.AuthenticationResult.IdToken;
    },
  };
}

/** Debian's chromium (apt), else @sparticuz/chromium's. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const args = [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  if (existsSync('/usr/bin/chromium')) return chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const require = createRequire(import.meta.url);
  const sparticuz = require('@sparticuz/chromium') as { executablePath(): Promise<string>; args: string[] };
  return chromium.launch({ executablePath: await sparticuz.executablePath(), args: [...sparticuz.args, ...args] });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;
export const DESKTOP = { viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 } as const;
