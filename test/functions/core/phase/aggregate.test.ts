import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  aggregateLines,
  aggregateSlice,
  CaseCounter,
  compareUtf8,
  EXACT_SIZES_CAP,
  SIZE_BINS_PER_DECADE,
  LineOrderError,
  mergePartials,
  PartialMismatchError,
  weekOf,
  type PartialJson,
} from '../../../../functions/core/phase/aggregate.ts';
import { planRun } from '../../../../functions/core/phase/input.ts';
import { buildSummary, suppressSmallCells } from '../../../../functions/core/phase/summary.ts';
import { analyse, logScale } from '../../../../functions/core/phase/analyse.ts';
import { compositeKey } from '../../../../functions/core/trends/types.ts';
import { mad, median } from '../../../../functions/core/trends/stats.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { asyncOf, CONFIG, FINAL_2, L, SMALL, SMALL_TOTALS, sorted } from './fixtures.ts';

/** Every slice of the plan aggregated on its own (the closed phase's slice with the earlier phases as history). */
async function partialsOf(lines: readonly SeizureRecord[], input = FINAL_2): Promise<PartialJson[]> {
  const all = sorted(lines);
  const of = (phase: number, member: string) => all.filter((r) => r.phase === phase && r.reporting_member === member);
  return Promise.all(
    planRun(input, CONFIG).slices.map((s) =>
      aggregateSlice(input, s, {
        lines: asyncOf(of(s.phase, s.member)),
        ...(s.phase === input.phase ? { history: [1, 2].filter((p) => p < s.phase).map((p) => asyncOf(of(p, s.member))) } : {}),
      }),
    ),
  );
}

test('phase figures reproduce the hand-counted totals: units are pieces + doses + packs, kg and litres apart', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  const s = buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'ncp').figures.phase;
  const t = SMALL_TOTALS.phase2;
  assert.deepEqual(
    {
      lines: s.lines,
      cases: s.cases,
      units: s.units.total,
      pieces: s.units.pieces,
      doses: s.units.doses,
      packs: s.units.packs,
      kg: s.kg,
      litres: s.litres,
      reporting: s.reportingMembers,
    },
    t,
  );
  assert.equal(s.participatingMembers, 4);
});

test('cumulative figures count a case with lines in two phases once', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  // Per-Member rows are the analysts' (issue 17, 5: the NCP version shows reporting Members by WCO region, each region
  // resting on 3 Members or more; FR, DE and ES are all in Europe).
  const c = buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'analysts').figures.cumulative;
  assert.deepEqual({ lines: c.lines, cases: c.cases, units: c.units.total, kg: c.kg, litres: c.litres }, SMALL_TOTALS.cumulative);
  assert.deepEqual(
    c.byMember.map((m) => [m.key, m.cases]),
    [
      ['FR', 3],
      ['DE', 2],
      ['ES', 2],
    ],
  );
  const ncp = buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'ncp').figures.cumulative;
  assert.deepEqual(
    ncp.byMember.map((m) => [m.key, m.cases, m.lines]),
    [['@EUR', 7, c.lines]],
  );
});

test('estimated value is summed per currency, a value without currency under XXX', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  const v = buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'ncp').figures.phase.value;
  assert.deepEqual(Object.fromEntries(v.map((x) => [x.currency, x.amount])), SMALL_TOTALS.value);
});

test('breakdowns by category and product split units, kg and litres', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  const f = buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'analysts').figures.phase;
  const cat = Object.fromEntries(f.byCategory.map((r) => [r.key, [r.lines, r.units, r.kg, r.litres]]));
  assert.deepEqual(cat, { medicine: [6, 711, 1.25, 3], vaccine: [1, 40, 0, 0], medical_device: [1, 7, 0, 0] });
  const tramadol = f.byProduct.find((r) => r.key === 'tramadol')!;
  assert.deepEqual([tramadol.lines, tramadol.units, tramadol.kg, tramadol.category], [1, 0, 1.25, 'medicine']);
});

test('routes run from departure (else origin) through transit to destination; weeks start on Monday', async () => {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  const p2 = agg.phases[1]!;
  assert.deepEqual(Object.keys(p2.by.route).sort(), ['CN>unknown', 'HK>AE>DE', 'IN>FR']);
  assert.deepEqual(Object.fromEntries(Object.entries(p2.weeks).map(([w, x]) => [w, x.lines])), {
    '2021-06-28': 2,
    '2021-07-05': 4,
    '2021-08-02': 2,
  });
  assert.equal(weekOf('2021-07-11'), '2021-07-05'); // a Sunday
  assert.equal(weekOf('2021-07-12'), '2021-07-12'); // a Monday
});

test('merging every slice partial equals aggregating all the lines at once', async () => {
  const merged = mergePartials(FINAL_2, CONFIG, await partialsOf(SMALL));
  const direct = await aggregateLines(FINAL_2, CONFIG, sorted(SMALL));
  assert.deepEqual(merged, direct);
  assert.equal(JSON.stringify(merged), JSON.stringify(direct));
});

test('merge equals all at once on random lines too (property)', async () => {
  const members = ['FR', 'DE', 'ES', 'NL'];
  const lineArb = fc.record({
    m: fc.constantFrom(...members),
    c: fc.constantFrom('A', 'A#1', 'A#12', 'B', 'é', 'e\u0301x', '😀', '\uff21'),
    day: fc.integer({ min: 0, max: 111 }),
    q: fc.integer({ min: 1, max: 100_000 }),
    unit: fc.constantFrom('pieces', 'doses', 'packs', 'kg', 'litres'),
    product: fc.constantFrom('paracetamol', 'ivermectin', 'tramadol'),
    origin: fc.constantFrom('CN', 'IN', undefined),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(lineArb, { maxLength: 60 }), async (specs) => {
      const seen = new Set<string>();
      const lines: SeizureRecord[] = [];
      specs.forEach((x, i) => {
        const key = `${x.m}|${x.c.normalize('NFC')}|${i}`;
        if (seen.has(key)) return;
        seen.add(key);
        const day = new Date(Date.parse('2021-05-03T00:00:00Z') + x.day * 86_400_000).toISOString().slice(0, 10);
        lines.push(
          L({
            reporting_member: x.m,
            case_ref: x.c,
            line_no: i + 1,
            seizure_date: day,
            quantity: x.q,
            unit: x.unit as SeizureRecord['unit'],
            product: x.product,
            ...(x.origin ? { origin_country: x.origin } : {}),
          }),
        );
      });
      const merged = mergePartials(FINAL_2, CONFIG, await partialsOf(lines));
      const direct = await aggregateLines(FINAL_2, CONFIG, sorted(lines));
      assert.deepEqual(merged, direct);
      // cases = distinct (member, NFC case_ref), in the phase and over both phases
      const distinct = (rs: SeizureRecord[]) => new Set(rs.map((r) => `${r.reporting_member}|${r.case_ref.normalize('NFC')}`)).size;
      assert.equal(direct.cumulativeCases, distinct(lines));
      assert.equal(direct.phases[1]!.cases, distinct(lines.filter((r) => r.phase === 2)));
    }),
    { numRuns: 60 },
  );
});

test('a case split by the lines of a case X#... is still counted once', () => {
  const c = new CaseCounter('t');
  // byPhase order: X#099999 < X#1#000001 (X#1's lines) < X#100000, then X#2#... < X#200000
  for (const [k, sk] of [
    ['X', 'X#099999'],
    ['X#1', 'X#1#000001'],
    ['X#1', 'X#1#000002'],
    ['X', 'X#100000'],
    ['X#2', 'X#2#000001'],
    ['X', 'X#200000'],
    ['Y', 'Y#000001'],
  ] as const)
    c.see(k, sk);
  assert.equal(c.count, 4);
});

test('lines out of index order are refused, not miscounted', async () => {
  const lines = [
    L({ reporting_member: 'FR', case_ref: 'B', line_no: 1, seizure_date: '2021-07-01' }),
    L({ reporting_member: 'FR', case_ref: 'A', line_no: 1, seizure_date: '2021-07-01' }),
  ];
  await assert.rejects(aggregateSlice(FINAL_2, { member: 'FR', phase: 2 }, { lines: asyncOf(lines) }), LineOrderError);
});

test('compareUtf8 orders strings as UTF-8 bytes (DynamoDB order)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
      const want = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      // lone surrogates become U+FFFD in UTF-8; only compare well-formed strings
      const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
      if (!wellFormed(a) || !wellFormed(b)) return;
      assert.equal(Math.sign(compareUtf8(a, b)), want);
    }),
  );
});

test('a partial of another run or a slice given twice is refused', async () => {
  const parts = await partialsOf(SMALL);
  assert.throws(() => mergePartials(FINAL_2, CONFIG, [...parts, parts[0]!]), PartialMismatchError);
  assert.throws(() => mergePartials({ ...FINAL_2, mode: 'interim' }, CONFIG, parts), PartialMismatchError);
});

test('an interim run counts only lines dated on or before asOf', async () => {
  const input = { operation: 'stop-ii', phase: 2, mode: 'interim' as const, asOf: '2021-07-06' };
  const agg = await aggregateLines(input, CONFIG, sorted(SMALL));
  assert.equal(agg.phases[1]!.lines, 3); // F-1 x2 on 06-29, F-2 on 07-06
  assert.deepEqual(mergePartials(input, CONFIG, await partialsOf(SMALL, input)), agg);
});

test('aggregation memory follows the groups, not the lines: a slice partial of 200,000 lines stays small', async () => {
  function* many(): Generator<SeizureRecord> {
    for (let i = 0; i < 200_000; i++) {
      yield L({
        reporting_member: 'FR',
        case_ref: `C${String(i >> 2).padStart(7, '0')}`,
        line_no: (i & 3) + 1,
        seizure_date: '2021-07-07',
        quantity: 1 + (i % 997),
      });
    }
  }
  const p = await aggregateSlice(FINAL_2, { member: 'FR', phase: 2 }, { lines: asyncOf(many()) });
  assert.equal(p.lines, 200_000);
  assert.equal(p.agg.cases, 50_000);
  assert.ok(JSON.stringify(p).length < 100_000, `partial is ${JSON.stringify(p).length} bytes`);
});

test('a product with more distinct sizes than EXACT_SIZES_CAP is binned alike whether merged from slices or counted at once', async () => {
  const lines: SeizureRecord[] = [];
  // 3 Members x 300 distinct sizes: each slice stays exact (300 <= cap), their union (900) is binned.
  for (const [mi, m] of ['FR', 'DE', 'ES'].entries()) {
    for (let i = 0; i < 300; i++)
      lines.push(
        L({
          reporting_member: m,
          case_ref: `S${String(i).padStart(4, '0')}`,
          line_no: 1,
          seizure_date: '2021-07-07',
          quantity: 1000 + mi * 300 + i,
        }),
      );
  }
  const merged = mergePartials(FINAL_2, CONFIG, await partialsOf(lines));
  const direct = await aggregateLines(FINAL_2, CONFIG, sorted(lines));
  assert.deepEqual(merged, direct);
  const sizes = direct.phases[1]!.sizes[compositeKey('paracetamol', 'pieces')]!;
  assert.equal(sizes.binned, true);
  assert.equal(EXACT_SIZES_CAP < 900, true);
  // The median and MAD from the bins are within half a bin of the exact ones.
  const exact = lines.map((r) => Math.log10(r.quantity));
  const s = logScale(sizes);
  assert.ok(Math.abs(s.median - median(exact)) <= 0.5 / SIZE_BINS_PER_DECADE + 1e-12);
  assert.ok(Math.abs(s.mad - mad(exact)) <= 1 / SIZE_BINS_PER_DECADE + 1e-12);
});

test('the "other" row of small cells says how many rows it holds, and is never one small row alone', () => {
  const row = (key: string, members: number) => ({ key, label: key, lines: 1, units: 1, kg: 0, litres: 0, members });
  const other = (n: number) =>
    suppressSmallCells([row('big', 5), row('big2', 4), ...Array.from({ length: n }, (_, i) => row(`s${i}`, 1))], 3).rows.at(-1)!;
  // One small row: the next-smallest row joins it (secondary suppression), so "other" holds 2 rows.
  assert.equal(other(1).label, 'Other (2 rows together)');
  assert.deepEqual(other(1).labels, {
    en: 'Other (2 rows together)',
    fr: 'Autres (2 rubriques regroupées)',
    es: 'Otros (2 filas agrupadas)',
  });
  assert.equal(other(1).merged, 2);
  assert.equal(other(3).merged, 4);
});
