import { test } from 'vitest';
import assert from 'node:assert/strict';
import { aggregateLines } from '../../../../functions/core/phase/aggregate.ts';
import { addDays } from '../../../../functions/core/operation/days.ts';
import { alertOf, alertRule, analyse, lastCompleteWeek, trendBaseline } from '../../../../functions/core/phase/analyse.ts';
import { parseOperationConfig } from '../../../../functions/core/operation/config.ts';
import { signalText } from '../../../../functions/core/phase/sentences.ts';
import { sizeOutliers } from '../trends/helpers.ts';
import { recordKey, type SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import type { PhaseCloseInput } from '../../../../functions/core/phase/input.ts';
import { CONFIG, FINAL_2, L, sorted } from './fixtures.ts';

let n = 0;
const line = (member: string, day: string, over: Partial<SeizureRecord> = {}) =>
  L({ reporting_member: member, case_ref: `K${String(++n).padStart(5, '0')}`, line_no: 1, seizure_date: day, ...over });

/** Phase 1: 2 ivermectin lines; phase 2: 30 (rising); paracetamol steady; one huge paracetamol seizure in phase 2. */
function story(): SeizureRecord[] {
  const out: SeizureRecord[] = [];
  for (let i = 0; i < 2; i++) out.push(line('FR', addDays('2021-05-03', i * 7), { product: 'ivermectin', quantity: 100 }));
  for (let i = 0; i < 30; i++)
    out.push(line(['FR', 'DE', 'ES'][i % 3]!, addDays('2021-06-28', i), { product: 'ivermectin', quantity: 100 + i }));
  const sizes = [120, 150, 200, 250, 300, 90, 110, 130, 180, 220, 240, 260, 280, 310, 330, 170, 160, 140, 210, 230];
  sizes.forEach((q, i) => out.push(line(i % 2 ? 'DE' : 'NL', addDays(i < 10 ? '2021-05-03' : '2021-06-28', i * 3), { quantity: q })));
  out.push(line('ES', '2021-08-10', { quantity: 2_500_000 }));
  return out;
}

test('final: a product with many more lines per Member-week than in the previous phase is a rising signal, listed first', async () => {
  const a = analyse(FINAL_2, CONFIG, await aggregateLines(FINAL_2, CONFIG, sorted(story())));
  const rising = a.trends.flagged.filter((t) => t.kind === 'rising' && t.dimension === 'product');
  assert.deepEqual(
    rising.map((t) => [t.key, t.earlier.lines, t.later.lines]),
    [['ivermectin', 2, 30]],
  );
  assert.equal(a.signals[0]!.kind, 'rising');
  assert.equal(a.comparedWith, 1);
  assert.ok(a.alert);
});

test('outliers equal trends sizeOutliers on the same lines (reference: all lines so far; reported: the closed phase)', async () => {
  const lines = story();
  const a = analyse(FINAL_2, CONFIG, await aggregateLines(FINAL_2, CONFIG, sorted(lines)));
  const want = sizeOutliers(
    lines.map((r) => ({ id: recordKey(r), product: r.product, unit: r.unit, quantity: r.quantity })),
    { threshold: CONFIG.thresholds.outlierScore },
  ).filter((o) => lines.find((r) => recordKey(r) === o.id)!.phase === 2);
  assert.ok(want.length > 0);
  assert.deepEqual(
    a.outliers.seizures.map((s) => [recordKey({ reporting_member: s.member, case_ref: s.case_ref, line_no: s.line_no }), s.score]),
    want.map((o) => [o.id, o.score]),
  );
  assert.deepEqual(
    a.outliers.groups.map((g) => [g.product, g.unit, g.count]),
    [['paracetamol', 'pieces', want.length]],
  );
});

// Issue 8 (5): one evidence score orders every kind (it replaced the fixed order of kinds, SIGNAL_ORDER).
test('signals come strongest first by one evidence score across kinds, then by effect', async () => {
  const a = analyse(FINAL_2, CONFIG, await aggregateLines(FINAL_2, CONFIG, sorted(story())));
  const ev = a.signals.map((s) => s.evidence ?? 0);
  assert.deepEqual(
    ev,
    [...ev].sort((x, y) => y - x),
  );
  assert.ok(a.signals.some((s) => s.kind === 'outlier'));
  assert.ok(a.signals.every((s) => (s.evidence ?? -1) >= 0 && (s.evidence ?? 11) <= 10));
});

test('interim: a week far above its baseline is a weekly alarm (exact test) for that product, and the run alerts', async () => {
  const lines: SeizureRecord[] = [];
  for (let w = 0; w < 9; w++) {
    const monday = addDays('2021-05-03', 7 * w);
    const k = w === 8 ? 25 : 1 + (w % 2);
    // Two Members: an alarm needs alarmMinMembers (2) Members in the week (issue 8: one Member's case is no trend).
    for (let i = 0; i < k; i++) lines.push(line(i % 2 ? 'DE' : 'FR', addDays(monday, i % 7), { product: 'tramadol', quantity: 10 }));
  }
  const input: PhaseCloseInput = { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-07-05' }; // a Monday: last complete week 06-28
  assert.equal(lastCompleteWeek(input.asOf), '2021-06-28');
  const a = analyse(input, CONFIG, await aggregateLines(input, CONFIG, sorted(lines)));
  assert.deepEqual(
    a.alarms.map((x) => [x.dimension, x.key, x.week, x.count]),
    [['product', 'tramadol', '2021-06-28', 25]],
  );
  assert.deepEqual(a.window, { from: '2021-06-28', to: '2021-07-04' });
  assert.equal(a.alert, true);
});

test('interim: nothing new and nothing rising means no alert; final always alerts', () => {
  const none = { rising: 0, falling: 0, new: 0, alarms: 0, outliers: 3 };
  assert.equal(alertRule('interim', none), false);
  assert.equal(alertRule('interim', { ...none, new: 1 }), true);
  assert.equal(alertRule('final', none), true);
});

test('the alert rule: an interim run alerts only when a signal reaches the alert evidence; a quiet week sends nothing', () => {
  const weak = { kind: 'outlier', product: 'x', unit: 'pieces', count: 1, evidence: 1.2 } as const;
  assert.equal(alertOf('interim', [], CONFIG.thresholds), false);
  assert.equal(alertOf('interim', [weak], CONFIG.thresholds), false);
  assert.equal(alertOf('interim', [{ ...weak, evidence: 2 }], CONFIG.thresholds), true);
  assert.equal(alertOf('final', [], CONFIG.thresholds), true);
});

test('new items of a final run are those first seen in the closed phase (a route new in phase 2, not one seen in phase 1)', async () => {
  const lines = [
    line('FR', '2021-05-04', { origin_country: 'IN', destination_country: 'FR' }),
    line('FR', '2021-07-01', { origin_country: 'IN', destination_country: 'FR' }),
    line('DE', '2021-07-02', { origin_country: 'TR', destination_country: 'DE' }),
  ];
  const a = analyse(FINAL_2, CONFIG, await aggregateLines(FINAL_2, CONFIG, sorted(lines)));
  // Issue 8 (1): one line at one Member is a weaker first sighting: listed in the annex, not a signal.
  assert.deepEqual(
    a.annex.filter((x) => x.novelty === 'route').map((x) => [x.route, x.week]),
    [['TR>DE', '2021-06-28']],
  );
  assert.deepEqual(a.newItems, []);
});

test('the first phase has nothing to compare with: no trends and no new items', async () => {
  const input: PhaseCloseInput = { ...FINAL_2, phase: 1 };
  const a = analyse(input, CONFIG, await aggregateLines(input, CONFIG, sorted(story())));
  assert.equal(a.comparedWith, null);
  assert.deepEqual([a.trends.flagged.length, a.newItems.length], [0, 0]);
});

/** Three phases of 4, 6 and 4 weeks, and a line of a product on a day of them (its phase set from the day). */
const THREE_PHASES = parseOperationConfig({
  ...CONFIG,
  phases: [
    { phase: 1, start: '2021-05-03', end: '2021-05-30' },
    { phase: 2, start: '2021-05-31', end: '2021-07-11' },
    { phase: 3, start: '2021-07-12', end: '2021-08-08' },
  ],
});
const at = (m: string, d: string, product: string) => ({
  ...line(m, d, { product }),
  phase: d <= '2021-05-30' ? 1 : d <= '2021-07-11' ? 2 : 3,
});

test('trends of phase 3 pool phases 1 and 2 as the baseline (exposure-weighted), and say so in en, fr and es', async () => {
  const lines = [
    // Phase 1 (4 weeks): 3 ivermectin; phase 2 (6 weeks): 1; phase 3 (4 weeks): 24 at 3 Members. Paracetamol steady.
    ...[0, 5, 10].map((i) => at('FR', addDays('2021-05-03', i), 'ivermectin')),
    at('DE', '2021-06-10', 'ivermectin'),
    ...Array.from({ length: 24 }, (_, i) => at(['FR', 'DE', 'ES'][i % 3]!, addDays('2021-07-12', i), 'ivermectin')),
    ...Array.from({ length: 28 }, (_, i) => at(['FR', 'DE', 'ES', 'NL'][i % 4]!, addDays('2021-05-03', 3 * i), 'paracetamol')),
  ];
  const input: PhaseCloseInput = { operation: 'stop-ii', phase: 3, mode: 'final', asOf: '2021-08-09' };
  const a = analyse(input, THREE_PHASES, await aggregateLines(input, THREE_PHASES, sorted(lines)));
  assert.equal(a.comparedWith, 2, 'the previous phase (risk profiles) stays');
  assert.deepEqual(a.comparedWithPhases, [1, 2]);
  const t = a.trends.flagged.find((x) => x.dimension === 'product' && x.key === 'ivermectin')!;
  assert.equal(t.kind, 'rising');
  assert.deepEqual([t.earlier.phase, t.earlier.phases, t.earlier.lines, t.later.lines], [2, [1, 2], 4, 24]);
  // Four reporting Members in every phase: exposures 4 x 4, 4 x 6 and 4 x 4 Member-weeks; 24/16 against 4/40.
  assert.deepEqual(t.exposure, { earlier: 40, later: 16 });
  assert.ok(Math.abs(t.rateRatio! - 24 / 16 / (4 / 40)) < 1e-12);
  assert.match(
    signalText(t, 'en', 3.5),
    /about 15 times as many seizures a week for each Member that reported as in phases 1–2 \(24 seizures by 3 Members, against 4\)/,
  );
  assert.match(
    signalText(t, 'fr', 3.5),
    /environ 15 fois plus de saisies par semaine et par Membre déclarant qu'en phases 1–2 \(24 saisies par 3 Membres, contre 4\)/,
  );
  assert.match(
    signalText(t, 'es', 3.5),
    /unas 15 veces más incautaciones por semana y por Miembro declarante que en las fases 1–2 \(24 incautaciones de 3 Miembros, frente a 4\)/,
  );
});

test('a key whose earlier phases disagree is compared with the latest of them alone, and says so', async () => {
  const ms = ['FR', 'DE', 'ES', 'NL'];
  const lines = [
    // Oxygen cylinders: 2 in phase 1 (4 weeks), 40 in phase 2 (6 weeks), 4 in phase 3 (4 weeks). Against phases
    // 1-2 pooled (42 in 10 weeks) phase 3 reads "0.2 times"; against phase 2, the phase it follows, about a sixth.
    at('FR', '2021-05-04', 'oxygen_cylinder'),
    at('DE', '2021-05-12', 'oxygen_cylinder'),
    ...Array.from({ length: 40 }, (_, i) => at(ms[i % 4]!, addDays('2021-05-31', i), 'oxygen_cylinder')),
    ...Array.from({ length: 4 }, (_, i) => at(ms[i]!, addDays('2021-07-12', 5 * i), 'oxygen_cylinder')),
    // Paracetamol steady: its phases agree, so it keeps the pool.
    ...Array.from({ length: 42 }, (_, i) => at(ms[i % 4]!, addDays('2021-05-03', 2 * i), 'paracetamol')),
  ];
  const input: PhaseCloseInput = { operation: 'stop-ii', phase: 3, mode: 'final', asOf: '2021-08-09' };
  const a = analyse(input, THREE_PHASES, await aggregateLines(input, THREE_PHASES, sorted(lines)));
  const t = a.trends.flagged.find((x) => x.dimension === 'product' && x.key === 'oxygen_cylinder')!;
  assert.equal(t.kind, 'falling');
  assert.deepEqual([t.earlier.phase, t.earlier.phases, t.earlier.lines, t.later.lines], [2, [2], 40, 4]);
  assert.deepEqual(t.exposure, { earlier: 24, later: 16 }, 'phase 2 alone: 4 Members x 6 weeks');
  assert.ok(Math.abs(t.rateRatio! - 4 / 16 / (40 / 24)) < 1e-12);
  assert.match(signalText(t, 'en', 3.5), /phase 2/);
  assert.doesNotMatch(signalText(t, 'en', 3.5), /phases 1–2/);
  const steady = a.trends.flagged.find((x) => x.key === 'paracetamol');
  assert.equal(steady, undefined, 'a steady product raises nothing');
});

test('the trends baseline skips earlier phases nobody reported for', () => {
  const p = (phase: number) => ({ phase, start: '2021-05-03', end: '2021-05-30' });
  assert.deepEqual(
    trendBaseline([p(1), p(2), p(3)], (x) => (x.phase === 2 ? 0 : 5)).map((x) => x.phase),
    [1, 3],
  );
});

test('a close with no seizure line at all (an interim before any upload, a final of an empty phase) finds nothing and does not fail', async () => {
  for (const input of [FINAL_2, { ...FINAL_2, mode: 'interim' as const }]) {
    const a = analyse(input, CONFIG, await aggregateLines(input, CONFIG, []));
    assert.deepEqual(a.signals, []);
    assert.deepEqual(a.riskProfiles, []);
  }
});
