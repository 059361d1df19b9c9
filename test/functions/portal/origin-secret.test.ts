/**
 * The portal Lambda's own AWS path, which the local cloud never takes: the origin secret CloudFront sends is read from
 * Secrets Manager (ORIGIN_SECRET_ARN) on the first request, then compared. With aws-sdk-client-mock: the function
 * asks for the secret its environment names, once, and accepts the header that matches it and nothing else. The call
 * is kept in lib/preflight/calls/portal-aws.json for `seizures preflight` (the portal role's secretsmanager grant).
 */
import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { operationConfigEnv } from '../../../functions/core/contracts/operation-env.ts';
import { loadOperationConfig } from '../../../functions/core/operation/config.ts';
import { resourceFields } from '../../../functions/core/platform/aws.ts';
import { ORIGIN_HEADER } from '../../../functions/core/portal/origin.ts';
import { depsFromEnv } from '../../../functions/portal/app.ts';
import { callsAreCurrent } from '../../lib/preflight/record.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:PortalApiOriginSecret-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const dir = mkdtempSync(join(tmpdir(), 'portal-aws-'));
const raw = join(dir, 'calls.jsonl');
writeFileSync(raw, '');

afterAll(() => {
  try {
    for (const c of secrets.calls()) {
      const cmd = c.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
      appendFileSync(
        raw,
        `${JSON.stringify({ who: 'portal', service: 'SecretsManagerClient', command: cmd.constructor.name, input: resourceFields(cmd.input) })}\n`,
      );
    }
    callsAreCurrent('portal-aws', raw, { [SECRET_ARN]: 'env:ORIGIN_SECRET_ARN' }, fileURLToPath(import.meta.url));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the portal function on AWS: the origin secret', () => {
  test('read once from the secret its environment names; the matching header passes, any other is refused', async () => {
    process.env.AWS_REGION ??= 'us-east-1';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'the-origin-secret' });
    const deps = depsFromEnv({
      TABLE_NAME: 'table',
      BUCKET_NAME: 'bucket',
      OPERATION_CONFIG: operationConfigEnv(loadOperationConfig()),
      USER_POOL_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
      USER_POOL_CLIENT_ID: 'client',
      ORIGIN_SECRET_ARN: SECRET_ARN,
    });
    assert.equal(await deps.origin!({ [ORIGIN_HEADER]: 'the-origin-secret' }), true);
    assert.equal(await deps.origin!({ [ORIGIN_HEADER]: 'a-guess' }), false);
    assert.equal(await deps.origin!({}), false);
    const calls = secrets.commandCalls(GetSecretValueCommand);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.args[0].input.SecretId, SECRET_ARN);
  });
});
