/**
 * functions/core is in rooms by job, listed lowest first in its README: a room imports only the rooms listed before it,
 * so each can be read knowing only those. This test reads that table and every import of the core, and fails on an
 * import that runs back up, on a loose .ts file beside the rooms, and on a room the README does not describe.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const core = resolve(dirname(fileURLToPath(import.meta.url)), '../../../functions/core');
const readme = readFileSync(join(core, 'README.md'), 'utf8');
const order = [...readme.matchAll(/^\| `([a-z-]+)\/` \|/gm)].map((m) => m[1]!);

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (/\.tsx?$/.test(e.name)) yield p;
  }
}

test('the README lists every room of functions/core, and each room has a README', () => {
  const rooms = readdirSync(core, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.deepEqual([...order].sort(), [...rooms].sort());
  for (const r of rooms) assert.ok(existsSync(join(core, r, 'README.md')), `${r}/README.md`);
});

test('functions/core has no loose .ts file: each lives in the room of its job', () => {
  const loose = readdirSync(core).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(loose, []);
});

test('no import runs back up: a room imports only rooms listed before it', () => {
  const wrong: string[] = [];
  for (const file of tsFiles(core)) {
    const from = relative(core, file).split('/')[0]!;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(core, resolve(dirname(file), m[1]!));
      if (target.startsWith('..')) continue;
      const to = target.split('/')[0]!;
      if (to !== from && order.indexOf(to) > order.indexOf(from)) wrong.push(`${relative(core, file)} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no two modules of bin/, lib/ or functions/ import each other', () => {
  const repo = resolve(core, '../..');
  const imports = new Map<string, Set<string>>();
  for (const top of ['bin', 'lib', 'functions']) {
    for (const file of tsFiles(join(repo, top))) {
      if (file.includes('node_modules') || file.includes(`${join('functions', 'web', 'dist')}`)) continue;
      const set = new Set<string>();
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+\.tsx?)'/g))
        set.add(resolve(dirname(file), m[1]!));
      imports.set(file, set);
    }
  }
  const circles: string[] = [];
  for (const [a, tos] of imports)
    for (const b of tos) if (a < b && imports.get(b)?.has(a)) circles.push(`${relative(repo, a)} <-> ${relative(repo, b)}`);
  assert.deepEqual(circles, []);
});
