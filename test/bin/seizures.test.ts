/** The dispatcher (bin/seizures.ts), as a user runs it: commands load from its table when they run. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

const COMMANDS = ['validate', 'template', 'trends', 'dev', 'upload', 'status', 'close-phase', 'summary', 'demo'];

test('`seizures --help` lists every command with its summary and its usage line, exit 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const c of COMMANDS) {
    assert.match(r.stdout, new RegExp(`^  ${c} +\\S`, 'm'), `summary of ${c}`);
    assert.match(r.stdout, new RegExp(`^  seizures ${c}\\b`, 'm'), `usage of ${c}`);
  }
});

test('`seizures CMD --help` prints that command\'s usage only', async () => {
  const r = await runCli(['summary', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^usage: seizures summary --phase N/);
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('an unknown command, even one named like an Object property, exits 64 with the help', async () => {
  for (const name of ['nope', 'constructor', 'toString']) {
    const r = await runCli([name]);
    assert.equal(r.code, 64, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`unknown command '${name}'`));
  }
});
