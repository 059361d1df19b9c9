import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  benjaminiHochberg,
  binomPmf,
  binomTestTwoSided,
  lgamma,
  mad,
  median,
  qnorm,
  sampleSd,
} from '../../../../functions/core/trends/stats.ts';

/** |a − b| <= rel |b| (or <= rel when b = 0). */
function close(a: number, b: number, rel: number, what = '') {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), b === 0 ? 1 : 0), `${what} ${a} vs ${b}`);
}

test('qnorm matches R qnorm to the printed digits at 0.999, 0.95 and 0.975', () => {
  assert.equal(qnorm(0.999).toFixed(6), '3.090232');
  assert.equal(qnorm(0.95).toFixed(6), '1.644854');
  assert.equal(qnorm(0.975).toFixed(6), '1.959964');
});

test('qnorm is accurate in the far tails (values from scipy.stats.norm.ppf)', () => {
  close(qnorm(1e-10), -6.361340902404056, 1e-14, 'p=1e-10');
  close(qnorm(0.02), -2.053748910631823, 1e-14, 'p=0.02');
  close(qnorm(1e-300), -37.0470962993612, 1e-14, 'p=1e-300');
  close(qnorm(0.3), -0.5244005127080409, 1e-14, 'p=0.3');
});

test('qnorm is odd around 1/2: qnorm(1 − p) = −qnorm(p)', () => {
  fc.assert(
    // From 1e-6 up: below, 1 − p itself is rounded by more than the quantile's accuracy.
    fc.property(fc.double({ min: 1e-6, max: 0.5, noNaN: true }), (p) => {
      const [a, b] = [qnorm(1 - p), -qnorm(p)];
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.abs(b) + 1e-14, `${p}: ${a} vs ${b}`);
    }),
  );
});

test('qnorm gives ±Infinity at 0 and 1 and NaN outside [0, 1]', () => {
  assert.equal(qnorm(0), -Infinity);
  assert.equal(qnorm(1), Infinity);
  assert.ok(Number.isNaN(qnorm(-0.1)));
  assert.ok(Number.isNaN(qnorm(1.1)));
});

test('lgamma of whole numbers is ln of the factorial, summed directly', () => {
  let lnFact = 0;
  for (let n = 1; n <= 200; n++) {
    lnFact += Math.log(n);
    close(lgamma(n + 1), lnFact, 1e-13, `n=${n}`);
  }
});

test('lgamma at half-integers and large arguments (ln √π; scipy gammaln)', () => {
  close(lgamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
  close(lgamma(100.5), 361.4355404677776, 1e-14);
  close(lgamma(5001), 37591.14350887677, 1e-15);
});

test('binomPmf on small cases enumerated by hand', () => {
  close(binomPmf(0, 4, 0.5), 1 / 16, 1e-14);
  close(binomPmf(2, 4, 0.5), 6 / 16, 1e-14);
  close(binomPmf(1, 3, 0.3), 3 * 0.3 * 0.49, 1e-14);
  assert.equal(binomPmf(5, 4, 0.5), 0);
  assert.equal(binomPmf(0, 5, 0), 1);
  assert.equal(binomPmf(5, 5, 1), 1);
});

test('binomPmf sums to 1 over 0..n for n in the thousands', () => {
  let s = 0;
  for (let k = 0; k <= 3000; k++) s += binomPmf(k, 3000, 0.37);
  // ln C(3000, k) is a difference of terms near 2e4, so each pmf carries ~1e-12 relative rounding: far below what a p-value needs.
  close(s, 1, 1e-10);
});

test('binomTestTwoSided on cases enumerated by hand', () => {
  // n = 3, p = 0.3: P = 0.343, 0.441, 0.189, 0.027.
  close(binomTestTwoSided(3, 3, 0.3), 0.027, 1e-12);
  close(binomTestTwoSided(2, 3, 0.3), 0.189 + 0.027, 1e-12);
  close(binomTestTwoSided(1, 3, 0.3), 1, 1e-12);
  // n = 4, p = 1/2: both ends, 2/16.
  close(binomTestTwoSided(0, 4, 0.5), 2 / 16, 1e-12);
});

test('binomTestTwoSided counts the mirror outcome of equal probability (R relative tolerance)', () => {
  // n = 10, p = 1/2, x = 3: P(3) = P(7) in exact arithmetic; p = 2 (1 + 10 + 45 + 120) / 1024.
  close(binomTestTwoSided(3, 10, 0.5), 352 / 1024, 1e-12);
  close(binomTestTwoSided(7, 10, 0.5), 352 / 1024, 1e-12);
});

test('binomTestTwoSided reproduces R binom.test p-values', () => {
  assert.equal(binomTestTwoSided(7, 20, 0.5).toFixed(4), '0.2632');
  assert.equal(binomTestTwoSided(682, 925, 0.75).toFixed(4), '0.3825');
  assert.equal(binomTestTwoSided(0, 10, 0.5).toPrecision(4), '0.001953');
});

test('binomTestTwoSided stays exact for n in the thousands (scipy.stats.binomtest)', () => {
  close(binomTestTwoSided(1200, 5000, 0.22), 0.0007234637312118227, 1e-9);
  close(binomTestTwoSided(900, 2000, 0.5), 8.45708953550381e-6, 1e-9);
  close(binomTestTwoSided(40, 3000, 0.02), 0.0073806350936287245, 1e-9);
});

test('binomTestTwoSided is 1 when x equals n p and refuses x outside 0..n', () => {
  assert.equal(binomTestTwoSided(5, 10, 0.5), 1);
  assert.throws(() => binomTestTwoSided(11, 10, 0.5), RangeError);
  assert.throws(() => binomTestTwoSided(1.5, 10, 0.5), RangeError);
});

test('benjaminiHochberg matches p.adjust(method = "BH") and leaves NaN out of m', () => {
  // Sorted p 0.01, 0.03, 0.04, 0.04, 0.2, 0.5 (m = 6): 6p/rank = 0.06, 0.09, 0.08, 0.06, 0.24, 0.5, then running min from the top.
  const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2, 0.04, 0.5, NaN]);
  [0.06, 0.06, 0.06, 0.24, 0.06, 0.5].forEach((v, i) => close(q[i]!, v, 1e-12, `q[${i}]`));
  assert.ok(Number.isNaN(q[6]!));
});

test('benjaminiHochberg caps q at 1 and is monotone in p', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (p) => {
      const q = benjaminiHochberg(p);
      p.forEach((pi, i) => {
        assert.ok(q[i]! >= pi - 1e-15 && q[i]! <= 1);
        p.forEach((pj, j) => {
          if (pi < pj) assert.ok(q[i]! <= q[j]! + 1e-15);
        });
      });
    }),
  );
});

test('median and unscaled MAD', () => {
  assert.equal(median([3, 1, 100, 2, 4]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(mad([1, 2, 3, 4, 100]), 1); // |x − 3| = 2, 1, 0, 1, 97
  assert.ok(Number.isNaN(median([])));
});

test('sampleSd divides by n − 1 like R sd()', () => {
  // mean 12/7; squared deviations 4 (5/7)² + 2 (9/7)² + (2/7)² = 266/49.
  close(sampleSd([1, 1, 1, 3, 3, 1, 2]), Math.sqrt(266 / 49 / 6), 1e-14);
  close(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-14);
  assert.ok(Number.isNaN(sampleSd([1])));
});
