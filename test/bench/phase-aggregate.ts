/**
 * The phase close's aggregation over N synthetic seizure lines (default 1,000,000) streamed from an in-memory async
 * iterable, never collected: `tsx test/bench/phase-aggregate.ts [N] [floor|aggregate|close]` prints one JSON line
 * {seconds, maxRssMB, lines, ...}. `floor` only generates and iterates the same lines (the cost of the source);
 * `aggregate` runs aggregateLines (the same LineAggregator the slices use): seconds, peak RSS, groups; `close` also
 * serialises the aggregate and analyses it (the merge -> analyse path) and reports its size.
 * Run each in its own process, so peak RSS is its own. For the lead's `npm run bench` to call.
 */
import { performance } from 'node:perf_hooks';
import { parseOperationConfig } from '../../functions/core/operation/config.ts';
import { aggregateLines } from '../../functions/core/phase/aggregate.ts';
import { analyse } from '../../functions/core/phase/analyse.ts';
import type { SeizureRecord } from '../../functions/core/vocabulary/record.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const MODE = process.argv[3] ?? 'aggregate';

export const BENCH_CONFIG = parseOperationConfig({
  id: 'stop-ii',
  name: 'Operation STOP II',
  phases: [
    { phase: 1, start: '2021-04-30', end: '2021-09-30' },
    { phase: 2, start: '2021-10-01', end: '2022-01-31' },
    { phase: 3, start: '2022-02-01', end: '2022-05-04' },
  ],
  members: Array.from({ length: 160 }, (_, i) => `${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`),
});

const PRODUCTS = [
  'ivermectin',
  'doxycycline',
  'pregabalin',
  'hydroxychloroquine',
  'chloroquine',
  'azithromycin',
  'favipiravir',
  'remdesivir',
  'dexamethasone',
  'paracetamol',
  'tramadol',
  'other_medicine',
];
const ORIGINS = ['CN', 'IN', 'HK', 'TR', 'AE', 'PK', 'BD', 'SG', 'US', 'NG', 'EG', 'RU', 'TH', 'VN', 'MY', 'ID', 'BR', 'MX', 'ZA', 'KE'];
const MODES = ['sea', 'rail', 'road', 'air_cargo', 'air_passenger', 'express_courier', 'postal', 'other'];
const CONCEALMENTS = [
  'none',
  'misdescribed',
  'undervalued',
  'mixed_with_legitimate',
  'baggage',
  'on_body',
  'vehicle_cavity',
  'repackaged',
  'split_consignment',
  'false_documents',
];
const UNITS: SeizureRecord['unit'][] = ['pieces', 'pieces', 'pieces', 'packs', 'kg', 'litres'];

/** A deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` lines of 160 Members over the three phases, in byPhase index order per Member (Member by Member, cases in
 * order, 1 to 4 lines a case); sizes log-uniform from 1 to 10^6 with a few at 10^8. Lines are made as they are read.
 */
export function* syntheticLines(n: number, seed = 42): Generator<SeizureRecord> {
  const r = rng(seed);
  const members = BENCH_CONFIG.members.map((m) => m.code);
  const perMember = Math.ceil(n / members.length);
  const start = Date.parse('2021-04-30T00:00:00Z');
  const days = (Date.parse('2022-05-04T00:00:00Z') - start) / 86_400_000 + 1;
  let made = 0;
  for (const member of members) {
    let c = 0;
    for (let i = 0; i < perMember && made < n; ) {
      const caseRef = `${member}-2021-${String(++c).padStart(6, '0')}`;
      const day = new Date(start + Math.floor(r() * days) * 86_400_000).toISOString().slice(0, 10);
      const phase = day <= '2021-09-30' ? 1 : day <= '2022-01-31' ? 2 : 3;
      const origin = ORIGINS[Math.floor(r() * r() * ORIGINS.length)]!;
      const mode = MODES[Math.floor(r() * MODES.length)]!;
      const k = 1 + Math.floor(r() * 4);
      for (let l = 1; l <= k && i < perMember && made < n; l++, i++, made++) {
        const unit = UNITS[Math.floor(r() * UNITS.length)]!;
        const q = r() < 0.001 ? 1e8 : Math.max(1, Math.round(10 ** (r() * 6)));
        yield {
          reporting_member: member,
          case_ref: caseRef,
          line_no: l,
          seizure_date: day,
          phase,
          category: 'medicine',
          product: PRODUCTS[Math.floor(r() * r() * PRODUCTS.length)]!,
          quantity: q,
          unit,
          ...(r() < 0.5 ? { estimated_value: Math.round(q * 0.3), currency: r() < 0.7 ? 'USD' : 'EUR' } : {}),
          origin_country: origin,
          ...(r() < 0.3 ? { transit_countries: [ORIGINS[Math.floor(r() * ORIGINS.length)]!] } : {}),
          destination_country: member,
          transport_mode: mode,
          concealment_method: CONCEALMENTS[Math.floor(r() * CONCEALMENTS.length)]!,
          detection_method: 'risk_profiling',
          infringement_type: 'counterfeit',
          remarks: 'synthetic',
          source: { file: `${member}.xlsx`, sheet: 'Seizures', row: i + 3 },
        };
      }
    }
  }
}

// Members' lines per phase, in index order: the generator gives Member by Member, phases mixed within a Member; the
// aggregator needs each Member's lines in index order across phases, which they are (case refs increase).
async function* asAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  for (const x of it) yield x;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const input = { operation: 'stop-ii', phase: 3, mode: 'final' as const, asOf: '2022-05-05' };
  const t = performance.now();
  let out: Record<string, number | string>;
  const cpu0 = process.cpuUsage();
  if (MODE === 'floor') {
    let lines = 0;
    for await (const x of asAsync(syntheticLines(N))) if (x) lines++;
    out = { lines };
  } else {
    const agg = await aggregateLines(input, BENCH_CONFIG, asAsync(syntheticLines(N)));
    const aggregateSeconds = (performance.now() - t) / 1000;
    const aggregateRssMB = process.resourceUsage().maxRSS / 1024;
    const groups = agg.phases.reduce(
      (s, p) =>
        s +
        Object.values(p.by).reduce((x, b) => x + Object.keys(b).length, 0) +
        Object.values(p.weeks).reduce((x, w) => x + Object.values(w.by).reduce((y, d) => y + Object.keys(d).length, 0), 0) +
        Object.values(p.sizes).reduce((x, z) => x + Object.keys(z.counts).length, 0),
      0,
    );
    out = { lines: agg.lines, cases: agg.cumulativeCases, groups, aggregateSeconds, aggregateRssMB };
    if (process.env.BENCH_SIZES) {
      const p = agg.phases[2]!;
      console.error(
        JSON.stringify({
          by: Object.fromEntries(Object.entries(p.by).map(([k, v]) => [k, JSON.stringify(v).length])),
          weeks: JSON.stringify(p.weeks).length,
          sizes: JSON.stringify(p.sizes).length,
        }),
      );
    }
    if (MODE === 'close') {
      const t2 = performance.now();
      const json = JSON.stringify(agg);
      const a = analyse(input, BENCH_CONFIG, JSON.parse(json));
      out = { ...out, aggregateMB: json.length / 1e6, analyseSeconds: (performance.now() - t2) / 1000, signals: a.signals.length };
    }
  }
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024, ...out }),
  );
}
