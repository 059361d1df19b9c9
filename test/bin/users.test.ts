/**
 * `seizures users add|list` on the local Cognito of a data directory (no cloud running: one is started in the
 * command's process on the same files, so a later `seizures dev` finds the users).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { runCli } from '../helpers/cli.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'users-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seizures users', () => {
  test('add a Member officer and an analyst, then list them (text and JSON); adding twice says so', async () => {
    const fr = await runCli([
      'users',
      'add',
      '--member',
      'FR',
      '--email',
      'officer@douane.fr.example',
      '--password',
      'Choose-a-passw0rd',
      '--data-dir',
      dir,
    ]);
    assert.equal(fr.code, 0, fr.stderr);
    assert.match(fr.stdout, /added officer@douane\.fr\.example \(Member FR\)/);
    const an = await runCli([
      'users',
      'add',
      '--email',
      'analyst@wco.example',
      '--password',
      'Choose-a-passw0rd',
      '--analyst',
      '--data-dir',
      dir,
    ]);
    assert.equal(an.code, 0, an.stderr);
    const again = await runCli([
      'users',
      'add',
      '--member',
      'FR',
      '--email',
      'officer@douane.fr.example',
      '--password',
      'Choose-a-passw0rd',
      '--data-dir',
      dir,
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    const json = await runCli(['users', 'list', '--format', 'json', '--data-dir', dir]);
    assert.equal(json.code, 0, json.stderr);
    const users = JSON.parse(json.stdout) as { email: string; member: string | null; analyst: boolean; status: string }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.member, u.analyst, u.status]),
      [
        ['analyst@wco.example', null, true, 'CONFIRMED'],
        ['officer@douane.fr.example', 'FR', false, 'CONFIRMED'],
      ],
    );
    const text = await runCli(['users', 'list', '--data-dir', dir]);
    assert.match(text.stdout, /FR\s+officer@douane\.fr\.example\s+member\s+CONFIRMED/);
    assert.match(text.stdout, /2 user\(s\)/);
  });

  test('wrong usage is exit 64 with a clear message: unknown Member, weak password, bad email, no subcommand', async () => {
    const cases: [string[], RegExp][] = [
      [['add', '--member', 'ZZ', '--email', 'a@b.example', '--password', 'Choose-a-passw0rd'], /'ZZ' is not a Member of Operation STOP II/],
      [
        ['add', '--member', 'FR', '--email', 'a@b.example', '--password', 'short'],
        /--password needs at least 12 characters, an upper-case letter, a digit, a symbol/,
      ],
      [['add', '--member', 'FR', '--email', 'not-an-email', '--password', 'Choose-a-passw0rd'], /--email must be an email address/],
      [['add', '--email', 'a@b.example', '--password', 'Choose-a-passw0rd'], /--member XX is required/],
      [['list', '--format', 'xml'], /--format must be one of text, json/],
      [['remove'], /unknown subcommand 'remove'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['users', ...args, '--data-dir', dir]);
      assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
