/** The rules behind every signal (issue 8): novelty tested, minimum counts and Members, the exact weekly test across series, trends. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { exactWeeklyAlarms } from '../../../../functions/core/trends/alarms.ts';
import { noveltyP, weeklyConditionalTest } from '../../../../functions/core/trends/exact.ts';
import { testNewItems, transitCounts, type NoveltyWindow } from '../../../../functions/core/trends/novelty-test.ts';
import { minAttainableP, phaseOverPhase, taroneFamily } from '../../../../functions/core/trends/rate-ratio.ts';
import { binomTestTwoSided } from '../../../../functions/core/trends/stats.ts';
import type { Cell, Counts, PhaseAggregate, WeekAggregate } from '../../../../functions/core/trends/types.ts';

type Spec = Record<string, [lines: number, members: string[]]>;
const counts = (s: Spec = {}): Counts =>
  new Map<string, Cell>(Object.entries(s).map(([k, [lines, m]]) => [k, { lines, members: new Set(m) }]));
const members = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `M${i + from}`);

function win(o: Partial<NoveltyWindow> & { base?: Record<string, Spec>; now?: Record<string, Spec> }): NoveltyWindow {
  const dc = (x: Record<string, Spec> = {}) => Object.fromEntries(Object.entries(x).map(([d, s]) => [d, counts(s)]));
  return {
    baseline: dc(o.base),
    window: dc(o.now),
    baselineExposure: o.baselineExposure ?? 60 * 22,
    windowExposure: o.windowExposure ?? 60 * 13,
    windowWeeks: o.windowWeeks ?? 13,
    windowReporters: o.windowReporters ?? new Set(members(60)),
  };
}

test('novelty: a route new with 12 lines at 4 Members is flagged; one line at one Member goes to the annex untested', () => {
  const items = testNewItems(
    win({
      base: { route: { 'CN>FR': [40, ['FR']] } },
      now: { route: { 'CN>FR': [20, ['FR']], 'TR>BG>RO>DE': [12, ['BG', 'RO', 'DE', 'HU']], 'IN>ES': [1, ['ES']] } },
    }),
  );
  const route = items.find((i) => i.kind === 'route' && i.key === 'TR>BG>RO>DE')!;
  assert.equal(route.flagged, true);
  assert.ok(Math.abs(route.p! - noveltyP(12, 60 * 22, 60 * 13)) < 1e-18);
  const one = items.find((i) => i.key === 'IN>ES')!;
  assert.deepEqual([one.flagged, one.p], [false, undefined]);
  assert.ok(!items.some((i) => i.key === 'CN>FR'), 'a route seen in the baseline is not new');
});

test('novelty: minimum lines (3) and Members (2): 5 lines at one Member is neither tested nor flagged', () => {
  const items = testNewItems(
    win({ now: { origin: { TR: [5, ['DE']], VN: [2, ['DE', 'FR']], PK: [6, ['DE', 'FR']] } }, baselineExposure: 1000, windowExposure: 10 }),
  );
  const by = (k: string) => items.find((i) => i.key === k)!;
  assert.deepEqual([by('TR').flagged, by('TR').p], [false, undefined], 'one Member: cannot be flagged, so not tested');
  assert.equal(by('VN').p, undefined, 'under 3 lines: not tested');
  assert.equal(by('PK').flagged, true);
});

test('novelty: new transit countries are derived from routes, and tested like routes', () => {
  const t = transitCounts(counts({ 'TR>BG>RO>DE': [4, ['DE', 'RO']], 'TR>BG>AT': [3, ['AT']], 'CN>FR': [9, ['FR']] }));
  assert.deepEqual(
    [...t].map(([k, c]) => [k, c.lines, (c.members as Set<string>).size]),
    [
      ['BG', 7, 3],
      ['RO', 4, 2],
    ],
  );
  const items = testNewItems(
    win({
      base: { route: { 'CN>RO>FR': [5, ['FR']] } },
      now: { route: { 'TR>BG>RO>DE': [4, ['DE', 'RO']], 'TR>BG>AT': [3, ['AT']] } },
      baselineExposure: 60 * 40,
      windowExposure: 60 * 4,
    }),
  );
  assert.ok(items.some((i) => i.kind === 'transit' && i.key === 'BG' && i.flagged));
  assert.ok(!items.some((i) => i.kind === 'transit' && i.key === 'RO'), 'RO was a transit country before');
});

test('novelty: a product newly seized by many Members is flagged only when more are new than its pooled rate explains', () => {
  // A common product: in the baseline at 50 of 60 Members; 8 new Members is what its rate predicts.
  const common = testNewItems(
    win({ base: { product: { face_mask: [900, members(50)] } }, now: { product: { face_mask: [600, members(58)] } } }),
  );
  const c = common.find((i) => i.kind === 'product_multi_member')!;
  assert.equal(c.members, 8);
  assert.equal(c.flagged, false);
  // A product at 2 Members before, 45 new Members in the window: far more than its pooled rate predicts (about 25).
  const spread = testNewItems(
    win({ base: { product: { oxygen_cylinder: [2, ['M0', 'M1']] } }, now: { product: { oxygen_cylinder: [90, members(47)] } } }),
  );
  const s = spread.find((i) => i.kind === 'product_multi_member')!;
  assert.deepEqual([s.members, s.flagged], [45, true]);
  assert.ok(s.expected! > 20 && s.expected! < 30);
  // A Member's own first time is listed (annex), never flagged.
  assert.ok(spread.filter((i) => i.kind === 'product_at_member').every((i) => !i.flagged && i.p === undefined));
});

test('novelty: BH runs across every rise from zero together', () => {
  // 40 new routes of 3 lines at 2 Members, each p = (1/3)^3 = 0.037: none survives the family.
  const now: Spec = {};
  for (let i = 0; i < 40; i++) now[`C${i}>FR`] = [3, ['FR', 'DE']];
  const items = testNewItems(win({ now: { route: now }, baselineExposure: 200, windowExposure: 100 }));
  assert.ok(items.every((i) => !i.flagged));
  assert.ok(items.every((i) => i.q! >= i.p!));
});

test('novelty: candidates at one Member (each new route to its destination) do not dilute the family', () => {
  // A new origin of 10 lines at 3 Members, E0 = E1: p = 0.5^10 = 0.000977. With 15 one-Member new routes of 3 lines
  // in the family it would need q < 0.01 among 17 tests; they cannot be flagged, so they are not tested.
  const route: Spec = {};
  for (let i = 0; i < 15; i++) route[`TR>X${i}`] = [3, [`X${i}`]];
  const items = testNewItems(win({ now: { origin: { TR: [10, ['A', 'B', 'C']] }, route }, baselineExposure: 500, windowExposure: 500 }), {
    q: 0.01,
  });
  const tr = items.find((i) => i.kind === 'origin' && i.key === 'TR')!;
  assert.ok(Math.abs(tr.p! - 0.5 ** 10) < 1e-15);
  assert.ok(Math.abs(tr.q! - 0.5 ** 10) < 1e-15, 'the only tested candidate: q = p');
  assert.equal(tr.flagged, true);
  assert.ok(items.filter((i) => i.kind === 'route').every((i) => i.p === undefined && !i.flagged));
});

function weeks(series: Record<string, number[]>, membersPerWeek = 3): WeekAggregate[] {
  const n = Object.values(series)[0]!.length;
  return Array.from({ length: n }, (_, t) => ({
    week: new Date(Date.UTC(2021, 0, 4 + 7 * t)).toISOString().slice(0, 10),
    counts: {
      product: counts(Object.fromEntries(Object.entries(series).map(([k, s]) => [k, [s[t]!, members(Math.min(membersPerWeek, s[t]!))]]))),
    },
  }));
}

test('exact weekly test: a week of 20 against 29 in 12 weeks alarms, with the SciPy mid-p and the expected count', () => {
  const base = [2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 2];
  const a = exactWeeklyAlarms(weeks({ tramadol: [...base, 20] }), { dimensions: ['product'] });
  assert.equal(a.length, 1);
  const want = weeklyConditionalTest(20, 29, 12);
  assert.ok(Math.abs(a[0]!.p - 9.180051277e-11) < 1e-19);
  assert.equal(a[0]!.p, want.midP);
  assert.ok(Math.abs(a[0]!.expected - 29 / 12) < 1e-12);
});

test('exact weekly test: minimum count 3 and minimum Members 2', () => {
  const zero = Array(12).fill(0);
  // 2 lines after twelve empty weeks: p = (1/13)^2 / 2 is small, but under the minimum count.
  assert.deepEqual(exactWeeklyAlarms(weeks({ x: [...zero, 2] }), { dimensions: ['product'] }), []);
  // 6 lines by one Member: not an alarm.
  assert.deepEqual(exactWeeklyAlarms(weeks({ x: [...zero, 6] }, 1), { dimensions: ['product'] }), []);
  assert.equal(exactWeeklyAlarms(weeks({ x: [...zero, 6] }, 2), { dimensions: ['product'] }).length, 1);
});

test('exact weekly test: BH across the series tested that week; untested series do not dilute the family', () => {
  const series: Record<string, number[]> = {};
  // 1 series at 5 vs a baseline of 1 a week: mid-p ~ 0.012 alone.
  series.hot = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8];
  const alone = exactWeeklyAlarms(weeks(series), { dimensions: ['product'], q: 0.01, test: [12] }, true);
  assert.equal(alone.length, 1);
  assert.equal(alone[0]!.q, alone[0]!.p);
  // 30 other series at 3 against 3 a week: tested (count >= 3), unremarkable; q of hot grows with the family.
  for (let i = 0; i < 30; i++) series[`s${i}`] = Array(13).fill(3);
  const family = exactWeeklyAlarms(weeks(series), { dimensions: ['product'], q: 0.01, test: [12] }, true);
  assert.equal(family.length, 31);
  const hot = family.find((x) => x.key === 'hot')!;
  assert.ok(Math.abs(hot.q - Math.min(1, hot.p * 31)) < 1e-15);
  // 30 series at 1 (under the minimum count) are not tested and leave the family at 1.
  for (let i = 0; i < 30; i++) series[`s${i}`] = Array(13).fill(1);
  assert.equal(exactWeeklyAlarms(weeks(series), { dimensions: ['product'], q: 0.01, test: [12] }, true).length, 1);
});

test('exact weekly test: exposure from reporters sets the share (a week with half the reporting Members expects half)', () => {
  const w = weeks({ x: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6] });
  const full = exactWeeklyAlarms(w, { dimensions: ['product'], q: 1 }, true)[0]!;
  const half = exactWeeklyAlarms(w, { dimensions: ['product'], q: 1, exposures: [...Array(12).fill(60), 30] }, true)[0]!;
  assert.ok(Math.abs(full.expected - 4) < 1e-12);
  assert.ok(Math.abs(half.expected - 2) < 1e-12);
  assert.ok(half.p < full.p);
});

test('trends: keys under the minimum count are not tested (before BH); a rise at fewer than 3 Members is not flagged', () => {
  const phase = (p: number, c: Record<string, [number, number]>): PhaseAggregate => ({
    phase: p,
    weeks: 13,
    participatingMembers: 60,
    counts: { product: new Map(Object.entries(c).map(([k, [lines, m]]) => [k, { lines, members: m }])) },
  });
  const a = phase(1, { big: [10, 6], one: [2, 1], tiny: [1, 1] });
  const b = phase(2, { big: [60, 12], one: [40, 1], tiny: [2, 1] });
  const all = phaseOverPhase(a, b, { testMinCount: 5, minMembers: 3 });
  assert.deepEqual(
    all.map((t) => [t.key, t.trend]),
    [
      ['one', 'none'],
      ['big', 'rising'],
    ],
  );
  const big = all.find((t) => t.key === 'big')!;
  assert.ok(big.ci.low > 2 && big.ci.high < 14 && big.ci.low < 6 && 6 < big.ci.high);
  // Without the options (the bare test), 'tiny' is tested and 'one' flagged.
  const bare = phaseOverPhase(a, b);
  assert.equal(bare.length, 3);
  assert.equal(bare.find((t) => t.key === 'one')!.trend, 'rising');
});

test("trends: Tarone's reduction keeps in the family only keys that could reach significance (Gilbert 2005)", () => {
  // R: binom.test(0, 5, 0.5)$p.value = 0.0625; binom.test(0, 9, 0.5)$p.value = 0.00390625.
  assert.ok(Math.abs(minAttainableP(5, 0.5) - 0.0625) < 1e-14);
  assert.ok(Math.abs(minAttainableP(9, 0.5) - 0.00390625) < 1e-14);
  // K = 3: three minima <= 0.05 / 3; the two keys of 5 cases could never be significant.
  assert.deepEqual(taroneFamily([1e-5, 1e-5, 0.00390625, 0.0625, 0.0625], 0.05), [true, true, true, false, false]);
  const phase = (p: number, c: Record<string, [number, number]>): PhaseAggregate => ({
    phase: p,
    weeks: 10,
    participatingMembers: 50,
    counts: { product: new Map(Object.entries(c).map(([k, [lines, m]]) => [k, { lines, members: m }])) },
  });
  const before: Record<string, [number, number]> = { x: [3, 3] };
  const after: Record<string, [number, number]> = { x: [15, 4] };
  for (let i = 0; i < 20; i++) {
    before[`rare${i}`] = [3, 3];
    after[`rare${i}`] = [3, 3];
  }
  const opts = { testMinCount: 5, minMembers: 3, familyPerDimension: true };
  const plain = phaseOverPhase(phase(1, before), phase(2, after), opts).find((t) => t.key === 'x')!;
  const reduced = phaseOverPhase(phase(1, before), phase(2, after), { ...opts, discreteFamily: true });
  const x = reduced.find((t) => t.key === 'x')!;
  assert.equal(x.p, binomTestTwoSided(3, 18, 0.5));
  assert.ok(Math.abs(plain.q - 21 * x.p) < 1e-12, 'BH over 21 keys');
  assert.equal(x.q, x.p, 'alone in the reduced family');
  assert.deepEqual([plain.trend, x.trend], ['none', 'rising']);
  assert.ok(reduced.filter((t) => t.key !== 'x').every((t) => t.q === 1 && t.trend === 'none'));
});
