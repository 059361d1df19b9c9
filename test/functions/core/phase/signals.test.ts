/** Issue 8 at the phase close: exposure from reporters, small cells, one score, the quiet week, heaped sizes. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { aggregateLines, type AggregateJson } from '../../../../functions/core/phase/aggregate.ts';
import { addDays } from '../../../../functions/core/operation/days.ts';
import { analyse, evidenceOf, mergeSameLines, sortSignals, type Signal } from '../../../../functions/core/phase/analyse.ts';
import { weekExposures } from '../../../../functions/core/phase/exposure.ts';
import { logScale } from '../../../../functions/core/phase/outliers.ts';
import { buildSummary, suppressSmallCells } from '../../../../functions/core/phase/summary.ts';
import { forNcp, smallSideOf } from '../../../../functions/core/phase/signals.ts';
import { parseOperationConfig } from '../../../../functions/core/operation/config.ts';
import type { PhaseCloseInput } from '../../../../functions/core/phase/input.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { CONFIG, FINAL_2, L, sorted } from './fixtures.ts';

let n = 0;
const line = (member: string, day: string, over: Partial<SeizureRecord> = {}) =>
  L({ reporting_member: member, case_ref: `S${String(++n).padStart(5, '0')}`, line_no: 1, seizure_date: day, ...over });

/** Ivermectin: 6 lines in phase 1 at FR, DE, ES; 18 in phase 2 at the same three. */
function lines(): SeizureRecord[] {
  const out: SeizureRecord[] = [];
  for (let i = 0; i < 6; i++) out.push(line(['FR', 'DE', 'ES'][i % 3]!, addDays('2021-05-03', i * 8), { product: 'ivermectin' }));
  for (let i = 0; i < 18; i++) out.push(line(['FR', 'DE', 'ES'][i % 3]!, addDays('2021-06-28', i * 3), { product: 'ivermectin' }));
  return out;
}

test('exposure from reporters: rates count the Members that reported (nil returns included), not those configured', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(lines()));
  const a = analyse(FINAL_2, CONFIG, agg);
  // 3 reporters in each phase of 8 weeks: 24 Member-weeks each (NL, configured, reported nothing).
  const t = a.trends.flagged.find((x) => x.key === 'ivermectin');
  assert.deepEqual(a.exposure, { window: 24, baseline: 24, reporters: 3 });
  // NL sends a nil return for phase 2: 4 reporters, the phase-2 rate is lower, so is the ratio.
  const withNil: AggregateJson = { ...agg, phases: agg.phases.map((p) => (p.phase === 2 ? { ...p, nilReturns: ['NL'] } : p)) };
  const b = analyse(FINAL_2, CONFIG, withNil);
  assert.deepEqual(b.exposure, { window: 32, baseline: 24, reporters: 4 });
  const all = (x: typeof a) => [...x.trends.flagged];
  if (t) {
    const u = all(b).find((x) => x.key === 'ivermectin');
    assert.ok(!u || u.rateRatio! < t.rateRatio!);
  }
  assert.deepEqual(b.riskProfiles.length >= 0, true);
});

test('the partial first week of an operation counts by its days in the weekly exposure', async () => {
  const config = parseOperationConfig({
    id: 'op',
    name: 'Op',
    phases: [{ phase: 1, start: '2021-05-06', end: '2021-06-27' }],
    members: ['FR', 'DE'],
  });
  const input: PhaseCloseInput = { operation: 'op', phase: 1, mode: 'final', asOf: '2021-06-28' };
  const agg = await aggregateLines(input, config, sorted([line('FR', '2021-05-06'), line('DE', '2021-05-20')]));
  const e = weekExposures(agg, config.phases, input, '2021-05-03', '2021-05-17');
  // The operation starts on a Thursday: 4 of 7 days of its first week, 2 reporters.
  assert.deepEqual(
    e.map((x) => [x.week, x.exposure]),
    [
      ['2021-05-03', (2 * 4) / 7],
      ['2021-05-10', 2],
      ['2021-05-17', 2],
    ],
  );
});

test('small cells: NCP rows from fewer than 3 distinct Members merge into "other", counted as distinct Members', () => {
  const rows = [
    { key: 'CN', label: 'China', lines: 40, units: 400, kg: 0, litres: 0, members: 5 },
    { key: 'TR', label: 'Türkiye', lines: 3, units: 30, kg: 1, litres: 0, members: 1 },
    { key: 'IN', label: 'India', lines: 2, units: 20, kg: 0, litres: 2, members: 2 },
  ];
  const sets = new Map([
    ['CN', ['A', 'B', 'C', 'D', 'E']],
    ['TR', ['F']],
    ['IN', ['G', 'H']],
  ]);
  const s = suppressSmallCells(rows, 3, sets);
  assert.equal(s.merged, 2);
  assert.deepEqual(
    s.rows.map((r) => [r.key, r.lines, r.units, r.kg, r.litres, r.members]),
    [
      ['CN', 40, 400, 0, 0, 5],
      ['other', 5, 50, 1, 2, 3],
    ],
  );
  assert.equal(suppressSmallCells(rows, 1, sets).merged, 0);
  // Without the Members of each row, they are taken to overlap (2 distinct at least): too few, so CN joins them.
  assert.deepEqual(
    suppressSmallCells(rows, 3).rows.map((r) => [r.key, r.lines, r.members]),
    [['other', 45, 5]],
  );
});

test("small cells: signals from fewer than 3 Members and Members' own firsts reach the analysts only", async () => {
  const ls = lines();
  // A new route at two Members, 16 cases: flagged (>= 2 Members, p = (24 / 48)^16) but a small cell for the NCPs.
  for (let i = 0; i < 16; i++)
    ls.push(
      line(i % 2 ? 'DE' : 'FR', addDays('2021-07-05', i), {
        origin_country: 'TR',
        departure_country: 'TR',
        transit_countries: ['BG'],
        destination_country: i % 2 ? 'DE' : 'FR',
      }),
    );
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(ls));
  const a = analyse(FINAL_2, CONFIG, agg);
  const small = a.analystsSignals.filter((s) => s.kind === 'new');
  assert.ok(small.length > 0, 'the two-Member route is flagged for the analysts');
  assert.ok(
    a.signals.every((s) => s.kind !== 'new'),
    'and kept from the NCPs',
  );
  const ncp = buildSummary(FINAL_2, CONFIG, agg, a, 'ncp');
  const analysts = buildSummary(FINAL_2, CONFIG, agg, a, 'analysts');
  assert.ok(ncp.figures.phase.byOrigin.every((r) => r.key === 'other' || r.members >= 3));
  assert.ok(analysts.figures.phase.byOrigin.some((r) => r.key === 'TR'));
  assert.ok(!JSON.stringify(ncp).includes('"product_at_member"'));
  assert.ok(JSON.stringify(analysts.annex).includes('product_at_member'));
  assert.equal(ncp.smallCells?.minMembers, 3);
  assert.equal(ncp.signalCount, a.signals.length);
});

test('one score: evidence = min(10, -log10 q) orders every kind; a merged signal names what else its lines showed', () => {
  assert.equal(evidenceOf(1e-3), 3);
  assert.equal(evidenceOf(1e-30), 10);
  assert.equal(evidenceOf(1), 0);
  const route: Signal = {
    kind: 'new',
    novelty: 'route',
    key: 'TR>BG>DE',
    route: 'TR>BG>DE',
    week: '2021-07-05',
    lines: 12,
    members: 4,
    q: 1e-6,
    evidence: 6,
    effect: 2,
  };
  const origin: Signal = {
    kind: 'new',
    novelty: 'origin',
    key: 'TR',
    origin: 'TR',
    week: '2021-07-05',
    lines: 12,
    members: 4,
    q: 1e-5,
    evidence: 5,
    effect: 2,
  };
  const fall: Signal = {
    kind: 'falling',
    dimension: 'product',
    key: 'face_mask',
    earlier: { phase: 1, lines: 50, members: 9 },
    later: { phase: 2, lines: 10, members: 5 },
    rateRatio: 0.2,
    p: 1e-9,
    q: 1e-8,
    evidence: 8,
    effect: 1.6,
  };
  const one: Signal = {
    kind: 'new',
    novelty: 'route',
    key: 'IN>ES',
    route: 'IN>ES',
    week: '2021-07-05',
    lines: 3,
    members: 2,
    q: 5e-4,
    evidence: 3.3,
    effect: 1,
  };
  const merged = mergeSameLines([one, route, origin, fall]);
  assert.deepEqual(
    merged.map((s) => (s.kind === 'new' ? s.key : s.kind)),
    ['falling', 'TR>BG>DE', 'IN>ES'],
  );
  assert.deepEqual(merged[1]!.alsoSeenAs, [{ kind: 'new', novelty: 'origin', key: 'TR' }]);
  assert.deepEqual(
    sortSignals([one, fall]).map((s) => s.kind),
    ['falling', 'new'],
  );
});

test('a quiet interim week (steady counts) raises no signal and no alert', async () => {
  const ls: SeizureRecord[] = [];
  for (let w = 0; w < 14; w++)
    for (const m of ['FR', 'DE', 'ES', 'NL'])
      ls.push(line(m, addDays('2021-05-03', 7 * w + (w % 5)), { product: w % 2 ? 'ivermectin' : 'paracetamol' }));
  const input: PhaseCloseInput = { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-08-09' };
  const a = analyse(input, CONFIG, await aggregateLines(input, CONFIG, sorted(ls)));
  assert.deepEqual(a.analystsSignals, []);
  assert.equal(a.alert, false);
});

test('heaped sizes (MAD 0): the scale falls back to the mean absolute deviation, floored, so a huge seizure is still found', () => {
  const counts: Record<string, number> = { '100': 30, '200': 3, '50': 2, '1000000': 1 };
  const s = logScale({ binned: false, counts });
  assert.equal(s.mad, 0);
  assert.ok(s.scale > 0.01);
  const z = (0.6745 * (6 - s.median)) / s.scale;
  assert.ok(z > 3.5, `score ${z}`);
  assert.equal(logScale({ binned: false, counts: { '100': 10 } }).scale, 0);
});

test('smallSideOf: the side of a trend NCPs may read but whose figures rest on fewer than 3 Members', () => {
  const trend = (kind: 'rising' | 'falling', earlier: [number, number], later: [number, number]): Signal => ({
    kind,
    dimension: 'concealment',
    key: 'split_consignment',
    earlier: { phase: 1, lines: earlier[0], members: earlier[1] },
    later: { phase: 2, lines: later[0], members: later[1] },
    rateRatio: 8,
    p: 1e-6,
    q: 1e-5,
  });
  const th = { minCellMembers: 3 };
  // The demo's split consignments: 3 lines of 1 Member in phase 1, then 24 of 8: NCPs read it, not its phase 1 figure.
  const demo = trend('rising', [3, 1], [24, 8]);
  assert.equal(forNcp(demo, th), true);
  assert.equal(smallSideOf(demo, th), 'earlier');
  assert.equal(smallSideOf(trend('falling', [80, 40], [2, 1]), th), 'later');
  assert.equal(smallSideOf(trend('rising', [0, 0], [24, 8]), th), undefined);
  assert.equal(smallSideOf(trend('falling', [80, 40], [12, 6]), th), undefined);
});

test('forNcp: unusually large seizures reach NCPs only for a product that 3 Members or more seized', () => {
  const outlier: Signal = { kind: 'outlier', product: 'remdesivir', unit: 'doses', count: 2, evidence: 3 };
  const th = { minCellMembers: 3 };
  assert.equal(forNcp(outlier, th, { productMembers: () => 1 }), false);
  assert.equal(forNcp(outlier, th, { productMembers: (p) => (p === 'remdesivir' ? 3 : 0) }), true);
  assert.equal(forNcp(outlier, th), true);
});
