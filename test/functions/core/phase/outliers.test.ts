/**
 * The outlier signal's tail (outliers.ts scoreTail): a score against a median and MAD of n sizes is Student's t with
 * the MAD's share of the degrees of freedom, so a product of few seizures needs a larger score than the normal tail
 * asked (on quiet operations the normal tail made an outlier signal in 4% of phase 1 closes), while a large product
 * keeps the normal's answer.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { MAD_EFFICIENCY, scoreTail } from '../../../../functions/core/phase/outliers.ts';
import { pnormUpper } from '../../../../functions/core/trends/exact.ts';

const near = (a: number, b: number, rel = 1e-6) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);

test("scoreTail is Student's t upper tail with MAD_EFFICIENCY (n - 1) degrees of freedom", () => {
  // df = 1 (Cauchy): P(T > 1) = 1/4; df = 10: P(T > 2.228139) = 0.025 (tables; R: pt(2.228139, 10, lower = FALSE)).
  near(scoreTail(1, 1 + 1 / MAD_EFFICIENCY), 0.25);
  near(scoreTail(2.228139, 1 + 10 / MAD_EFFICIENCY), 0.025, 1e-5);
  // Fewer than 1 degree of freedom is held at 1.
  near(scoreTail(1, 2), 0.25);
});

test('a small product needs a larger score than the normal tail asked; a large one keeps the normal answer', () => {
  assert.ok(scoreTail(4, 30) > 20 * pnormUpper(4), 'n = 30: far heavier than normal');
  near(scoreTail(4, 1_000_000), pnormUpper(4), 1e-3);
});
