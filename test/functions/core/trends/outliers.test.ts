import { test } from 'vitest';
import assert from 'node:assert/strict';
import { sizeOutliers } from './helpers.ts';
import type { SeizureSize } from '../../../../functions/core/trends/outliers.ts';

const sizes = (product: string, unit: string, qs: number[]): SeizureSize[] => qs.map((quantity, i) => ({ id: `${product}-${unit}-${i}`, product, unit, quantity }));

test('a seizure 0.6745 x 6 = 4.05 robust units above its product median is an outlier', () => {
  // log10: 1, 1, 2, 2, 3, 8; median 2; |deviations| 1, 1, 0, 0, 1, 6; MAD 1.
  const out = sizeOutliers(sizes('p', 'pieces', [10, 10, 100, 100, 1000, 1e8]));
  assert.deepEqual(out.map((o) => o.id), ['p-pieces-5']);
  assert.ok(Math.abs(out[0]!.score - 0.6745 * 6) < 1e-12);
  assert.deepEqual([out[0]!.medianLog10, out[0]!.madLog10, out[0]!.n], [2, 1, 6]);
});

test('a score just under the threshold is not an outlier (0.6745 x 5 = 3.37)', () => {
  assert.deepEqual(sizeOutliers(sizes('p', 'pieces', [10, 10, 100, 100, 1000, 1e7])), []);
});

test('a product whose MAD is 0 yields no outlier', () => {
  assert.deepEqual(sizeOutliers(sizes('p', 'pieces', [5, 5, 5, 5, 1e9])), []);
});

test('quantities in different units are separate groups', () => {
  // In kg alone 1e8 is an outlier; pooled with pieces of similar log size it would not be.
  const out = sizeOutliers([...sizes('p', 'kg', [10, 10, 100, 100, 1000, 1e8]), ...sizes('p', 'pieces', [1e7, 1e8, 1e8, 1e9])]);
  assert.deepEqual(out.map((o) => o.id), ['p-kg-5']);
});

test('small seizures are flagged only with twoSided, and the threshold is configurable', () => {
  const qs = [1e8, 1e8, 1e7, 1e7, 1e6, 10]; // mirror image: log10 8, 8, 7, 7, 6, 1
  assert.deepEqual(sizeOutliers(sizes('p', 'pieces', qs)), []);
  assert.deepEqual(sizeOutliers(sizes('p', 'pieces', qs), { twoSided: true }).map((o) => o.id), ['p-pieces-5']);
  assert.deepEqual(sizeOutliers(sizes('p', 'pieces', [10, 10, 100, 100, 1000, 1e8]), { threshold: 4.1 }), []);
});

test('quantities that are not positive are left out', () => {
  const out = sizeOutliers(sizes('p', 'pieces', [0, -3, 10, 10, 100, 100, 1000, 1e8]));
  assert.deepEqual(out.map((o) => [o.id, o.n]), [['p-pieces-7', 6]]);
});
