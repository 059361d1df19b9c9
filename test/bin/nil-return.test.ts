/**
 * seizures nil-return: wrong usage is refused before any cloud is touched (exit 64 through main). Recording and the
 * phase close reading it run against dynalite in test/functions/core/nil-return.test.ts and
 * test/functions/phase/handlers.test.ts.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { nilReturnCommand } from '../../bin/cli/nil-return.ts';
import { UsageError } from '../../bin/cli/common.ts';
import { main } from '../../bin/seizures.ts';

test('a Member or phase outside the operation, or a missing flag, is wrong usage', async () => {
  await assert.rejects(nilReturnCommand(['--phase', '2']), /--member XX is required/);
  await assert.rejects(nilReturnCommand(['--member', 'FR']), /--phase N is required/);
  await assert.rejects(nilReturnCommand(['--member', 'FR', '--phase', '9']), (e: unknown) => e instanceof UsageError && /not a phase of stop-ii/.test((e as Error).message));
  await assert.rejects(nilReturnCommand(['--member', 'QQ', '--phase', '2']), /ISO 3166 country code/);
  await assert.rejects(nilReturnCommand(['--member', 'AQ', '--phase', '2']), /not a Member of stop-ii/);
});

test('the command is in the CLI and exits 64 on wrong usage', async () => {
  const err = process.stderr.write.bind(process.stderr);
  let said = '';
  process.stderr.write = ((s: string) => {
    said += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    assert.equal(await main(['nil-return', '--member', 'AQ', '--phase', '2']), 64);
  } finally {
    process.stderr.write = err;
  }
  assert.match(said, /AQ/);
});
