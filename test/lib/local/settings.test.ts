import { describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { localSettingsOf } from '../../../bin/cli/cloud-flags.ts';
import { UsageError } from '../../../bin/cli/common.ts';
import { DEFAULT_PORTS } from '../../../lib/local/settings.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

describe('local cloud settings', () => {
  test('defaults: .seizures and ports 4569 (S3), 4567 (DynamoDB), 8005 (SES)', () => {
    assert.deepEqual(localSettingsOf({}, {}), { dataDir: '.seizures', ports: { s3: 4569, dynamodb: 4567, ses: 8005 }, explicit: {} });
    assert.deepEqual(DEFAULT_PORTS, { s3: 4569, dynamodb: 4567, ses: 8005 });
  });

  test('environment variables change the defaults and flags win over them', () => {
    const env = { SEIZURES_DATA_DIR: '/tmp/x', SEIZURES_S3_PORT: '5000', SEIZURES_DYNAMODB_PORT: '5001', SEIZURES_SES_PORT: '5002' };
    assert.deepEqual(localSettingsOf({}, env).ports, { s3: 5000, dynamodb: 5001, ses: 5002 });
    assert.equal(localSettingsOf({}, env).dataDir, '/tmp/x');
    const s = localSettingsOf({ 'data-dir': 'd', 's3-port': '6000', 'ses-port': '0' }, env);
    assert.deepEqual(s, { dataDir: 'd', ports: { s3: 6000, dynamodb: 5001, ses: 0 }, explicit: { s3: 6000, dynamodb: 5001, ses: 0 } });
  });

  test('a port that is not a number from 0 to 65535 is a usage error naming the flag or variable', () => {
    assert.throws(
      () => localSettingsOf({ 's3-port': 'http' }, {}),
      (e: unknown) => e instanceof UsageError && /--s3-port/.test(e.message),
    );
    assert.throws(
      () => localSettingsOf({}, { SEIZURES_SES_PORT: '70000' }),
      (e: unknown) => e instanceof UsageError && /SEIZURES_SES_PORT/.test(e.message),
    );
  });
});
