/**
 * The signals bench's plants (scenarios.ts) are what its goals assume: a rise of size x is Poisson extra cases, size x
 * in cases and in lines on average, with the noise of real counts and over a varying number of Members. A fixed count
 * of one-line cases (the earlier plant) flattered rises.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { scenario } from './scenarios.ts';

test('a planted rise adds Poisson cases: (size - 1) x the expected lines on average, varying from run to run, over varying Members', () => {
  const added: number[] = [];
  const members = new Set<number>();
  for (let seed = 1; seed <= 40; seed++) {
    const sc = scenario(seed, [{ kind: 'rise', size: 3, expected: 20, members: 3 }]);
    const p = sc.planted[0]!;
    added.push(p.lines);
    const planted = sc.lines.filter((l) => l.case_ref.startsWith('P'));
    assert.ok(planted.every((l) => l.product === p.product && l.phase === p.phase));
    members.add(new Set(planted.map((l) => l.reporting_member)).size);
  }
  const mean = added.reduce((a, b) => a + b, 0) / added.length;
  assert.ok(Math.abs(mean / 40 - 1) < 0.2, `mean lines added ${mean}, expected about 40`);
  assert.ok(new Set(added).size > 10, 'the count varies as a Poisson count does');
  assert.ok(members.size > 3, 'the Members it is spread over vary');
});
