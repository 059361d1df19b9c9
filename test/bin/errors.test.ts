/**
 * The cloud commands' errors say what happened: missing AWS credentials are not a local cloud that is not running.
 * Real SDK calls with no credentials anywhere (no env keys, no config files, no instance metadata), in this process
 * and through the CLI as a user runs it.
 */
import { afterEach, beforeEach, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { readStack } from '../../bin/cli/cloud-connect.ts';
import { AwsCredentialsMissingError, explain, StackNotFoundError, StackOutputMissingError } from '../../bin/cli/errors.ts';
import { LocalCloudNotRunningError } from '../../lib/local/registry.ts';
import { runCli } from '../helpers/cli.ts';

/** An environment in which the SDK's default credential chain finds nothing, quickly. */
const NO_CREDENTIALS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
  AWS_WEB_IDENTITY_TOKEN_FILE: '',
  AWS_REGION: 'eu-west-1',
};

describe('missing AWS credentials', () => {
  beforeEach(() => {
    for (const [k, v] of Object.entries(NO_CREDENTIALS)) vi.stubEnv(k, v);
  });
  afterEach(() => vi.unstubAllEnvs());

  test('readStack throws AwsCredentialsMissingError (not LocalCloudNotRunningError), which exits 69 with what to do', async () => {
    const err = await readStack('SeizurePipeline-stop-ii').catch((e: unknown) => e);
    assert.ok(err instanceof AwsCredentialsMissingError, String(err));
    assert.ok(!(err instanceof LocalCloudNotRunningError));
    assert.equal(err.name, 'AwsCredentialsMissingError');
    assert.match(err.message, /no usable AWS credentials .*AWS_PROFILE/);
    assert.deepEqual(explain(err), { message: err.message, code: 69 });
  });

  test('`seizures status --aws --stack NAME` says the credentials are missing and exits 69', async () => {
    const r = await runCli(['status', '--aws', '--stack', 'SeizurePipeline-stop-ii'], { env: NO_CREDENTIALS });
    assert.equal(r.code, 69, r.stderr);
    assert.match(r.stderr, /^seizures status: no usable AWS credentials/);
    assert.doesNotMatch(r.stderr, /local cloud/);
  });
});

test('every named cloud error exits 69; anything else is not explained', () => {
  for (const e of [new StackNotFoundError('x'), new StackOutputMissingError('y'), new LocalCloudNotRunningError('z')]) {
    assert.equal(explain(e)?.code, 69, e.name);
  }
  assert.equal(explain(new Error('boom')), undefined);
});
