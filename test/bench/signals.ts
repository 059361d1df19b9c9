/**
 * `npm run bench -- signals`: detection quality of the phase close's signals, measured on random operations
 * (scenarios.ts) run through the real analysis (aggregateLines + analyse, as the phase-close steps do, without the
 * emulators). Prints recall per planted kind, size and expectation, false signals per close of a quiet operation, and
 * the share of quiet closes with no signal at all, next to the targets of issue 8.
 *
 * A run closes phases 1, 2 and 3 (final) and two interim weeks. A planted change is found when a final close of its
 * phase flags it, by exact keys only: rise/fall a rising/falling product; burst a weekly alarm of the product on the
 * planted week (shown, or absorbed into the product's rise); new_route a new route, origin or transit country of the
 * route. False signals are counted on quiet operations (nothing planted), for each close type apart (phase 1, 2 and 3
 * finals, interims): every flagged signal there is false. Each rate has its Wilson 95% interval; each cell prints C*
 * and C_m (power.ts) and whether goals G1, G2 and the quiet goal of issue 18 hold.
 *
 * SIGNALS_RUNS (default 200) runs per planted cell; SIGNALS_QUIET (default 400) quiet operations; SIGNALS_SEED the
 * first seed (default 1,000,000: the reporting range; thresholds were tuned on seeds 1,000 to 999,999, which the
 * report never draws); SIGNALS_CELLS a comma list of kinds or cell names (rise-3x-10) to run only those.
 */
import { aggregateLines, compareIndexOrder, type AggregateJson } from '../../functions/core/phase/aggregate.ts';
import { analyse, lastCompleteWeek, type AnalysisJson, type Signal } from '../../functions/core/phase/analyse.ts';
import type { PhaseCloseInput } from '../../functions/core/phase/input.ts';
import { addDays } from '../../functions/core/operation/days.ts';
import { scenario, type Plant, type Planted, type Scenario } from './scenarios.ts';
import { oracleMidP } from './oracle.ts';
import { cStar, wilson } from './power.ts';
import { PRODUCTS_BY_CATEGORY } from '../../functions/core/vocabulary/vocab.ts';

const RUNS = Number(process.env.SIGNALS_RUNS ?? 200);
const QUIET = Number(process.env.SIGNALS_QUIET ?? 400);
const SEED = Number(process.env.SIGNALS_SEED ?? 1_000_000);
const ONLY = (process.env.SIGNALS_CELLS ?? '').split(',').filter(Boolean);
/** The products the bench's operations draw from: C*'s family is 2 x this (both directions). */
const PRODUCTS = PRODUCTS_BY_CATEGORY.medicine.length + PRODUCTS_BY_CATEGORY.medical_device.length + PRODUCTS_BY_CATEGORY.vaccine.length;

interface Close {
  input: PhaseCloseInput;
  analysts: Signal[];
  ncp: Signal[];
  agg: AggregateJson;
  analysis: AnalysisJson;
}

async function closes(sc: Scenario, seed: number, interim: boolean): Promise<Close[]> {
  const sorted = [...sc.lines].sort(compareIndexOrder);
  const out: Close[] = [];
  // One aggregate serves the three final closes: a final close's per-phase aggregates are those of its phases.
  const finals: PhaseCloseInput[] = sc.config.phases.map((p) => ({
    operation: 'bench',
    phase: p.phase,
    mode: 'final',
    asOf: addDays(p.end, 1),
  }));
  const all = await aggregateLines(finals[2]!, sc.config, sorted);
  for (const input of finals) {
    const agg = { ...all, phase: input.phase, asOf: input.asOf, phases: all.phases.slice(0, input.phase) };
    const a = analyse(input, sc.config, agg);
    out.push({ input, analysts: a.analystsSignals, ncp: a.signals, agg, analysis: a });
  }
  if (!interim) return out;
  // Two interim runs: Mondays inside phases 2 and 3.
  for (const p of sc.config.phases.slice(1)) {
    const day = addDays(p.start, 14 + (seed % 20));
    if (day >= p.end) continue;
    const input: PhaseCloseInput = { operation: 'bench', phase: p.phase, mode: 'interim', asOf: addDays(lastCompleteWeek(day), 7) };
    const agg = await aggregateLines(input, sc.config, sorted);
    const a = analyse(input, sc.config, agg);
    out.push({ input, analysts: a.analystsSignals, ncp: a.signals, agg, analysis: a });
  }
  return out;
}

const also = (s: Signal) => s.alsoSeenAs ?? [];

/** The route keys of a planted new route, exactly: the route, its origin, its transit country. */
function routeKeys(p: Planted): Set<string> {
  return new Set([p.route, p.origin, p.transit].filter((k): k is string => Boolean(k)));
}

/** A route key of the plant: one of its keys, or (spread over Members) `origin>transit>{any destination}`. */
const isRouteOf = (p: Planted, k: string): boolean => {
  if (routeKeys(p).has(k)) return true;
  const parts = k.split('>');
  return p.route === undefined && parts.length === 3 && parts[0] === p.origin && parts[1] === p.transit;
};

function found(p: Planted, cs: readonly Close[]): boolean {
  const finals = cs.filter((c) => c.input.mode === 'final' && c.input.phase === p.phase);
  return finals.some((c) => {
    if (p.kind === 'burst') {
      // Credit only an alarm of the product on the planted week, shown or absorbed into the product's rise.
      const onWeek = c.analysis.alarms.some(
        (a) => a.dimension === 'product' && a.key === p.product && (a.weeks ?? [a.week]).includes(p.week!),
      );
      return (
        onWeek &&
        c.analysts.some(
          (s) =>
            (s.kind === 'alarm' && s.dimension === 'product' && s.key === p.product && (s.weeks ?? [s.week]).includes(p.week!)) ||
            (s.kind === 'rising' &&
              s.dimension === 'product' &&
              s.key === p.product &&
              also(s).some((a) => a.kind === 'alarm' && a.key === p.product)),
        )
      );
    }
    return c.analysts.some((s) => {
      // A trend merged into another signal on the same lines is still named (alsoSeenAs): found.
      const trend = (k: 'rising' | 'falling') =>
        (s.kind === k && s.dimension === 'product' && s.key === p.product) ||
        also(s).some((a) => a.kind === k && a.dimension === 'product' && a.key === p.product);
      if (p.kind === 'rise') return trend('rising');
      if (p.kind === 'fall') return trend('falling');
      if (s.kind === 'new' && isRouteOf(p, s.route ?? s.origin ?? s.transit ?? '')) return true;
      if (s.kind === 'alarm' && s.dimension === 'route' && isRouteOf(p, s.key)) return true;
      return also(s).some((a) => isRouteOf(p, a.key));
    });
  });
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const ci = (k: number, n: number) => {
  const w = wilson(k, n);
  return `${pct(k / Math.max(1, n))} (${(100 * w.low).toFixed(0)}–${(100 * w.high).toFixed(0)})`;
};

type CloseType = 'final-1' | 'final-2' | 'final-3' | 'interim';
const typeOf = (c: Close): CloseType => (c.input.mode === 'interim' ? 'interim' : (`final-${c.input.phase}` as CloseType));

/** The cells: kind x size x expected lines (x Members for new routes); G1/G2 say which goals apply. */
function cellsOf(): Plant[] {
  const cells: Plant[] = [];
  for (const size of [2, 3, 5]) for (const expected of [10, 20, 30]) cells.push({ kind: 'rise', size, expected, members: 3 });
  for (const size of [3, 5]) for (const expected of [10, 30, 40, 50, 60, 80]) cells.push({ kind: 'fall', size, expected, members: 3 });
  for (const size of [2, 3, 5]) for (const expected of [10, 30]) cells.push({ kind: 'burst', size, expected, members: 3 });
  for (const expected of [5, 10, 20]) for (const members of [2, 3]) cells.push({ kind: 'new_route', size: 1, expected, members });
  const name = (c: Plant) => cellName(c);
  return ONLY.length ? cells.filter((c) => ONLY.includes(c.kind) || ONLY.includes(name(c))) : cells;
}
const cellName = (c: Plant) => (c.kind === 'new_route' ? `new_route-${c.expected}-${c.members}m` : `${c.kind}-${c.size}x-${c.expected}`);

/** G2's named cells: recall >= 90% there. */
const G2_NAMED = new Set(['rise-3x-20', 'fall-3x-60', 'fall-5x-40']);

export async function signalsBench(): Promise<Record<string, number | string>> {
  const t0 = performance.now();
  const out: Record<string, number | string> = {};
  // Quiet operations, each close type apart: only some closes can carry a given kind (trends need a baseline phase).
  const types: CloseType[] = ['final-1', 'final-2', 'final-3', 'interim'];
  const q = new Map(types.map((t) => [t, { closes: 0, silent: 0, signals: 0, kinds: new Map<string, number>() }]));
  if (!ONLY.length || ONLY.includes('quiet')) {
    for (let i = 0; i < QUIET; i++) {
      for (const c of await closes(scenario(SEED + i), SEED + i, true)) {
        const t = q.get(typeOf(c))!;
        t.closes++;
        t.signals += c.ncp.length;
        if (c.ncp.length === 0) t.silent++;
        for (const s of c.ncp) {
          const k =
            s.kind === 'new'
              ? `new:${s.novelty}`
              : s.kind === 'alarm' || s.kind === 'rising' || s.kind === 'falling'
                ? `${s.kind}:${s.dimension}`
                : s.kind;
          t.kinds.set(k, (t.kinds.get(k) ?? 0) + 1);
        }
      }
      if ((i + 1) % 50 === 0) console.error(`quiet: ${i + 1}/${QUIET}`);
    }
    console.log(
      `\n## Quiet operations (${QUIET}, seeds ${SEED}..${SEED + QUIET - 1}): goal >= 90% of closes silent for each type, <= 0.2 false signals per final close`,
    );
    console.log('close type  closes  silent (95% CI)      false signals per close  holds  false signals by kind');
    let quietHolds = true;
    for (const [type, t] of q) {
      const perClose = t.signals / Math.max(1, t.closes);
      const holds = t.silent / Math.max(1, t.closes) >= 0.9 && (type === 'interim' || perClose <= 0.2);
      quietHolds &&= holds;
      console.log(
        `${type.padEnd(10)}  ${String(t.closes).padStart(6)}  ${ci(t.silent, t.closes).padEnd(19)}  ${perClose.toFixed(2).padStart(23)}  ${holds ? 'yes' : 'NO '}    ${[...t.kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
      );
      out[`quiet-${type}-silent`] = t.silent / Math.max(1, t.closes);
      out[`quiet-${type}-false-per-close`] = perClose;
    }
    out['quietGoal'] = quietHolds ? 'holds' : 'not met';
  }

  const cells = cellsOf();
  console.log(
    `\n## Recall of planted changes (${RUNS} operations per cell, seeds from ${SEED + 10_000}; found by the final close of its phase)`,
  );
  console.log(`  C*: one-sided mid-p conditional test of the item alone at 0.05/(2 x ${PRODUCTS} products), Poisson counts, computed`);
  console.log('  C_m: the two-sided mid-p test of the item alone at 0.05/m (m: its family in the close) on the same operations');
  console.log(
    '  G1: every cell with C* >= 95% has recall >= 95%; G2: cells of >= 3x and >= 10 lines, recall >= C_m - 3 points, and >= 90% at rise 3x/20, fall 3x/60, fall 5x/40',
  );
  console.log('cell               recall (95% CI)    C*     C_m    other NCP signals per final close  goal');
  let g1 = true;
  let g2 = true;
  for (const cell of cells) {
    let hits = 0;
    let cm = 0;
    let other = 0;
    let finals = 0;
    const index = cells.indexOf(cell);
    for (let i = 0; i < RUNS; i++) {
      const sc = scenario(SEED + 10_000 + i * 7 + index * 100_003, [cell]);
      const cs = await closes(sc, i, false);
      const p = sc.planted[0]!;
      if (found(p, cs)) hits++;
      const own = cs.find((c) => c.input.mode === 'final' && c.input.phase === p.phase)!;
      const { p: pm, m } = oracleMidP(p, sc.config, own.agg, own.input, own.analysis);
      if (pm < 0.05 / Math.max(1, m)) cm++;
      for (const c of cs) {
        if (c.input.mode !== 'final') continue;
        finals++;
        other += c.ncp.filter((s) => !relatedTo(s, p)).length;
      }
    }
    const recall = hits / RUNS;
    const cs = cStar(cell, PRODUCTS, sc0BaselineWeeks);
    const cmRate = cm / RUNS;
    const goals: string[] = [];
    if (cs >= 0.95) {
      const ok = recall >= 0.95;
      g1 &&= ok;
      goals.push(`G1 ${ok ? 'holds' : 'MISSED'}`);
    }
    if (cell.kind !== 'new_route' && cell.size >= 3 && cell.expected >= 10) {
      const name = cellName(cell);
      const ok = recall >= cmRate - 0.03 && (!G2_NAMED.has(name) || recall >= 0.9);
      g2 &&= ok;
      goals.push(`G2 ${ok ? 'holds' : 'MISSED'}`);
    }
    console.log(
      `${cellName(cell).padEnd(17)}  ${ci(hits, RUNS).padEnd(17)}  ${pct(cs).padStart(4)}  ${pct(cmRate).padStart(5)}  ${(other / Math.max(1, finals)).toFixed(2).padStart(34)}  ${goals.join(', ') || '-'}`,
    );
    out[cellName(cell)] = recall;
    out[`${cellName(cell)}-cstar`] = cs;
    out[`${cellName(cell)}-cm`] = cmRate;
  }
  out['G1'] = g1 ? 'holds' : 'not met';
  out['G2'] = g2 ? 'holds' : 'not met';
  console.log(`\nG1 ${out['G1']}; G2 ${out['G2']}${out['quietGoal'] ? `; quiet ${out['quietGoal']}` : ''}`);
  out['benchSeconds'] = (performance.now() - t0) / 1000;
  return out;
}

/** The weekly alarms' baseline weeks in the bench's operations (the default thresholds): C* of a burst tests against them. */
const sc0BaselineWeeks = scenario(0).config.thresholds.alarmBaselineWeeks;

/** A signal about the planted change (its product, route, origin or transit country, exactly): not counted as "other". */
function relatedTo(s: Signal, p: Planted): boolean {
  const exact = (k: string) => k === p.product || isRouteOf(p, k);
  const k = s.kind === 'outlier' ? s.product : s.key;
  return exact(k) || also(s).some((a) => exact(a.key));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  signalsBench().then((r) => console.log(JSON.stringify(r)));
}
