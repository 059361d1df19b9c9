import './quiet.ts';
import { test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadOperationConfig, phaseOf } from '../../../functions/core/operation/config.ts';
import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { bufferByteSource } from '../../../functions/core/sheet/source.ts';
import { SHEET_NAMES } from '../../../functions/core/validation/template.ts';
import {
  DIMENSIONS,
  newItems,
  phaseOverPhase,
  weeksIn,
  type AggregateDimension,
  type PeriodAggregate,
  type PhaseAggregate,
} from '../../../functions/core/trends/index.ts';
import { countLines } from '../../functions/core/trends/helpers.ts';
import { exitCodeOf, validateSpreadsheet } from '../../../functions/core/validation/validate.ts';
import {
  apportion,
  demoRecords,
  demoTargets,
  demoTotals,
  demoWorkbook,
  generateDemo,
  PLANTED_ROUTE,
  STOP_II,
  totalsOf,
} from '../../../bin/demo/index.ts';
import { seizures, tempDir, testCloud } from './helpers.ts';
import { parquetReadObjects } from 'hyparquet';
import { localLakeFiles, localObjectPath } from '../../../lib/local/lake.ts';
import { queryLocal } from '../../../functions/core/lake/duckdb.ts';
import { missingSignals } from '../../../bin/cli/demo.ts';
import { addDays } from '../../../functions/core/operation/days.ts';
import { weekOf } from '../../../functions/core/phase/aggregate.ts';
import type { SummaryJson } from '../../../functions/core/phase/summary.ts';

// This suite runs the demo through a local cloud: its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const config = loadOperationConfig();
const demo = generateDemo(config);
const records = demoRecords(demo);

test('the full demo has STOP II figures exactly: 90 of 160 Members, 270 files, 2,769 cases, 4,034 lines, 501.5 million units', () => {
  const t = demoTotals(demo);
  assert.equal(config.members.length, 160);
  assert.equal(demo.participating, 160);
  assert.equal(t.reportingMembers, 90);
  assert.equal(demo.reporting.length, 90);
  assert.equal(t.files, 270);
  assert.equal(t.cases, 2_769);
  assert.equal(t.lines, 4_034);
  assert.deepEqual(t.units, { medicine: 273_600_000, medical_device: 214_400_000, vaccine: 13_500_000 });
  assert.equal(t.units.medicine + t.units.medical_device + t.units.vaccine, 501_500_000);
  assert.deepEqual(demo.targets, STOP_II);
  // kg and litres are there, apart: used gloves by weight, sanitizer by volume, nothing else.
  assert.ok(t.kg > 0 && t.litres > 0);
  for (const r of records) {
    if (r.unit === 'kg') assert.equal(r.product, 'used_gloves');
    if (r.unit === 'litres') assert.equal(r.product, 'sanitizer');
  }
});

test("every line is one a Member may send: its own code, a participating Member, a date in its file's phase, vaccines in doses only", () => {
  const participating = new Set(config.members.map((m) => m.code));
  const seen = new Set<string>();
  for (const f of demo.files) {
    assert.ok(participating.has(f.member));
    assert.equal(f.lang, config.members.find((m) => m.code === f.member)!.language ?? 'en');
    assert.ok(f.rows.length >= 1, `${f.name} has rows`);
    for (const r of f.rows) {
      assert.equal(r.reporting_member, f.member);
      assert.equal(r.phase, f.phase);
      assert.equal(phaseOf(config, r.seizure_date)?.phase, f.phase, `${r.case_ref}: ${r.seizure_date} in phase ${f.phase}`);
      assert.equal(r.category === 'vaccine', r.unit === 'doses', `${r.case_ref}#${r.line_no}: ${r.category} in ${r.unit}`);
      if (r.unit !== 'kg' && r.unit !== 'litres') assert.ok(Number.isInteger(r.quantity) && r.quantity >= 1);
      const key = `${r.reporting_member}#${r.case_ref}#${r.line_no}`;
      assert.ok(!seen.has(key), `${key} once`);
      seen.add(key);
    }
  }
  // Every reporting Member sends one file per phase; the files are in all three languages.
  const perMember = new Map<string, number[]>();
  for (const f of demo.files) perMember.set(f.member, [...(perMember.get(f.member) ?? []), f.phase]);
  for (const phases of perMember.values()) assert.deepEqual(phases.sort(), [1, 2, 3]);
  assert.deepEqual(new Set(demo.files.map((f) => f.lang)), new Set(['en', 'fr', 'es']));
  // A case never spans two files (an upload replaces the cases it holds).
  const caseFile = new Map<string, string>();
  for (const f of demo.files)
    for (const r of f.rows) {
      const k = `${r.reporting_member}#${r.case_ref}`;
      assert.equal(caseFile.get(k) ?? f.name, f.name);
      caseFile.set(k, f.name);
    }
});

test('the demo is deterministic: the same seed gives the same operation; another seed another one with the same totals', () => {
  const again = generateDemo(config);
  assert.deepEqual(again.files, demo.files);
  assert.deepEqual([...again.planted], [...demo.planted]);
  const other = generateDemo(config, { seed: 7 });
  assert.notDeepEqual(other.files, demo.files);
  const headline = (t: ReturnType<typeof demoTotals>) => [t.files, t.reportingMembers, t.cases, t.lines, t.units];
  assert.deepEqual(headline(demoTotals(other)), headline(demoTotals(demo)));
});

test('a smaller demo scales every figure and still hits its own totals exactly', () => {
  for (const members of [1, 5, 12]) {
    const small = generateDemo(config, { members });
    const targets = demoTargets(members);
    const t = demoTotals(small);
    assert.equal(t.reportingMembers, members);
    assert.equal(t.files, members * 3);
    assert.equal(t.cases, targets.cases);
    assert.equal(t.lines, targets.lines);
    assert.deepEqual(t.units, targets.units);
  }
  assert.deepEqual(demoTargets(5), {
    reportingMembers: 5,
    cases: 154,
    lines: 224,
    units: { medicine: 15_200_000, medical_device: 11_911_111, vaccine: 750_000 },
  });
  assert.throws(() => generateDemo(config, { members: 161 }), /161 reporting Members/);
});

test('apportion splits a total exactly, proportionally, with a floor', () => {
  assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(apportion(10, [0, 0, 1], 2), [2, 2, 6]);
  assert.equal(
    apportion(2_769, [3, 1, 4, 1, 5, 9, 2, 6], 1).reduce((a, b) => a + b, 0),
    2_769,
  );
  assert.throws(() => apportion(2, [1, 1, 1], 1), RangeError);
});

test('every generated file validates with exit 0 and hands on exactly the generated lines', async () => {
  const byKey = new Map(records.map((r) => [`${r.reporting_member}#${r.case_ref}#${r.line_no}`, r]));
  let validated = 0;
  for (const f of demo.files) {
    const buf = await demoWorkbook(config, f);
    const got: SeizureRecord[] = [];
    const report = await validateSpreadsheet(bufferByteSource(f.name, buf), {
      config,
      member: f.member,
      onRecord: (r) => void got.push(r),
    });
    assert.deepEqual(report.errors, [], f.name);
    assert.deepEqual(report.warnings, [], f.name);
    assert.equal(exitCodeOf(report), 0, f.name);
    assert.equal(report.language, f.lang, f.name);
    assert.equal(report.sheet, SHEET_NAMES[f.lang].data);
    assert.equal(report.stats.validRows, f.rows.length);
    for (const r of got)
      assert.deepEqual(r, byKey.get(`${r.reporting_member}#${r.case_ref}#${r.line_no}`), `${f.name} row ${r.source.row}`);
    validated += got.length;
  }
  assert.equal(validated, 4_034);
});

// ---- The planted story, found by the detectors the phase-close workflow runs (in memory, on the generated lines)

const DIMS: AggregateDimension[] = [...DIMENSIONS, 'product_concealment'];
const phaseAgg = (phase: number): PhaseAggregate => ({
  phase,
  weeks: weeksIn(config.phases[phase - 1]!),
  participatingMembers: config.members.length,
  counts: countLines(
    records.filter((r) => r.phase === phase),
    DIMS,
  ),
});
const [p1, p2, p3] = [1, 2, 3].map(phaseAgg) as [PhaseAggregate, PhaseAggregate, PhaseAggregate];
const flagged = (a: PhaseAggregate, b: PhaseAggregate, trend: 'rising' | 'falling') =>
  phaseOverPhase(a, b, config.thresholds).filter((t) => t.trend === trend);
const ids = (ts: { dimension: string; key: string }[]) => ts.map((t) => `${t.dimension}:${t.key}`).sort();

test('planted: oxygen cylinders surge in phase 2 (rising, rate ratio ~10) and fall back in phase 3; nothing else moves in phase 2 but the spreading concealment', () => {
  assert.deepEqual(demo.story.oxygen.lines, [10, 80, 12]);
  const rising12 = flagged(p1, p2, 'rising');
  assert.deepEqual(ids(rising12), ['concealment:split_consignment', 'product:oxygen_cylinder']);
  const oxy = rising12.find((t) => t.key === 'oxygen_cylinder')!;
  assert.equal(oxy.earlier.lines, 10);
  assert.equal(oxy.later.lines, 80);
  assert.ok(oxy.rateRatio > 9, `rate ratio ${oxy.rateRatio}`);
  assert.ok(oxy.q < 1e-10, `q ${oxy.q}`);
  assert.deepEqual(ids(flagged(p1, p2, 'falling')), []);
  assert.deepEqual(ids(flagged(p2, p3, 'falling')), ['product:oxygen_cylinder']);
  // The surge is Members new to the product: by far the most Members newly seizing any product in phase 2.
  const multi = newItems(
    [
      { period: '1', counts: p1.counts },
      { period: '2', counts: p2.counts },
    ],
    { reportFrom: '2' },
  )
    .filter((i) => i.kind === 'product_multi_member')
    .sort((a, b) => b.members - a.members);
  assert.equal(multi[0]!.product, 'oxygen_cylinder');
  assert.ok(multi[0]!.members >= 1.5 * multi[1]!.members, `${multi[0]!.members} vs ${multi[1]!.product} ${multi[1]!.members}`);
});

test('planted: a new route from one origin in phase 3 is the only new route and origin, and rises', () => {
  assert.equal(PLANTED_ROUTE, 'TR>BG>RO>HU>AT>DE');
  assert.deepEqual({ ...demo.story.route }, { phase: 3, origin: 'TR', route: PLANTED_ROUTE, lines: 30, members: 5 });
  const periods: PeriodAggregate[] = [p1, p2, p3].map((p) => ({ period: String(p.phase), counts: p.counts }));
  const items = newItems(periods, { reportFrom: '2' });
  const of = (kind: string) => items.filter((i) => i.kind === kind).map((i) => `${i.firstSeen}:${i.key}:${i.lines}:${i.members}`);
  assert.deepEqual(of('route'), [`3:${PLANTED_ROUTE}:30:5`]);
  assert.deepEqual(of('origin'), ['3:TR:30:5']);
  // The same by week, as the workflow looks for new items: from the first whole week of phase 2 on, the planted
  // route and origin are the only new ones, first seen in phase 3's weeks.
  const weekly = newItems(weekPeriods(records), { reportFrom: addDays(mondayOf(config.phases[1]!.start), 7) });
  assert.deepEqual(
    weekly.filter((i) => i.kind === 'route').map((i) => i.key),
    [PLANTED_ROUTE],
  );
  assert.deepEqual(
    weekly.filter((i) => i.kind === 'origin').map((i) => i.key),
    ['TR'],
  );
  assert.ok(weekly.find((i) => i.kind === 'route')!.firstSeen >= mondayOf(config.phases[2]!.start));
  const rising23 = flagged(p2, p3, 'rising');
  assert.deepEqual(ids(rising23), ['concealment:split_consignment', 'concealment:vehicle_cavity', `origin:TR`, `route:${PLANTED_ROUTE}`]);
});

test('planted: split consignments spread across Members (1 -> 8 -> 20), rising twice, and reach a new product each phase', () => {
  assert.deepEqual(demo.story.concealment, { method: 'split_consignment', lines: [3, 24, 60], members: [1, 8, 20] });
  for (const [a, b, lines, members] of [
    [p1, p2, [3, 24], [1, 8]],
    [p2, p3, [24, 60], [8, 20]],
  ] as const) {
    const t = flagged(a, b, 'rising').find((x) => x.dimension === 'concealment' && x.key === 'split_consignment');
    assert.ok(t, `rising ${a.phase} -> ${b.phase}`);
    assert.deepEqual([t.earlier.lines, t.later.lines], lines);
    assert.deepEqual([t.earlier.members, t.later.members], members);
    assert.ok(t.q < config.thresholds.trendQ / 100, `q ${t.q}`);
  }
  // New concealments for a product after phase 1: only the story's (split consignments reaching doxycycline, then
  // azithromycin; the new route's vehicle cavities).
  const periods: PeriodAggregate[] = [p1, p2, p3].map((p) => ({ period: String(p.phase), counts: p.counts }));
  const fresh = newItems(periods, { reportFrom: '2' })
    .filter((i) => i.kind === 'concealment_for_product')
    .map((i) => `${i.firstSeen}:${i.product}:${i.concealment}`);
  assert.deepEqual(fresh, [
    '2:doxycycline:split_consignment',
    '3:azithromycin:split_consignment',
    '3:pregabalin:vehicle_cavity',
    '3:tramadol:vehicle_cavity',
  ]);
});

test("the demo's check of the summaries names each planted signal missing, and a rising one outside the alert email's list", () => {
  const trend = (kind: 'rising' | 'falling', dimension: string, key: string) => ({ kind, dimension, key });
  const summary = (
    phase: number,
    rising: ReturnType<typeof trend>[],
    falling: ReturnType<typeof trend>[],
    fresh: { novelty: string; key: string }[],
    noise = 0,
  ) =>
    ({
      phase: { phase },
      trends: { rising, falling },
      newItems: fresh.map((x) => ({ kind: 'new', ...x })),
      signals: [...Array.from({ length: noise }, () => ({ signal: { kind: 'outlier' } })), ...rising.map((t) => ({ signal: t }))],
    }) as unknown as SummaryJson;
  const p2 = summary(2, [trend('rising', 'product', 'oxygen_cylinder'), trend('rising', 'concealment', 'split_consignment')], [], []);
  const p3 = summary(
    3,
    [trend('rising', 'origin', 'TR'), trend('rising', 'route', PLANTED_ROUTE), trend('rising', 'concealment', 'split_consignment')],
    [trend('falling', 'product', 'oxygen_cylinder')],
    [
      { novelty: 'route', key: PLANTED_ROUTE },
      { novelty: 'origin', key: 'TR' },
    ],
  );
  assert.deepEqual(missingSignals([summary(1, [], [], []), p2, p3], PLANTED_ROUTE, 10), []);
  const quiet3 = summary(3, [trend('rising', 'origin', 'TR')], [], [{ novelty: 'origin', key: 'TR' }], 10);
  assert.deepEqual(missingSignals([summary(1, [], [], []), p2, quiet3], PLANTED_ROUTE, 10), [
    'phase 3 rising origin TR (not in the alert email)',
    `phase 3 rising route ${PLANTED_ROUTE}`,
    'phase 3 rising concealment split_consignment',
    'phase 3 falling product oxygen_cylinder',
    `phase 3 new route ${PLANTED_ROUTE}`,
  ]);
});

/** Monday of a day's week (as the workflow's weeks). */
const mondayOf = weekOf;

function weekPeriods(rs: readonly SeizureRecord[]): PeriodAggregate[] {
  const byWeek = new Map<string, SeizureRecord[]>();
  for (const r of rs) {
    const w = mondayOf(r.seizure_date);
    byWeek.set(w, [...(byWeek.get(w) ?? []), r]);
  }
  return [...byWeek].map(([period, lines]) => ({ period, counts: countLines(lines, DIMS) }));
}

// ---- End to end: `seizures demo` scaled down to 5 Members, as a person runs it, on a local cloud of its own. The
// operation is STOP II with 12 participating Members (--config): closing a phase works per participating Member, and
// 160 of them would triple the test's time without testing more.

/** The demo's commands may take longer than seizures()'s default. */
const CLI_TIMEOUT_MS = 150_000;

test("seizures demo --members 5 uploads 15 files on an in-process cloud, all accepted, closes the 3 phases, and seizures summary then shows the demo's totals exactly", {
  timeout: 180_000,
}, async () => {
  const dataDir = await tempDir('demo-e2e-');
  try {
    const twelve = ['AR', 'AT', 'BG', 'CN', 'DE', 'ES', 'FR', 'HU', 'IN', 'KE', 'RO', 'SN'];
    const operation = { ...config, members: config.members.filter((m) => twelve.includes(m.code)) };
    const configFile = join(dataDir, 'operation.json');
    writeFileSync(configFile, JSON.stringify(operation));
    const small = generateDemo(operation, { members: 5 });
    const expected = demoTotals(small);
    const run = await seizures(['demo', '--members', '5', '--config', configFile, '--data-dir', dataDir], CLI_TIMEOUT_MS);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /5 of 12 participating Members report/);
    assert.match(run.stdout, /Ingested 15 uploads in [\d.]+ s: 15 accepted with 0 errors\n/);
    assert.match(
      run.stdout,
      /Stored: 224 lines in 154 cases from 5 Members; units 15,200,000 medicines \+ 11,911,111 medical devices \+ 750,000 vaccine doses = 27,861,111 — the demo's totals exactly/,
    );
    assert.match(run.stderr, /starting one in this process/);
    for (const phase of [1, 2, 3])
      assert.match(run.stdout, new RegExp(`Closed phase ${phase} \\(final, as of \\d{4}-\\d{2}-\\d{2}\\) in [\\d.]+ s: [\\d,]+ lines`));
    assert.match(
      run.stdout,
      /5 of 12 Members reported 154 cases, 224 seizure lines\n {2}units 15,200,000 medicines \+ 11,911,111 medical devices \+ 750,000 vaccine doses = 27,861,111\n {2}the demo's totals, exactly/,
    );
    assert.match(run.stdout, /s3:\/\/submissions\/summaries\/stop-ii\/phase-3\/final\//);
    // The files stay where a newcomer can open them, with what was planted.
    const files = readdirSync(join(dataDir, 'demo'))
      .filter((f) => f.endsWith('.xlsx'))
      .sort();
    assert.deepEqual(files, small.files.map((f) => f.name).sort());
    const described = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8'));
    assert.deepEqual(described.totals, JSON.parse(JSON.stringify(expected)));
    assert.ok(!existsSync(join(dataDir, 'cloud.json')), 'the in-process cloud stopped with the command');

    // The data stayed in the data directory: `seizures summary` on the same flags shows the demo's results...
    const summary = await seizures(
      ['summary', '--phase', '3', '--cumulative', '--config', configFile, '--data-dir', dataDir],
      CLI_TIMEOUT_MS,
    );
    assert.equal(summary.code, 0, summary.stdout + summary.stderr);
    assert.match(summary.stdout, /seizure lines 224, cases 154, reporting Members 5 of 12\n {2}units 27,861,111 \(/);
    // ...and the lake the phase closes wrote answers SQL with every phase's summary.json figures, exactly.
    const query = await seizures(
      [
        'query',
        "select phase, count(*) as lines, count(distinct member || '/' || case_ref) as cases, sum(quantity) filter (where unit in ('pieces','doses','packs')) as units from lines group by phase order by phase",
        '--format',
        'json',
        '--data-dir',
        dataDir,
      ],
      CLI_TIMEOUT_MS,
    );
    assert.equal(query.code, 0, query.stderr);
    const summaries = [1, 2, 3].map(
      (phase) =>
        JSON.parse(readFileSync(localObjectPath(dataDir, `summaries/stop-ii/phase-${phase}/final/summary.json`), 'utf8')) as SummaryJson,
    );
    assert.deepEqual(
      JSON.parse(query.stdout),
      summaries.map((s) => ({
        phase: s.phase.phase,
        lines: s.figures.phase.lines,
        cases: s.figures.phase.cases,
        units: s.figures.phase.units.total,
      })),
    );
    // Every file reads alike in DuckDB and hyparquet.
    const lakeFiles = localLakeFiles(dataDir);
    assert.equal(lakeFiles.length, 3 * operation.members.length);
    let lakeRows = 0;
    for (const f of lakeFiles) {
      const buf = readFileSync(f);
      const n = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer }))
        .length;
      assert.equal((await queryLocal({ files: [f] }, 'select count(*) as n from lines')).rows[0]!['n'], n, f);
      lakeRows += n;
    }
    assert.equal(lakeRows, 224);
    // ...and a cloud started on it finds every submission and line.
    const t = await testCloud({ dataDir, operation });
    try {
      const subs = await t.store.listSubmissions();
      assert.equal(subs.length, 15);
      assert.ok(subs.every((s) => s.status === 'accepted' && s.rows.invalid === 0));
      const lines = [];
      for (const f of small.files) for await (const r of t.store.linesOf(f.phase, f.member)) lines.push(r);
      const { files: _files, ...want } = expected;
      assert.deepEqual(totalsOf(lines), want);
    } finally {
      await t.close({ keep: true });
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
