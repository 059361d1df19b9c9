/**
 * The figures the signals bench sets its goals against (power.ts): the analytic C* must be right for the goals to
 * mean anything, so it is checked against a simulation of the same test, and the mid-p and Wilson helpers against
 * reference values (SciPy's, in ../shared/testdata/exact-tests/, and the textbook Wilson interval).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { binomMidPUpper } from '../../functions/core/trends/exact.ts';
import { Rng } from '../../bin/demo/rng.ts';
import { conditionalPower, cStar, midPTwoSided, wilson } from './power.ts';

function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > l; p *= rng.next()) k++;
  return k;
}

test('conditionalPower equals a simulation of the same one-sided mid-p test (rise and fall)', () => {
  const rng = new Rng(7);
  for (const [l0, l1, share, alpha, up] of [
    [8, 24, 0.5, 0.001, true],
    [16, 4, 1 / 3, 0.001, false],
    [40, 13.3, 0.5, 0.01, false],
  ] as const) {
    const n = 20_000;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const y0 = poisson(rng, l0);
      const y1 = poisson(rng, l1);
      if (y0 + y1 === 0) continue;
      const p = up ? binomMidPUpper(y1, y0 + y1, share) : binomMidPUpper(y0, y0 + y1, 1 - share);
      if (p < alpha) hits++;
    }
    const exact = conditionalPower(l0, l1, share, alpha, up);
    // Four standard errors of the simulated proportion.
    assert.ok(Math.abs(hits / n - exact) < 4 * Math.sqrt((exact * (1 - exact)) / n) + 1e-3, `${l0},${l1}: ${hits / n} vs ${exact}`);
  }
});

test('C* grows with the size and the count of a change, and is no power at all for no change', () => {
  const at = (kind: 'rise' | 'fall', size: number, expected: number) => cStar({ kind, size, expected }, 25, 12);
  assert.ok(at('rise', 5, 10) > at('rise', 3, 10));
  assert.ok(at('rise', 3, 30) > at('rise', 3, 10));
  assert.ok(at('fall', 3, 80) > at('fall', 3, 30));
  assert.ok(at('rise', 1, 30) < 0.01);
  assert.ok(at('rise', 3, 30) >= 0.95, 'a 3x rise on 30 lines is in G1');
  assert.ok(at('fall', 3, 10) < 0.2, 'a 3x fall from 10 lines is out of reach of any test');
});

test("midPTwoSided is twice the smaller one-sided mid-p (SciPy's weekly mid-p values)", () => {
  // count 8, baseline 24 over 12 weeks: mid_p 0.001459966343 (upper); two-sided twice that.
  assert.ok(Math.abs(midPTwoSided(8, 32, 1 / 13) - 2 * 0.001459966343) < 1e-9);
  // count 0 against 5 in 12 weeks: mid_p upper 0.6649115389, so the lower tail is the smaller.
  assert.ok(Math.abs(midPTwoSided(0, 5, 1 / 13) - 2 * (1 - 0.6649115389)) < 1e-9);
  assert.equal(midPTwoSided(0, 0, 0.5), 1);
});

test('wilson gives the score interval', () => {
  const w = wilson(5, 10);
  assert.ok(Math.abs(w.low - 0.2365931) < 1e-6 && Math.abs(w.high - 0.7634069) < 1e-6);
  assert.deepEqual(wilson(0, 0), { low: 0, high: 1 });
  assert.ok(wilson(200, 200).low > 0.98);
});
