import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedTestdata } from './helpers.ts';
import { earsC, type EarsMethod } from '../../../../functions/core/trends/ears.ts';

// The shared reference vectors sit beside the repository: <repo root>/../shared/testdata/ears (CI has the same layout).
const VECTORS = sharedTestdata('ears/weekly-alarms.csv');

function readVectors() {
  const [header, ...rows] = readFileSync(VECTORS, 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  return rows.map((line) => Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v])) as Record<string, string>);
}

function reproduces(method: EarsMethod) {
  const rows = readVectors();
  assert.equal(rows.length, 105);
  const got = earsC(
    rows.map((r) => Number(r.count)),
    { method, alpha: 0.001 },
  );
  const expected = rows.map((r) => r[`alarm_${method}`] === '1');
  const differ = rows.filter((_, i) => got[i]!.alarm !== expected[i]).map((r) => r.week_start);
  assert.deepEqual(differ, [], `weeks where ${method} disagrees with R`);
  assert.ok(expected.some(Boolean), 'the vector has alarms to reproduce');
}

test('C1 reproduces R surveillance::earsC alarms on the shared vector, week for week', () => reproduces('c1'));
test('C2 reproduces R surveillance::earsC alarms on the shared vector, week for week', () => reproduces('c2'));
test('C3 reproduces R surveillance::earsC alarms on the shared vector, week for week', () => reproduces('c3'));

test("C1 at alpha 0.05 gives R's unit-test upper bounds and no alarm", () => {
  const r = earsC([1, 1, 1, 3, 3, 1, 2, 1, 0, 3, 3], { method: 'c1', alpha: 0.05 });
  assert.deepEqual(
    r.slice(7).map((w) => w.upperBound!.toFixed(6)),
    ['3.278854', '3.278854', '3.436517', '3.855617'],
  );
  assert.ok(r.every((w) => !w.alarm));
});

test('weeks before the baseline exists have no bound and no alarm: 7 for C1, 9 for C2, 11 for C3', () => {
  const counts = Array.from({ length: 15 }, (_, i) => (i * 7) % 5);
  for (const [method, first] of [['c1', 7], ['c2', 9], ['c3', 11]] as const) {
    const r = earsC(counts, { method });
    assert.ok(r.slice(0, first).every((w) => w.upperBound === undefined && w.mean === undefined && !w.alarm), method);
    assert.ok(r.slice(first).every((w) => typeof w.upperBound === 'number'), method);
  }
});

test('C2 leaves a 2-week guard band: its baseline is weeks t-9 .. t-3', () => {
  // Weeks 0..6 are 1, weeks 7 and 8 are 50 (inside the guard band of week 9), week 9 is 2.
  const r = earsC([1, 1, 1, 1, 1, 1, 1, 50, 50, 2], { method: 'c2', minSigma: 0.5 });
  assert.equal(r[9]!.mean, 1);
  assert.equal(r[9]!.sd, 0.5);
});

test('minSigma floors the standard deviation of a flat baseline', () => {
  const flat = [2, 2, 2, 2, 2, 2, 2, 3];
  assert.equal(earsC(flat, { method: 'c1' })[7]!.alarm, true); // σ = 0: any count above the mean alarms
  const floored = earsC(flat, { method: 'c1', minSigma: 0.5 })[7]!;
  assert.equal(floored.sd, 0.5);
  assert.ok(Math.abs(floored.upperBound! - (2 + 3.090232306167813 * 0.5)) < 1e-12);
  assert.equal(floored.alarm, false);
});

test('C3 follows R: bound = max(0, count + σ (z − lagged C2 excess)), so a zero week after two spikes does not alarm', () => {
  const base = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
  const spikes = [20, 20];
  const afterZero = earsC([...base, ...spikes, 0], { method: 'c3' })[12]!;
  assert.ok(afterZero.score! > 3.09, 'the two spikes push the lag sum above z');
  assert.equal(afterZero.upperBound, 0);
  assert.equal(afterZero.alarm, false);
  const afterOne = earsC([...base, ...spikes, 1], { method: 'c3' })[12]!;
  assert.equal(afterOne.alarm, true);
});

test('C1/C2 score is (count − mean) / σ and alarms exactly when it exceeds z(1 − α)', () => {
  const counts = [3, 5, 2, 4, 6, 3, 4, 9, 12, 4, 5];
  for (const w of earsC(counts, { method: 'c1', alpha: 0.01 }).slice(7)) {
    assert.ok(Math.abs(w.score! - (w.count - w.mean!) / w.sd!) < 1e-12);
    assert.equal(w.alarm, w.score! > 2.3263478740408408);
  }
});

test('earsC refuses an unknown method, alpha outside (0, 1) and a negative minSigma', () => {
  assert.throws(() => earsC([1], { method: 'c4' as EarsMethod }), RangeError);
  assert.throws(() => earsC([1], { method: 'c1', alpha: 1 }), RangeError);
  assert.throws(() => earsC([1], { method: 'c1', minSigma: -1 }), RangeError);
});
