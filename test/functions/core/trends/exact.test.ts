import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { binomMidPUpper, binomUpper, clopperPearson, newMembersP, noveltyP, pbeta, rateRatioInterval, weeklyConditionalTest } from '../../../../functions/core/trends/exact.ts';
import { binomPmf, binomTestTwoSided } from '../../../../functions/core/trends/stats.ts';
import { sharedTestdata } from './helpers.ts';

function csv(rel: string): Record<string, number>[] {
  const [header, ...rows] = readFileSync(sharedTestdata(rel), 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  return rows.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v === 'inf' ? Infinity : Number(v)])));
}

const close = (got: number, want: number, rel = 1e-8, what = '') => {
  if (want === Infinity) return assert.equal(got, Infinity, what);
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want) + 1e-300, `${what}: got ${got}, want ${want}`);
};

test('weekly exact conditional Poisson test equals SciPy on the shared vectors (p_upper and one-sided mid-p)', () => {
  const rows = csv('exact-tests/weekly-conditional-poisson.csv');
  assert.ok(rows.length >= 10);
  for (const r of rows) {
    const t = weeklyConditionalTest(r.count!, r.baseline_sum!, r.baseline_weeks!);
    close(t.pUpper, r.p_upper!, 1e-8, `p_upper ${JSON.stringify(r)}`);
    close(t.midP, r.mid_p!, 1e-8, `mid_p ${JSON.stringify(r)}`);
  }
});

test('rate-ratio p-value and exact 95% interval equal SciPy / R poisson.test on the shared vectors', () => {
  for (const r of csv('exact-tests/rate-ratio.csv')) {
    const n = r.y1! + r.y0!;
    const share = r.exposure1! / (r.exposure1! + r.exposure0!);
    close(binomTestTwoSided(r.y1!, n, share), r.p_two_sided!, 1e-7, `p ${JSON.stringify(r)}`);
    const ci = rateRatioInterval(r.y1!, r.exposure1!, r.y0!, r.exposure0!);
    close(ci.low, r.ci95_low!, 1e-7, `low ${JSON.stringify(r)}`);
    close(ci.high, r.ci95_high!, 1e-7, `high ${JSON.stringify(r)}`);
  }
});

test('binomial tails from the incomplete beta equal direct sums, for small and large n', () => {
  for (const [k, n, p] of [[3, 10, 0.2], [0, 5, 0.5], [7, 7, 0.9], [40, 300, 0.1], [2, 2000, 0.0005]] as const) {
    let s = 0;
    for (let j = k; j <= n; j++) s += binomPmf(j, n, p);
    close(binomUpper(k, n, p), s, 1e-10, `${k} ${n} ${p}`);
  }
  close(pbeta(0.3, 2, 5), 0.579825, 1e-5);
  close(binomMidPUpper(2, 3, 1 / 8), 3 * (1 / 64) * (7 / 8) * 0.5 + 1 / 512, 1e-12);
});

test('Clopper-Pearson bounds are where the tails equal 2.5%', () => {
  const { low, high } = clopperPearson(3, 20);
  close(binomUpper(3, 20, low), 0.025, 1e-9);
  close(1 - binomUpper(4, 20, high), 0.025, 1e-9);
  assert.deepEqual(clopperPearson(0, 5).low, 0);
  assert.deepEqual(clopperPearson(5, 5).high, 1);
});

test('novelty: rise from zero p_new = (E1 / (E0 + E1))^y1, and several new Members against the pooled rate', () => {
  close(noveltyP(3, 100, 50), (50 / 150) ** 3, 1e-14);
  assert.equal(noveltyP(0, 100, 50), 1);
  // 3 lines in a window of 1/10 the exposure: (1/11)^3 ≈ 7.5e-4.
  close(noveltyP(3, 10, 1), 1 / 1331, 1e-12);
  // k new Members out of 50 eligible, rate 0.01 per Member-week over 13 weeks: pi = 1 - exp(-0.13).
  const pi = -Math.expm1(-0.13);
  close(newMembersP(4, 50, 0.01, 13), binomUpper(4, 50, pi), 1e-14);
  assert.equal(newMembersP(0, 50, 0.01, 13), 1);
  assert.equal(newMembersP(51, 50, 0.01, 13), 0);
  assert.ok(newMembersP(20, 50, 0.01, 13) < 1e-6);
});
