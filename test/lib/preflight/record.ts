/**
 * The recording of the AWS calls a test file's code makes (functions/core/platform/aws.ts, PREFLIGHT_RECORD_CALLS),
 * kept in lib/preflight/calls/<name>.json for `seizures preflight`. A test file calls `recordCalls(name)` before
 * it creates any client or cloud, then `callsAreCurrent(...)` at its end: the recording, its local names replaced by
 * the stack outputs they stand for and its run-specific parts (times, ids) made constant, must hold no call the kept
 * file lacks. Refresh: `PREFLIGHT_UPDATE_CALLS=1 npx vitest run --config test/vitest.config.ts <the test file>`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { RECORD_CALLS_ENV } from '../../../functions/core/platform/aws.ts';
import { PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import type { RecordedCall } from '../../../lib/preflight/actions.ts';
import type { CallsFile } from '../../../lib/preflight/calls.ts';

export const CALLS_DIR = join(PROJECT_ROOT, 'lib/preflight/calls');

/** Switches the recording on for this process and the CLI processes it starts; returns the raw file. */
export function recordCalls(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'preflight-calls-')), 'calls.jsonl');
  writeFileSync(file, '');
  process.env[RECORD_CALLS_ENV] = file;
  return file;
}

/** The run-specific parts of keys and names, made constant so that two runs record the same calls. */
const VOLATILE: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-[0-9a-f]{6}/g, '2026-01-01T00-00-00Z-000000'],
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '2026-01-01T00:00:00.000Z'],
  [/(smoke-)\d{8}[0-9a-f]{6}/gi, '$120260101000000'],
  [/\d{4}-\d{2}-\d{2}/g, '2026-01-01'],
  [/seq:[0-9A-F]{16}/g, 'seq:0000000000000000'],
  // A share's random id (22 base64url characters) in its keys and photo paths, a push subscription's endpoint digest.
  [/(SHARE#|shares\/)[A-Za-z0-9_-]{22}\b/g, '$1AAAAAAAAAAAAAAAAAAAAAA'],
  [/(SUB#)[0-9a-f]{32}\b/g, '$100000000000000000000000000000000'],
  // The lake's file of each Member (one PutObject per Member of the operation): the same call, the same grant.
  [/(lake\/[^/]+\/lines\/phase=\d+\/member=)[A-Z]{2}\//g, '$1XX/'],
  // The heads' shard of a case (a hash of its reference): which shards a run touches varies with the references.
  [/(HEADS#[A-Z]{2}#)\d+/g, '$1000'],
  [/(?<=-)1\d{12}\b/g, '1700000000000'],
  [/#[0-9a-f]{16}\b/g, '#0000000000000000'],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '00000000-0000-0000-0000-000000000000'],
];

/**
 * The calls of a raw recording, as kept: the harness's own calls (no caller: the local cloud setting itself up, the
 * tests' own checks) left out; local names -> `{Output}`; volatile parts constant; each distinct call once, sorted.
 */
export function normalise(rawFile: string, names: Record<string, string>): RecordedCall[] {
  const lines = readFileSync(rawFile, 'utf8').split('\n').filter(Boolean);
  const byName = Object.entries(names).sort(([a], [b]) => b.length - a.length);
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const [local, output] of byName) if (s === local) return `{${output}}`;
      for (const [local, output] of byName) {
        s = s.split(`${local}:`).join(`{${output}}:`);
        // An execution of a state machine: its ARN with :execution: for :stateMachine:.
        if (local.includes(':stateMachine:'))
          s = s.split(`${local.replace(':stateMachine:', ':execution:')}:`).join(`{${output}@execution}:`);
      }
      for (const [re, to] of VOLATILE) s = s.replace(re, to);
      return s;
    }
    if (Array.isArray(v)) return [...new Set(v.map((x) => JSON.stringify(fix(x))))].sort().map((x) => JSON.parse(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k) as string, fix(x)]));
    return v;
  };
  const seen = new Map<string, RecordedCall>();
  for (const line of lines) {
    const c = JSON.parse(line) as RecordedCall;
    if (c.who === 'unknown') continue;
    const n = { who: c.who, service: c.service, command: c.command, input: fix(c.input) as Record<string, unknown> };
    seen.set(JSON.stringify(n), n);
  }
  // The same call for each of 160 Members (or contacts) is one call: the first few of each shape (Member codes as XX,
  // addresses as EMAIL) are kept.
  const shapes = new Map<string, number>();
  return [...seen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([k]) => {
      const shape = k.replace(/(?<=[#/-])[A-Z]{2}(?=[#/".-])/g, 'XX').replace(/[^#"/ ]+@[^#"/ ]+/g, 'EMAIL');
      const n = (shapes.get(shape) ?? 0) + 1;
      shapes.set(shape, n);
      return n <= PER_SHAPE;
    })
    .map(([, c]) => c);
}

/** How many calls of one shape (differing only by Member codes) are kept. */
const PER_SHAPE = 3;

/**
 * Fails when the code made a call lib/preflight/calls/<name>.json does not hold (a call the preflight never checked),
 * or, on refresh (PREFLIGHT_UPDATE_CALLS=1), writes the file.
 */
export function callsAreCurrent(name: string, rawFile: string, names: Record<string, string>, testFile: string): void {
  const calls = normalise(rawFile, names);
  if (dirname(rawFile).includes('preflight-calls-')) rmSync(dirname(rawFile), { recursive: true, force: true });
  const file = join(CALLS_DIR, `${name}.json`);
  const rel = relative(PROJECT_ROOT, testFile);
  const refresh = `PREFLIGHT_UPDATE_CALLS=1 npx vitest run --config test/vitest.config.ts ${rel}`;
  if (process.env.PREFLIGHT_UPDATE_CALLS === '1') {
    const kept: CallsFile = { recordedBy: rel, refresh, calls };
    writeFileSync(file, `${JSON.stringify(kept, null, 1)}\n`);
    return;
  }
  assert.ok(existsSync(file), `${relative(PROJECT_ROOT, file)} is missing: record it with \`${refresh}\``);
  const kept = JSON.parse(readFileSync(file, 'utf8')) as CallsFile;
  const known = new Set(kept.calls.map((c) => JSON.stringify(c)));
  const fresh = calls.filter((c) => !known.has(JSON.stringify(c)));
  assert.deepEqual(
    fresh.map((c) => `${c.who} ${c.service} ${c.command} ${JSON.stringify(c.input)}`.slice(0, 300)),
    [],
    `the code now makes AWS calls ${relative(PROJECT_ROOT, file)} does not hold, so \`seizures preflight\` never checked them: refresh it with \`${refresh}\`, then run the preflight`,
  );
}
