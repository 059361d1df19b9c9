import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trendsCommand } from '../../bin/cli/trends.ts';
import { UsageError } from '../../bin/cli/common.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedTestdata } from '../functions/core/trends/helpers.ts';

// The shared reference vectors beside the repository (CI has the same layout; a worktree sits one level deeper).
const VECTORS = sharedTestdata('ears/weekly-alarms.csv');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-trends-'));
  // R's own unit test series: C1 at alpha 0.05 gives bounds 3.278854, 3.278854, 3.436517, 3.855617 for the last four weeks.
  const r = [1, 1, 1, 3, 3, 1, 2, 1, 0, 3, 3];
  await writeFile(join(dir, 'r.csv'), `count,week_start,note\n${r.map((c, i) => `${c},w${String(i + 1).padStart(2, '0')},x`).join('\n')}\n`);
  await writeFile(join(dir, 'bad.csv'), 'week_start,count\n2021-05-03,1\n2021-05-10,two\n\n2021-05-24,-1\n');
  await writeFile(join(dir, 'noheader.csv'), '2021-05-03,1\n2021-05-10,2\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs the command in process, collecting what it writes. */
async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await trendsCommand(args, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

test('spawned: trends weekly --method c3 --format json reproduces the shared vector alarms, bound null before the baseline', async () => {
  const r = await runCli(['trends', 'weekly', VECTORS, '--method', 'c3', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ week_start: string; count: number; upperBound: number | null; alarm: boolean }>;
  const expected = (await readFile(VECTORS, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((x) => [x.week_start, String(x.count), x.alarm ? '1' : '0']), expected.map((e) => [e[0], e[1], e[4]]));
  assert.ok(rows.slice(0, 11).every((x) => x.upperBound === null));
  assert.ok(rows.slice(11).every((x) => typeof x.upperBound === 'number'));
});

test('spawned: a wrong option exits 64 with the usage line', async () => {
  const r = await runCli(['trends', 'weekly', VECTORS, '--method', 'c9']);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /--method must be c1, c2 or c3/);
  assert.match(r.stderr, /usage: seizures trends weekly FILE\.csv/);
});

test('the text format is an aligned table with "-" before the baseline and a summary line', async () => {
  const r = await run(['weekly', join(dir, 'r.csv'), '--alpha', '0.05']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines[0], 'week_start  count  upper_bound  alarm');
  assert.equal(lines[1], 'w01             1            -');
  assert.deepEqual(lines.slice(8, 12).map((l) => l.split(/\s+/)[2]), ['3.279', '3.279', '3.437', '3.856']);
  assert.equal(lines.at(-1), 'C1, alpha 0.05, min sigma 0: 0 alarms in 11 weeks');
});

test('json gives full-precision bounds in file order, whatever the column order', async () => {
  const r = await run(['weekly', join(dir, 'r.csv'), '--alpha', '0.05', '--format', 'json']);
  const rows = JSON.parse(r.out) as Array<{ week_start: string; upperBound: number | null }>;
  assert.equal(rows[0]!.week_start, 'w01');
  assert.deepEqual(rows.slice(7).map((x) => x.upperBound!.toFixed(6)), ['3.278854', '3.278854', '3.436517', '3.855617']);
});

test('--min-sigma floors the standard deviation', async () => {
  const r = await run(['weekly', join(dir, 'r.csv'), '--alpha', '0.05', '--min-sigma', '5', '--format', 'json']);
  const rows = JSON.parse(r.out) as Array<{ upperBound: number | null }>;
  // Week 8: baseline mean 12/7, sd 0.67 < 5, so the bound is 12/7 + 1.644854 x 5.
  assert.ok(Math.abs(rows[7]!.upperBound! - (12 / 7 + 1.6448536269514722 * 5)) < 1e-9);
});

test('bad rows exit 2 and each is named by its line', async () => {
  const r = await run(['weekly', join(dir, 'bad.csv')]);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err, /bad\.csv line 3: count 'two' is not a whole number >= 0/);
  assert.match(r.err, /bad\.csv line 5: count '-1'/);
});

test('a file without the week_start,count header exits 2', async () => {
  const r = await run(['weekly', join(dir, 'noheader.csv')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /line 1: the header must name the columns week_start and count/);
});

test('a file that cannot be read exits 2', async () => {
  const r = await run(['weekly', join(dir, 'missing.csv')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read .*missing\.csv: no such file/);
});

test('wrong usage is a UsageError: no subcommand, an unknown one, no file, alpha outside (0, 1), bad format', async () => {
  for (const args of [[], ['daily', 'x.csv'], ['weekly'], ['weekly', 'x.csv', '--alpha', '1'], ['weekly', 'x.csv', '--min-sigma', '-1'], ['weekly', 'x.csv', '--format', 'xml'], ['weekly', 'x.csv', '--bogus']]) {
    await assert.rejects(run(args), UsageError, JSON.stringify(args));
  }
});
