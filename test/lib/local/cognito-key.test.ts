/** Each data directory signs its local Cognito tokens with a key of its own, made on first start and kept. */
import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'vitest';
import { signingKeyOf } from '../../../lib/local/cognito.ts';
import { tempDir } from './helpers.ts';

test('a key per data directory: made once (mode 0600), the same on a restart, another in another directory', async () => {
  const [a, b] = [await tempDir('cognito-key-'), await tempDir('cognito-key-')];
  try {
    const first = await signingKeyOf(join(a, 'cognito'));
    const again = await signingKeyOf(join(a, 'cognito'));
    const other = await signingKeyOf(join(b, 'cognito'));
    assert.equal(first.kid, again.kid);
    assert.deepEqual(first.publicJwk, again.publicJwk);
    assert.notEqual(first.kid, other.kid);
    assert.notEqual(first.publicJwk.n, other.publicJwk.n);
    assert.equal((await stat(join(a, 'cognito', 'signing-key.json'))).mode & 0o777, 0o600);
    assert.equal(first.publicJwk.d, undefined, 'the JWKS entry has no private part');
    // Two starts at once agree on one key.
    const c = await tempDir('cognito-key-');
    const [x, y] = await Promise.all([signingKeyOf(c), signingKeyOf(c)]);
    assert.equal(x.kid, y.kid);
    await rm(c, { recursive: true, force: true });
  } finally {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  }
});
