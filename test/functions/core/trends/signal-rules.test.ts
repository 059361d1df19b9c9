/** The rules behind every signal (issue 8): novelty tested, minimum counts and Members, the exact weekly test across series, trends. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { exactWeeklyAlarms } from '../../../../functions/core/trends/alarms.ts';
import { noveltyP, weeklyConditionalTest } from '../../../../functions/core/trends/exact.ts';
import { testNewItems, transitCounts, type NoveltyWindow } from '../../../../functions/core/trends/novelty-test.ts';
import { phaseOverPhase } from '../../../../functions/core/trends/rate-ratio.ts';
import type { Cell, Counts, PhaseAggregate, WeekAggregate } from '../../../../functions/core/trends/types.ts';

type Spec = Record<string, [lines: number, members: string[]]>;
const counts = (s: Spec = {}): Counts => new Map<string, Cell>(Object.entries(s).map(([k, [lines, m]]) => [k, { lines, members: new Set(m) }]));
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

test('novelty: minimum lines (3) and Members (2): 5 lines at one Member is not flagged, however small its p', () => {
  const items = testNewItems(win({ now: { origin: { TR: [5, ['DE']], VN: [2, ['DE', 'FR']], PK: [6, ['DE', 'FR']] } }, baselineExposure: 1000, windowExposure: 10 }));
  const by = (k: string) => items.find((i) => i.key === k)!;
  assert.equal(by('TR').flagged, false);
  assert.ok(by('TR').p! < 1e-9);
  assert.equal(by('VN').p, undefined, 'under 3 lines: not tested');
  assert.equal(by('PK').flagged, true);
});

test('novelty: new transit countries are derived from routes, and tested like routes', () => {
  const t = transitCounts(counts({ 'TR>BG>RO>DE': [4, ['DE', 'RO']], 'TR>BG>AT': [3, ['AT']], 'CN>FR': [9, ['FR']] }));
  assert.deepEqual([...t].map(([k, c]) => [k, c.lines, (c.members as Set<string>).size]), [['BG', 7, 3], ['RO', 4, 2]]);
  const items = testNewItems(
    win({ base: { route: { 'CN>RO>FR': [5, ['FR']] } }, now: { route: { 'TR>BG>RO>DE': [4, ['DE', 'RO']], 'TR>BG>AT': [3, ['AT']] } }, baselineExposure: 60 * 40, windowExposure: 60 * 4 }),
  );
  assert.ok(items.some((i) => i.kind === 'transit' && i.key === 'BG' && i.flagged));
  assert.ok(!items.some((i) => i.kind === 'transit' && i.key === 'RO'), 'RO was a transit country before');
});

test('novelty: a product newly seized by many Members is flagged only when more are new than its pooled rate explains', () => {
  // A common product: in the baseline at 50 of 60 Members; 8 new Members is what its rate predicts.
  const common = testNewItems(win({ base: { product: { face_mask: [900, members(50)] } }, now: { product: { face_mask: [600, members(58)] } } }));
  const c = common.find((i) => i.kind === 'product_multi_member')!;
  assert.equal(c.members, 8);
  assert.equal(c.flagged, false);
  // A product at 2 Members before, 45 new Members in the window: far more than its pooled rate predicts (about 25).
  const spread = testNewItems(win({ base: { product: { oxygen_cylinder: [2, ['M0', 'M1']] } }, now: { product: { oxygen_cylinder: [90, members(47)] } } }));
  const s = spread.find((i) => i.kind === 'product_multi_member')!;
  assert.deepEqual([s.members, s.flagged], [45, true]);
  assert.ok(s.expected! > 20 && s.expected! < 30);
  // A Member's own first time is listed (annex), never flagged.
  assert.ok(spread.filter((i) => i.kind === 'product_at_member').every((i) => !i.flagged && i.p === undefined));
});

test('novelty: BH runs across every tested candidate together', () => {
  // 40 new routes of 3 lines at 2 Members, each p = (1/3)^3 = 0.037: none survives the family.
  const now: Spec = {};
  for (let i = 0; i < 40; i++) now[`C${i}>FR`] = [3, ['FR', 'DE']];
  const items = testNewItems(win({ now: { route: now }, baselineExposure: 200, windowExposure: 100 }));
  assert.ok(items.every((i) => !i.flagged));
  assert.ok(items.every((i) => i.q! >= i.p!));
});

function weeks(series: Record<string, number[]>, membersPerWeek = 3): WeekAggregate[] {
  const n = Object.values(series)[0]!.length;
  return Array.from({ length: n }, (_, t) => ({
    week: new Date(Date.UTC(2021, 0, 4 + 7 * t)).toISOString().slice(0, 10),
    counts: { product: counts(Object.fromEntries(Object.entries(series).map(([k, s]) => [k, [s[t]!, members(Math.min(membersPerWeek, s[t]!))]]))) },
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
  assert.deepEqual(all.map((t) => [t.key, t.trend]), [['one', 'none'], ['big', 'rising']]);
  const big = all.find((t) => t.key === 'big')!;
  assert.ok(big.ci.low > 2 && big.ci.high < 14 && big.ci.low < 6 && 6 < big.ci.high);
  // Without the options (the bare test), 'tiny' is tested and 'one' flagged.
  const bare = phaseOverPhase(a, b);
  assert.equal(bare.length, 3);
  assert.equal(bare.find((t) => t.key === 'one')!.trend, 'rising');
});
