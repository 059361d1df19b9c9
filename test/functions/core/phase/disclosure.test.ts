/**
 * Disclosure control of the NCP version (functions/core/phase/disclosure.ts, README "Disclosure control"): the
 * threshold rule with secondary suppression on distinct Members, routes and origins coarsened by WCO region, Members
 * by region, weeks pooled, nothing broken down when too few Members reported. The analysts' version keeps all.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseOperationConfig, type OperationConfig } from '../../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { aggregateLines } from '../../../../functions/core/phase/aggregate.ts';
import { analyse } from '../../../../functions/core/phase/analyse.ts';
import {
  BREAKDOWN_FIELDS,
  buildSummary,
  type BreakdownRow,
  type Figures,
  type SummaryJson,
} from '../../../../functions/core/phase/summary.ts';
import {
  OTHER,
  poolWeeks,
  protectCountries,
  protectRoutes,
  protectRows,
  routeLabel,
  routeLevels,
  rowLabel,
} from '../../../../functions/core/phase/disclosure.ts';
import type { PhaseCloseInput } from '../../../../functions/core/phase/input.ts';
import { sorted } from './fixtures.ts';
import { loadOperationConfig } from '../../../../functions/core/operation/config.ts';
import { demoRecords, generateDemo } from '../../../../bin/demo/index.ts';

const MEMBERS = ['FR', 'DE', 'ES', 'NL', 'IT', 'BE', 'KE', 'BR'];
const OP: OperationConfig = parseOperationConfig({
  id: 'sdc',
  name: 'Operation SDC',
  phases: [
    { phase: 1, start: '2021-05-03', end: '2021-06-27' },
    { phase: 2, start: '2021-06-28', end: '2021-08-22' },
  ],
  members: MEMBERS.map((code) => ({ code })),
  analysts: ['analysts@sdc.example.org'],
  mailFrom: 'sdc@sdc.example.org',
});
const FINAL: PhaseCloseInput = { operation: 'sdc', phase: 2, mode: 'final', asOf: '2021-08-23' };

let serial = 0;
const line = (member: string, over: Partial<SeizureRecord> = {}): SeizureRecord => ({
  phase: (over.seizure_date ?? '2021-07-05') <= '2021-06-27' ? 1 : 2,
  reporting_member: member,
  case_ref: `C-${++serial}`,
  line_no: 1,
  seizure_date: '2021-07-05',
  category: 'medicine',
  product: 'paracetamol',
  quantity: 100,
  unit: 'pieces',
  transport_mode: 'air_cargo',
  infringement_type: 'counterfeit',
  origin_country: 'CN',
  destination_country: member,
  source: { file: `${member}.xlsx`, sheet: 'Seizures', row: serial },
  ...over,
});

async function summaries(lines: SeizureRecord[]): Promise<{ ncp: SummaryJson; analysts: SummaryJson }> {
  const agg = await aggregateLines(FINAL, OP, sorted(lines));
  const a = analyse(FINAL, OP, agg);
  return { ncp: buildSummary(FINAL, OP, agg, a, 'ncp'), analysts: buildSummary(FINAL, OP, agg, a, 'analysts') };
}

const TABLES = BREAKDOWN_FIELDS;

/** Every row shown rests on 3 Members or more; an "other" row holds 2 rows or more. */
function assertSafe(f: Figures, min = 3): void {
  for (const t of TABLES) {
    for (const r of f[t]) {
      assert.ok(r.members >= min, `${t} ${r.key} rests on ${r.members} Members`);
      if (r.key === OTHER) assert.ok((r.merged ?? 0) >= 2, `${t} other holds ${r.merged} row(s)`);
    }
  }
}

test("a single small row: one Member's medical devices are never shown alone, nor recoverable from the totals", async () => {
  const lines = [
    ...['FR', 'DE', 'ES', 'NL'].map((m) => line(m, { product: 'paracetamol', quantity: 100 })),
    ...['FR', 'DE', 'ES'].map((m) => line(m, { product: 'ivermectin', quantity: 50 })),
    // IT alone seizes a medical device: the one small row of byProduct and byCategory.
    line('IT', { category: 'medical_device', product: 'face_mask', quantity: 7777, transport_mode: 'sea_cargo' }),
  ];
  const { ncp, analysts } = await summaries(lines);
  const f = ncp.figures.phase;
  assertSafe(f);
  assertSafe(ncp.figures.cumulative);
  // The analysts' version keeps the row as it is.
  assert.deepEqual(analysts.figures.phase.byProduct.find((r) => r.key === 'face_mask')?.units, 7777);
  // In the NCP version no row, and no difference of the total and the rows shown, is IT's figure alone.
  for (const t of TABLES) {
    const shown = f[t].filter((r) => r.key !== OTHER);
    assert.ok(!shown.some((r) => r.units === 7777), `${t} shows IT's row`);
    const other = f[t].find((r) => r.key === OTHER);
    if (other) assert.notEqual(other.units, 7777, `${t}: "other" is IT's row`);
  }
  // byProduct: the next-smallest product (ivermectin, 3 Members) is withheld with it (secondary suppression).
  const other = f.byProduct.find((r) => r.key === OTHER)!;
  assert.deepEqual([other.lines, other.units, other.members, other.merged], [4, 7777 + 150, 4, 2]);
  assert.deepEqual(
    f.byProduct.map((r) => r.key),
    ['paracetamol', OTHER],
  );
  assert.ok((ncp.disclosure?.secondaryRows ?? 0) > 0);
  assert.equal(ncp.disclosure?.breakdownWithheld, false);
  assert.match(ncp.disclosure?.reference ?? '', /Hundepool/);
});

test('two Members reporting in all: the NCP version gives the totals, no breakdown and no weekly series', async () => {
  const lines = [line('FR'), line('FR', { seizure_date: '2021-07-12' }), line('DE', { product: 'ivermectin' })];
  const { ncp, analysts } = await summaries(lines);
  for (const f of [ncp.figures.phase, ncp.figures.cumulative]) {
    assert.equal(f.lines, 3);
    assert.equal(f.reportingMembers, 2);
    for (const t of TABLES) assert.deepEqual(f[t], [], t);
    assert.deepEqual(f.weekly, []);
  }
  assert.equal(ncp.disclosure?.breakdownWithheld, true);
  // The analysts' keep everything.
  assert.deepEqual(
    analysts.figures.phase.byMember.map((r) => [r.key, r.lines]),
    [
      ['FR', 2],
      ['DE', 1],
    ],
  );
  assert.ok(analysts.figures.phase.weekly.some((w) => w.lines > 0));
  assert.equal(analysts.disclosure, undefined);
});

test('Member counts across merged rows are distinct Members, never sums over the rows', async () => {
  // Four small origins of Europe, each of one Member: FR seizes from TR and BG, DE from RO, ES from HU.
  const lines = [
    ...['FR', 'DE', 'ES', 'NL'].map((m) => line(m, { origin_country: 'CN' })),
    ...(
      [
        ['FR', 'TR'],
        ['FR', 'BG'],
        ['DE', 'RO'],
        ['ES', 'HU'],
      ] as const
    ).flatMap(([m, o]) => [line(m, { origin_country: o }), line(m, { origin_country: o })]),
  ];
  const { ncp } = await summaries(lines);
  // The four European origins rest on FR, DE and ES together: shown as one Europe row of 3 Members, not 4.
  const origin = Object.fromEntries(ncp.figures.phase.byOrigin.map((r) => [r.key, [r.lines, r.members]]));
  assert.deepEqual(origin, { CN: [4, 4], '@EUR': [8, 3] });
  // Members by region: FR, DE, ES and NL are 4 Members of Europe, whatever their rows.
  assert.deepEqual(
    ncp.figures.cumulative.byMember.map((r) => [r.key, r.members, r.lines]),
    [['@EUR', 4, 12]],
  );
  // protectRows itself: "other" counts the union of its rows' Members.
  const row = (key: string, members: number, lines = 1): BreakdownRow => ({
    key,
    label: key,
    lines,
    units: lines,
    kg: 0,
    litres: 0,
    members,
  });
  const p = protectRows(
    [row('big', 5, 50), row('a', 1), row('b', 2), row('c', 2)],
    new Map([
      ['big', ['1', '2', '3', '4', '5']],
      ['a', ['FR']],
      ['b', ['FR', 'DE']],
      ['c', ['DE', 'ES']],
    ]),
    { min: 3 },
  );
  assert.deepEqual(
    p.rows.map((r) => [r.key, r.lines, r.members]),
    [
      ['big', 50, 5],
      [OTHER, 3, 3],
    ],
  );
  // The same rows of only 2 distinct Members: "other" would rest on 2, so "big" joins it.
  const q = protectRows(
    [row('big', 5, 50), row('a', 1), row('b', 2)],
    new Map([
      ['big', ['1', '2', '3', '4', '5']],
      ['a', ['FR']],
      ['b', ['FR', 'DE']],
    ]),
    { min: 3 },
  );
  assert.deepEqual(
    q.rows.map((r) => [r.key, r.lines, r.members]),
    [[OTHER, 52, 7]],
  );
});

test('a withheld child is not recoverable from its published parent (product within category)', () => {
  const row = (key: string, category: string, members: string[], lines: number): BreakdownRow => ({
    key,
    label: key,
    lines,
    units: lines,
    kg: 0,
    litres: 0,
    members: members.length,
    category,
  });
  const rows = [
    row('p1', 'medicine', ['A', 'B', 'C', 'D'], 40),
    row('p2', 'medicine', ['A', 'B', 'C'], 30),
    row('p3', 'medicine', ['E'], 3),
    row('d1', 'device', ['A', 'B', 'C', 'D', 'E'], 20),
    row('d2', 'device', ['F', 'G', 'H'], 9),
    row('d3', 'device', ['A', 'B', 'C', 'D', 'E', 'F'], 8),
  ];
  const sets = new Map(
    rows.map(
      (r, i) =>
        [
          r.key,
          [['A', 'B', 'C', 'D'], ['A', 'B', 'C'], ['E'], ['A', 'B', 'C', 'D', 'E'], ['F', 'G', 'H'], ['A', 'B', 'C', 'D', 'E', 'F']][i]!,
        ] as const,
    ),
  );
  const p = protectRows(rows, sets, { min: 3, parentOf: (r) => r.category });
  // p3 alone (1 Member) would be medicine minus p1 and p2: p2 is withheld with it (3 + 1 = 4 Members).
  assert.deepEqual([...p.withheld].sort(), ['p2', 'p3']);
  assert.deepEqual(
    p.rows.map((r) => r.key),
    ['p1', 'd1', 'd2', 'd3', OTHER],
  );
  assert.equal(p.secondary, 1);
});

test('route levels: a route of too few Members is shown at the finest level that rests on enough of them', () => {
  assert.deepEqual(routeLevels('TR>BG>DE'), {
    route: 'TR>BG>DE',
    transitRegion: 'TR>BG>@EUR',
    transit: 'TR>BG>*',
    region: 'TR>*>@EUR',
    origin: 'TR>*',
    regions: undefined,
    originRegion: undefined,
  });
  assert.deepEqual(routeLevels('CN>unknown'), {
    route: 'CN>unknown',
    transitRegion: undefined,
    transit: undefined,
    region: undefined,
    origin: 'CN>*',
    regions: undefined,
    originRegion: undefined,
  });
  assert.equal(routeLevels('MA>KE', 'unknown', true).regions, '@MENA>@ESA');
  assert.equal(routeLabel('TR>BG>@EUR', 'en'), 'Türkiye → Bulgaria → Europe');
  assert.equal(routeLabel('TR>*>@EUR', 'fr'), 'Turquie → … → Europe');
  assert.equal(routeLabel('TR>BG>*', 'es'), 'Turquía → Bulgaria → destinos diversos');
  assert.equal(routeLabel('TR>*', 'en'), 'Türkiye → various routes');
  assert.equal(routeLabel('@AP>@EUR', 'en'), 'Asia/Pacific (other countries) → Europe');

  const rows: BreakdownRow[] = [];
  const sets = new Map<string, string[]>();
  const add = (key: string, members: string[], lines: number) => {
    rows.push({ key, label: key, lines, units: lines, kg: 0, litres: 0, members: members.length });
    sets.set(key, members);
  };
  add('TR>BG>DE', ['DE', 'AT', 'NL'], 30); // 3 Members: shown as is
  add('TR>BG>AT', ['AT'], 4); // with TR>BG>FR and TR>BG>PL: Türkiye → Bulgaria → Europe, 3 Members
  add('TR>BG>FR', ['FR'], 3);
  add('TR>BG>PL', ['PL'], 2);
  add('TR>US', ['US'], 5); // with TR>CA and TR>MX: Türkiye → Americas, 3 Members
  add('TR>CA', ['CA'], 2);
  add('TR>MX', ['MX'], 1);
  add('VN>KE', ['KE'], 6); // three routes of one Member from three countries: withheld together
  add('LA>ZA', ['ZA'], 2);
  add('KH>UG', ['UG'], 1);
  const r = protectRoutes(rows, sets, { min: 3 });
  const shown = Object.fromEntries(r.rows.map((x) => [x.key, [x.lines, x.members, x.level, x.label]]));
  assert.deepEqual(shown['TR>BG>DE']?.slice(0, 3), [30, 3, 'route']);
  assert.deepEqual(shown['TR>BG>@EUR'], [9, 3, 'transitRegion', 'Türkiye → Bulgaria → Europe (other routes)']);
  assert.deepEqual(shown['TR>@AC'], [8, 3, 'transitRegion', 'Türkiye → Americas and the Caribbean']);
  const other = r.rows.find((x) => x.key === OTHER)!;
  assert.deepEqual([other.lines, other.members, other.merged], [9, 3, 3]);
  assert.equal(
    r.rows.find((x) => x.key === 'VN>KE'),
    undefined,
  );
  // Without LA → ZA and KH → UG, VN → KE alone would be "other" of one row: the smallest row shown joins it.
  const alone = protectRoutes(
    rows.filter((x) => x.key !== 'LA>ZA' && x.key !== 'KH>UG'),
    sets,
    { min: 3 },
  );
  const other1 = alone.rows.find((x) => x.key === OTHER)!;
  assert.deepEqual([other1.lines, other1.members, other1.merged], [6 + 8, 4, 2]);
  // A first country whose origin row is published: its routes withheld must rest on 3 Members together.
  const parent = protectRoutes(
    [...rows, { key: 'TR>JP', label: '', lines: 1, units: 1, kg: 0, litres: 0, members: 1 }],
    new Map([...sets, ['TR>JP', ['JP']]]),
    { min: 3, parentOf: (c) => c },
  );
  const trHidden = [...parent.withheld].filter((k) => k.startsWith('TR>') && !parent.rows.some((x) => x.key === k));
  assert.ok(trHidden.length >= 2, `TR's withheld routes: ${trHidden}`);
  // Each line counts in one row only.
  assert.equal(
    r.rows.reduce((t, x) => t + x.lines, 0),
    rows.reduce((t, x) => t + x.lines, 0),
  );
  assert.ok(r.rows.every((x) => x.labels === undefined || (x.labels.fr && x.labels.es)));
});

test('origins: a country of too few Members is shown with the others of its WCO region', () => {
  const rows: BreakdownRow[] = [];
  const sets = new Map<string, string[]>();
  const add = (key: string, members: string[], lines: number) => {
    rows.push({ key, label: key, lines, units: lines, kg: 0, litres: 0, members: members.length });
    sets.set(key, members);
  };
  add('CN', ['A', 'B', 'C', 'D'], 40);
  add('VN', ['A'], 3);
  add('TH', ['B', 'C'], 2);
  add('KE', ['D'], 1);
  add('TZ', ['E'], 1);
  add('BR', ['F'], 1);
  add('AR', ['G'], 1);
  const p = protectCountries(rows, sets, { min: 3 });
  const shown = Object.fromEntries(p.rows.map((x) => [x.key, [x.lines, x.members, x.label]]));
  assert.deepEqual(shown['@AP'], [5, 3, 'Asia/Pacific (other countries)']);
  assert.equal(shown.VN, undefined);
  assert.equal(p.parentOf('VN'), '@AP');
  assert.equal(p.parentOf('CN'), 'CN');
  // KE and TZ (2 Members of East and Southern Africa), BR and AR (2 of the Americas): too few even by region, withheld
  // together (4 Members).
  assert.equal(shown['@ESA'], undefined);
  assert.equal(shown['@AC'], undefined);
  const other = p.rows.find((x) => x.key === OTHER)!;
  assert.deepEqual([other.lines, other.members, other.merged], [4, 4, 4]);
  assert.equal(p.parentOf('KE'), undefined);
});

test('weeks of fewer than 3 Members are pooled with the next ones (else the ones before); empty weeks stay', () => {
  const members: Record<string, string[]> = {
    '2021-07-05': ['A', 'B', 'C'],
    '2021-07-12': ['A'],
    '2021-07-19': [],
    '2021-07-26': ['B', 'C'],
    '2021-08-02': ['A', 'B', 'C', 'D'],
    '2021-08-09': ['D'],
  };
  const weekly = Object.entries(members).map(([week, m]) => ({ week, lines: m.length * 2 }));
  const p = poolWeeks(weekly, (w) => members[w] ?? [], 3);
  assert.deepEqual(p.weeks, [
    { week: '2021-07-05', lines: 6 },
    { week: '2021-07-12', lines: 6, weeks: 3 },
    { week: '2021-08-02', lines: 10, weeks: 2 },
  ]);
  assert.equal(p.pooled, 5);
  assert.equal(
    p.weeks.reduce((t, w) => t + w.lines, 0),
    weekly.reduce((t, w) => t + w.lines, 0),
  );
  // A series of too few Members in all is withheld.
  assert.deepEqual(poolWeeks(weekly, () => ['A'], 3).weeks, []);
});

test('property: random tables never show a row, an "other" or a parent\'s withheld part resting on fewer than 3 Members', () => {
  let seed = 17;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pool = 'ABCDEFGHIJ'.split('');
  for (let run = 0; run < 300; run++) {
    const n = 1 + Math.floor(rand() * 8);
    const sets = new Map<string, string[]>();
    const rows: BreakdownRow[] = [];
    for (let i = 0; i < n; i++) {
      const ms = pool.filter(() => rand() < 0.25);
      if (ms.length === 0) ms.push(pool[Math.floor(rand() * pool.length)]!);
      sets.set(`k${i}`, ms);
      rows.push({
        key: `k${i}`,
        label: `k${i}`,
        lines: 1 + Math.floor(rand() * 20),
        units: 1,
        kg: 0,
        litres: 0,
        members: ms.length,
        category: rand() < 0.5 ? 'x' : 'y',
      });
    }
    const p = protectRows(rows, sets, { min: 3, parentOf: (r) => r.category });
    const union = (keys: Iterable<string>) => new Set([...keys].flatMap((k) => sets.get(k) ?? []));
    for (const r of p.rows) {
      assert.ok(r.members >= 3, `run ${run}: ${r.key} on ${r.members}`);
      if (r.key === OTHER) {
        assert.equal(r.members, union(p.withheld).size);
        assert.ok(p.withheld.size >= 2);
      }
    }
    if (p.rows.length === 0) assert.ok(union(sets.keys()).size < 3);
    for (const c of ['x', 'y']) {
      const hidden = rows.filter((r) => r.category === c && p.withheld.has(r.key)).map((r) => r.key);
      // (A category of fewer than 3 Members in all is itself withheld in its own table: nothing to subtract from.)
      const all = rows.filter((r) => r.category === c).map((r) => r.key);
      if (hidden.length && p.rows.length && union(all).size >= 3)
        assert.ok(union(hidden).size >= 3, `run ${run}: category ${c} gives away ${hidden}`);
    }
    assert.equal(
      p.rows.reduce((t, r) => t + r.lines, 0),
      p.rows.length ? rows.reduce((t, r) => t + r.lines, 0) : 0,
    );
  }
});

test("rowLabel: a row's own labels first, else the key's label in the language", () => {
  assert.equal(rowLabel({ key: '@EUR', labels: { en: 'Europe', fr: 'Europe', es: 'Europa' } }, 'member', 'es'), 'Europa');
  assert.equal(rowLabel({ key: 'DE' }, 'origin', 'fr'), 'Allemagne');
  assert.equal(rowLabel({ key: 'TR>DE' }, 'route', 'es'), 'Turquía → Alemania');
});

test('a row withheld in the phase is withheld in the cumulative table too (no difference of two summaries gives it)', async () => {
  const lines = [
    ...['FR', 'DE', 'ES', 'NL'].map((m) => line(m, { seizure_date: '2021-06-01', product: 'ivermectin' })),
    ...['FR', 'DE', 'ES', 'NL'].map((m) => line(m, { product: 'paracetamol' })),
    ...['FR', 'DE', 'ES'].map((m) => line(m, { product: 'azithromycin' })),
    // Phase 2: IT alone seizes ivermectin; cumulatively 5 Members did.
    line('IT', { product: 'ivermectin', quantity: 4321 }),
  ];
  const { ncp, analysts } = await summaries(lines);
  assert.equal(analysts.figures.cumulative.byProduct.find((r) => r.key === 'ivermectin')?.members, 5);
  assert.equal(
    ncp.figures.phase.byProduct.find((r) => r.key === 'ivermectin'),
    undefined,
  );
  assert.equal(
    ncp.figures.cumulative.byProduct.find((r) => r.key === 'ivermectin'),
    undefined,
  );
  assertSafe(ncp.figures.cumulative);
});

test("the demo's phase 3 NCP tables are mostly named rows: routes and origins by region before 'other'", async () => {
  const config = loadOperationConfig();
  const lines = sorted(demoRecords(generateDemo(config)));
  const input: PhaseCloseInput = { operation: config.id, phase: 3, mode: 'final', asOf: config.phases[2]!.end };
  const agg = await aggregateLines(input, config, lines);
  const ncp = buildSummary(input, config, agg, analyse(input, config, agg), 'ncp');
  for (const f of [ncp.figures.phase, ncp.figures.cumulative]) {
    assertSafe(f);
    const otherShare = (rows: readonly BreakdownRow[]) =>
      (rows.find((r) => r.key === OTHER)?.lines ?? 0) / rows.reduce((t, r) => t + r.lines, 0);
    // Before issue 17: routes 1,062 of 1,092 lines in "other" ("180 Members" of 90), origins 290, Members all.
    assert.ok(otherShare(f.byRoute) < 0.05, `routes: ${otherShare(f.byRoute)} of the lines in "other"`);
    assert.ok(otherShare(f.byOrigin) < 0.05, `origins: ${otherShare(f.byOrigin)} of the lines in "other"`);
    assert.ok(f.byRoute.filter((r) => r.key !== OTHER).length >= 30);
    assert.deepEqual(f.byMember.map((r) => r.key).sort(), ['@AC', '@AP', '@ESA', '@EUR', '@MENA', '@WCA']);
    assert.equal(
      f.byMember.reduce((t, r) => t + r.members, 0),
      f.reportingMembers,
    );
    assert.equal(f.reporters?.length, f.reportingMembers);
    for (const r of f.byRoute) assert.ok(r.members <= f.reportingMembers);
  }
  // The planted route rests on 5 Members: shown whole.
  assert.ok(ncp.figures.phase.byRoute.some((r) => r.key === 'TR>BG>RO>HU>AT>DE' && r.level === 'route'));
  assert.equal(ncp.figures.cumulative.lines, 4_034);
});
