import { test } from 'vitest';
import assert from 'node:assert/strict';
import { rankRiskProfiles, riskScore } from '../../../../functions/core/trends/risk.ts';
import { compositeKey, type Cell, type PhaseAggregate } from '../../../../functions/core/trends/types.ts';

type P = [origin: string, mode: string, concealment: string, product: string, lines: number, members: number];

function phase(n: number, weeks: number, members: number, profiles: P[]): PhaseAggregate {
  const m = new Map<string, Cell>(profiles.map(([o, t, c, p, lines, mem]) => [compositeKey(o, t, c, p), { lines, members: mem }]));
  return { phase: n, weeks, participatingMembers: members, counts: { profile: m } };
}

test('riskScore = log2(1 + lines) x (1 + max(0, log2 RR)) x sqrt(members)', () => {
  assert.equal(riskScore(7, 4, 4), 3 * 3 * 2);
  assert.equal(riskScore(7, 4, 0.25), 3 * 1 * 2); // falling: growth factor stays 1
  assert.equal(riskScore(7, 4, undefined), 3 * 1 * 2); // no previous phase
});

test('growth and spread outrank sheer volume', () => {
  const prev = phase(1, 10, 10, [
    ['CN', 'post', 'none', 'big', 15, 1],
    ['IN', 'air', 'luggage', 'spread', 3, 9],
  ]);
  const cur = phase(2, 10, 10, [
    ['CN', 'post', 'none', 'big', 15, 1], // log2 16 x 1 x 1 = 4
    ['AE', 'sea', 'container', 'new', 7, 1], // RR = 7.5 / 0.5 = 15: 3 x (1 + log2 15) = 14.72
    ['IN', 'air', 'luggage', 'spread', 3, 9], // 2 x 1 x 3 = 6
  ]);
  const r = rankRiskProfiles(cur, prev);
  assert.deepEqual(
    r.map((x) => [x.rank, x.product]),
    [
      [1, 'new'],
      [2, 'spread'],
      [3, 'big'],
    ],
  );
  assert.ok(Math.abs(r[0]!.score - 3 * (1 + Math.log2(15))) < 1e-12);
  assert.deepEqual([r[0]!.lines, r[0]!.previousLines, r[0]!.rateRatio, r[0]!.members], [7, 0, 15, 1]);
});

test('the rate ratio is per exposure: the same lines over twice the previous exposure are growth', () => {
  const prev = phase(1, 10, 20, [['CN', 'post', 'none', 'x', 7, 1]]); // E = 200
  const cur = phase(2, 10, 10, [['CN', 'post', 'none', 'x', 7, 1]]); // E = 100
  const [r] = rankRiskProfiles(cur, prev);
  assert.equal(r!.rateRatio, 2);
  assert.equal(r!.score, 3 * 2 * 1);
});

test('equal scores are ordered by lines, then Members, then key', () => {
  // Without a previous phase, score = log2(1 + lines) sqrt(members): 3 lines, 4 Members = 2 x 2 = 4 = 15 lines, 1 Member.
  const cur = phase(1, 10, 10, [
    ['ZZ', 'air', 'none', 'b', 3, 4],
    ['AA', 'air', 'none', 'a', 15, 1],
    ['CN', 'air', 'none', 'c', 15, 1],
  ]);
  const r = rankRiskProfiles(cur);
  assert.deepEqual(
    r.map((x) => x.origin),
    ['AA', 'CN', 'ZZ'],
  );
  assert.ok(r.every((x) => x.rateRatio === undefined && x.previousLines === undefined));
});

test('top keeps the first profiles and a profile key without four parts is refused', () => {
  const cur = phase(1, 10, 10, [
    ['A', 'm', 'c', 'p', 1, 1],
    ['B', 'm', 'c', 'p', 2, 1],
    ['C', 'm', 'c', 'p', 3, 1],
  ]);
  assert.deepEqual(
    rankRiskProfiles(cur, undefined, { top: 2 }).map((x) => x.origin),
    ['C', 'B'],
  );
  const bad: PhaseAggregate = {
    phase: 1,
    weeks: 1,
    participatingMembers: 1,
    counts: { profile: new Map([[compositeKey('a', 'b'), { lines: 1, members: 1 }]]) },
  };
  assert.throws(() => rankRiskProfiles(bad), /4 parts/);
});
