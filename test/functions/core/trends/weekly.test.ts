import { test } from 'vitest';
import assert from 'node:assert/strict';
import { weeklyAlarms, weeklySeries } from '../../../../functions/core/trends/weekly.ts';
import type { WeekAggregate } from '../../../../functions/core/trends/types.ts';

/** Consecutive Mondays from 2021-05-03, each with product counts. */
function weeks(products: Array<Record<string, number>>): WeekAggregate[] {
  return products.map((p, i) => ({
    week: new Date(Date.UTC(2021, 4, 3 + 7 * i)).toISOString().slice(0, 10),
    counts: { product: new Map(Object.entries(p).map(([k, lines]) => [k, { lines, members: 1 }])) },
  }));
}

test('weeklySeries gives every key a count per week, 0 where it was not seized', () => {
  const s = weeklySeries(weeks([{ a: 2 }, { b: 1 }, { a: 3, b: 4 }]), 'product');
  assert.deepEqual(s.get('a'), [2, 0, 3]);
  assert.deepEqual(s.get('b'), [0, 1, 4]);
});

test('weeklySeries refuses weeks that are not consecutive', () => {
  const w = weeks([{ a: 1 }, { a: 1 }, { a: 1 }]);
  assert.throws(() => weeklySeries([w[0]!, w[2]!], 'product'), /does not follow/);
});

test('weeklyAlarms reports a spike with its week, bound and score, using the operation minSigma by default', () => {
  // 'a' is flat at 1: with minSigma 0 a count of 2 would alarm; with the default floor 0.5 the bound is 1 + 3.09 x 0.5.
  const series = [...Array(7).fill({ a: 1 }), { a: 2 }, { a: 1 }, { a: 9 }];
  const alarms = weeklyAlarms(weeks(series));
  assert.deepEqual(
    alarms.map((a) => [a.key, a.week, a.count]),
    [['a', '2021-07-05', 9]],
  );
  assert.ok(alarms[0]!.upperBound > 2 && alarms[0]!.score > 3.09);
  assert.equal(weeklyAlarms(weeks(series), { minSigma: 0 })[0]!.week, '2021-06-21'); // the 2 now alarms too
});

test('weeklyAlarms with latestOnly keeps only the last week', () => {
  const series = [...Array(7).fill({ a: 1 }), { a: 9 }, { a: 1 }];
  assert.equal(weeklyAlarms(weeks(series)).length, 1);
  assert.equal(weeklyAlarms(weeks(series), { latestOnly: true }).length, 0);
});
