import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { phaseOverPhase, weeksIn } from '../../../../functions/core/trends/rate-ratio.ts';
import type { Counts, Dimension, PhaseAggregate } from '../../../../functions/core/trends/types.ts';

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${a} vs ${b}`);
const cells = (o: Record<string, number>): Counts => new Map(Object.entries(o).map(([k, lines]) => [k, { lines, members: 1 }]));

function phase(p: number, weeks: number, members: number, counts: Partial<Record<Dimension, Record<string, number>>>): PhaseAggregate {
  return {
    phase: p,
    weeks,
    participatingMembers: members,
    counts: Object.fromEntries(Object.entries(counts).map(([d, c]) => [d, cells(c)])),
  };
}

test('weeksIn counts both ends of a phase: STOP II phases are 154, 123 and 93 days', () => {
  const [p1, p2, p3] = loadOperationConfig().phases;
  assert.equal(weeksIn(p1!), 22);
  assert.equal(weeksIn(p2!), 123 / 7);
  assert.equal(weeksIn(p3!), 93 / 7);
});

test('the p-value is the exact binomial test of the earlier count with share E1/(E1+E2); figures are reported', () => {
  // E1 = 10 x 10 = 100, E2 = 10 x 30 = 300: share 0.25. scipy.stats.binomtest(5, 65, 0.25).pvalue = 0.000508724950641757.
  const [t] = phaseOverPhase(phase(1, 10, 10, { product: { x: 5 } }), phase(2, 10, 30, { product: { x: 60 } }));
  assert.equal(t!.earlier.lines, 5);
  assert.equal(t!.later.lines, 60);
  assert.equal(t!.earlier.exposure, 100);
  assert.equal(t!.later.exposure, 300);
  assert.equal(t!.rateRatio, 4); // (60/300) / (5/100)
  assert.ok(Math.abs(t!.p - 0.000508724950641757) < 1e-15);
  assert.equal(t!.q, t!.p); // one test: BH leaves it
  assert.equal(t!.trend, 'rising');
});

test('rising needs at least trendMinCount lines in the later phase', () => {
  // E1 = 900, E2 = 100: 0 then 4 lines is significant (p = P(0 | 4, 0.9) = 0.1^4) with an infinite ratio, but 4 < 5.
  const [t] = phaseOverPhase(phase(1, 9, 100, { product: { x: 0 } }), phase(2, 1, 100, { product: { x: 4 } }));
  assert.ok(t!.q < 0.05);
  assert.equal(t!.rateRatio, Infinity);
  assert.equal(t!.trend, 'none');
  const [five] = phaseOverPhase(phase(1, 9, 100, { product: {} }), phase(2, 1, 100, { product: { x: 5 } }));
  assert.equal(five!.trend, 'rising');
});

test('falling needs q < 0.05, ratio <= 1/2 and at least trendMinCount lines in the earlier phase', () => {
  // Equal exposure, 12 then 3: p = 2 (1 + 15 + 105 + 455) / 2^15 = 0.03515625, ratio 1/4.
  const [t] = phaseOverPhase(phase(1, 10, 10, { origin: { CN: 12 } }), phase(2, 10, 10, { origin: { CN: 3 } }));
  near(t!.p, 0.03515625);
  assert.equal(t!.rateRatio, 0.25);
  assert.equal(t!.trend, 'falling');
  const [four] = phaseOverPhase(phase(1, 1, 100, { origin: { CN: 4 } }), phase(2, 9, 100, { origin: {} }));
  assert.ok(four!.q < 0.05);
  assert.equal(four!.trend, 'none');
});

test('Benjamini-Hochberg runs across the tests of all dimensions together', () => {
  // p: product a 30 vs 10 = 0.0022214..., origin CN 12 vs 3 = 0.03515625, route r 3 vs 9 = 598/4096.
  // m = 3: q(CN) = 0.03515625 x 3 / 2 = 0.0527 > 0.05, so CN is no longer flagged although its p alone is.
  const res = phaseOverPhase(
    phase(1, 10, 10, { product: { a: 30 }, origin: { CN: 12 }, route: { r: 3 } }),
    phase(2, 10, 10, { product: { a: 10 }, origin: { CN: 3 }, route: { r: 9 } }),
  );
  assert.deepEqual(
    res.map((t) => t.dimension),
    ['product', 'origin', 'route'],
  );
  const cn = res.find((t) => t.key === 'CN')!;
  near(cn.q, (0.03515625 * 3) / 2);
  assert.equal(cn.trend, 'none');
  near(res.find((t) => t.key === 'r')!.q, 598 / 4096);
  assert.equal(res.find((t) => t.key === 'a')!.trend, 'falling');
});

test('keys seen in only one phase are tested, and the thresholds can be changed', () => {
  const res = phaseOverPhase(phase(1, 10, 10, { product: { old: 8 } }), phase(2, 10, 10, { product: { fresh: 8 } }), { trendQ: 0.001 });
  assert.deepEqual(res.map((t) => [t.key, t.earlier.lines, t.later.lines]).sort(), [
    ['fresh', 0, 8],
    ['old', 8, 0],
  ]);
  // p = 2 / 2^8 = 0.0078: under 0.05 but not under the stricter 0.001.
  for (const t of res) {
    near(t.p, 2 / 256);
    assert.equal(t.trend, 'none');
  }
});

test('a phase without exposure is refused', () => {
  assert.throws(() => phaseOverPhase(phase(1, 10, 0, {}), phase(2, 10, 10, {})), /exposure/);
});
