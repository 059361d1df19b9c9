/**
 * `npm run bench -- signals`: detection quality of the phase close's signals, measured on random operations
 * (scenarios.ts) run through the real analysis (aggregateLines + analyse, as the phase-close steps do, without the
 * emulators). Prints recall per planted kind, size and expectation, false signals per close of a quiet operation, and
 * the share of quiet closes with no signal at all, next to the targets of issue 8.
 *
 * A run closes phases 1, 2 and 3 (final) and two interim weeks. A planted change is found when a final close of its
 * phase (the burst's phase) flags it: rise/fall a rising/falling product; burst a weekly alarm on the product that
 * lists the week (or a rise of the product that absorbed that alarm); new_route a new route, origin or transit
 * country of the route. False signals are counted on quiet operations (nothing planted): every flagged signal there
 * is false. Figures are given for the analysts' list (everything flagged) and for what reaches every NCP.
 *
 * SIGNALS_RUNS (default 60) quiet runs and as many runs per planted cell; SIGNALS_SEED the first seed.
 */
import { aggregateLines, compareIndexOrder, type AggregateJson } from '../../functions/core/phase/aggregate.ts';
import { analyse, lastCompleteWeek, type AnalysisJson, type Signal } from '../../functions/core/phase/analyse.ts';
import type { PhaseCloseInput } from '../../functions/core/phase/input.ts';
import { addDays } from '../../functions/core/operation/days.ts';
import { scenario, type Plant, type Planted, type Scenario } from './scenarios.ts';
import { ORACLE_ALPHA, oracleP } from './oracle.ts';

const RUNS = Number(process.env.SIGNALS_RUNS ?? 60);
const SEED = Number(process.env.SIGNALS_SEED ?? 1000);

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

function found(p: Planted, cs: readonly Close[]): boolean {
  const finals = cs.filter((c) => c.input.mode === 'final' && c.input.phase === p.phase);
  return finals.some((c) =>
    c.analysts.some((s) => {
      // A trend merged into another signal on the same lines is still named (alsoSeenAs): found.
      const trend = (k: 'rising' | 'falling') =>
        (s.kind === k && s.dimension === 'product' && s.key === p.product) ||
        also(s).some((a) => a.kind === k && a.dimension === 'product' && a.key === p.product);
      if (p.kind === 'rise') return trend('rising');
      if (p.kind === 'fall') return trend('falling');
      if (p.kind === 'burst') {
        if (s.kind === 'alarm' && s.dimension === 'product' && s.key === p.product) return (s.weeks ?? [s.week]).includes(p.week!);
        return s.kind === 'rising' && s.key === p.product && also(s).some((a) => a.kind === 'alarm' && a.key === p.product);
      }
      const keys = [p.route, p.origin, p.transit].filter(Boolean);
      const mine = (k: string) =>
        keys.includes(k) || (p.route === undefined && (k.startsWith(`${p.origin}>${p.transit}>`) || k === p.origin || k === p.transit));
      if (s.kind === 'new' && mine(s.route ?? s.origin ?? s.transit ?? '')) return true;
      if (s.kind === 'alarm' && s.dimension === 'route' && mine(s.key)) return true;
      return also(s).some((a) => mine(a.key));
    }),
  );
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

export async function signalsBench(): Promise<Record<string, number | string>> {
  const t0 = performance.now();
  // Quiet operations.
  let quietCloses = 0;
  let quietAnalysts = 0;
  let quietNcp = 0;
  let silentAnalysts = 0;
  let silentNcp = 0;
  let silentRunsNcp = 0;
  const kinds = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const cs = await closes(scenario(SEED + i), SEED + i, true);
    let runSignals = 0;
    for (const c of cs) {
      quietCloses++;
      quietAnalysts += c.analysts.length;
      quietNcp += c.ncp.length;
      runSignals += c.ncp.length;
      if (c.analysts.length === 0) silentAnalysts++;
      if (c.ncp.length === 0) silentNcp++;
      for (const s of c.analysts)
        kinds.set(s.kind === 'new' ? `new:${s.novelty}` : s.kind, (kinds.get(s.kind === 'new' ? `new:${s.novelty}` : s.kind) ?? 0) + 1);
    }
    if (runSignals === 0) silentRunsNcp++;
  }
  console.log(`\n## Signals on quiet operations (${RUNS} operations, ${quietCloses} closes: 3 final + interim weeks each)`);
  console.log(
    `false signals per close: analysts ${(quietAnalysts / quietCloses).toFixed(2)}, NCP ${(quietNcp / quietCloses).toFixed(2)}  (target <= 1)`,
  );
  console.log(
    `closes with no signal at all: analysts ${pct(silentAnalysts / quietCloses)}, NCP ${pct(silentNcp / quietCloses)}  (target >= 90%)`,
  );
  console.log(`operations (all 5 closes) with no NCP signal: ${pct(silentRunsNcp / RUNS)}`);
  console.log(`false signals by kind (analysts): ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);

  // Planted changes: one per run, per cell of kind x size x expected x members.
  const cells: Plant[] = [];
  for (const kind of ['rise', 'fall', 'burst'] as const) {
    for (const size of [2, 3, 5]) for (const expected of [10, 30]) cells.push({ kind, size, expected, members: 3 });
  }
  for (const expected of [5, 10, 20]) for (const members of [2, 3]) cells.push({ kind: 'new_route', size: 1, expected, members });
  console.log(`\n## Recall of planted changes (${RUNS} operations per row; a change is found by the final close of its phase)`);
  console.log('kind       size  expected lines  Members  recall  oracle  oracle/m  other signals per final close (NCP)');
  console.log(
    `  oracle: one exact test on the planted item alone at alpha ${ORACLE_ALPHA}, no multiplicity control, no minimum count or Members, same baseline;`,
  );
  console.log(
    "  oracle/m: the same test at the rule's level divided by the size m of the family the rule tests it in (Bonferroni; bursts: -)",
  );
  const rows: Record<string, number | string> = {};
  let targetHits = 0;
  let targetOracle = 0;
  let targetRuns = 0;
  for (const cell of cells) {
    let hits = 0;
    let oracle = 0;
    let oracleM = 0;
    let other = 0;
    let nCloses = 0;
    for (let i = 0; i < RUNS; i++) {
      const sc = scenario(SEED + 10_000 + i * 7 + cells.indexOf(cell) * 100_003, [cell]);
      const cs = await closes(sc, i, false);
      const p = sc.planted[0]!;
      if (found(p, cs)) hits++;
      const own = cs.find((c) => c.input.mode === 'final' && c.input.phase === p.phase)!;
      const po = oracleP(p, sc.config, own.agg, own.input);
      if (po < ORACLE_ALPHA) oracle++;
      if (po < bonferroni(p, own.analysis, sc.config.thresholds)) oracleM++;
      for (const c of cs) {
        nCloses++;
        other += c.ncp.filter((s) => !relatedTo(s, p)).length;
      }
    }
    const recall = hits / RUNS;
    const inTarget =
      cell.kind === 'new_route' ? cell.expected >= 10 && cell.members >= 3 : cell.size >= 3 && cell.expected >= 10 && cell.members >= 3;
    if (inTarget) {
      targetHits += hits;
      targetOracle += oracle;
      targetRuns += RUNS;
    }
    rows[`${cell.kind}-${cell.size}x-${cell.expected}-${cell.members}m`] = recall;
    rows[`${cell.kind}-${cell.size}x-${cell.expected}-${cell.members}m-oracle`] = oracle / RUNS;
    if (cell.kind !== 'burst') rows[`${cell.kind}-${cell.size}x-${cell.expected}-${cell.members}m-oracle-m`] = oracleM / RUNS;
    console.log(
      `${cell.kind.padEnd(10)} ${cell.kind === 'new_route' ? '  - ' : `${cell.size}x`.padStart(4)}  ${String(cell.expected).padStart(14)}  ${String(cell.members).padStart(7)}  ${pct(recall).padStart(6)}${inTarget ? '*' : ' '}  ${pct(oracle / RUNS).padStart(6)}  ${(cell.kind === 'burst' ? '-' : pct(oracleM / RUNS)).padStart(8)}  ${(other / nCloses).toFixed(2)}`,
    );
  }
  console.log(
    `* in the target (>= 3x, >= 10 expected lines, >= 3 Members): recall ${pct(targetHits / Math.max(1, targetRuns))} (target >= 90%; oracle ceiling ${pct(targetOracle / Math.max(1, targetRuns))})`,
  );
  return {
    quietFalsePerCloseAnalysts: quietAnalysts / quietCloses,
    quietFalsePerCloseNcp: quietNcp / quietCloses,
    quietSilentAnalysts: silentAnalysts / quietCloses,
    quietSilentNcp: silentNcp / quietCloses,
    targetRecall: targetHits / Math.max(1, targetRuns),
    targetOracle: targetOracle / Math.max(1, targetRuns),
    benchSeconds: (performance.now() - t0) / 1000,
    ...rows,
  };
}

/**
 * The level a planted item's p must pass to be found by Bonferroni within the family the rule tests it in: trends
 * trendQ / (products in the BH family after Tarone's reduction); new routes noveltyQ / (rises from zero tested).
 * Bursts: the weekly family is not kept, 0 (not shown).
 */
function bonferroni(p: Planted, a: AnalysisJson, th: Scenario['config']['thresholds']): number {
  if (p.kind === 'rise' || p.kind === 'fall') return th.trendQ / Math.max(1, a.trends.families?.product ?? 1);
  if (p.kind === 'new_route') {
    const m = [...a.newItems, ...a.annex].filter((x) => x.p !== undefined && x.novelty !== 'product_multi_member').length;
    return th.noveltyQ / Math.max(1, m);
  }
  return 0;
}

/** A signal about the planted change (or its side effects on the same product or route): not counted as "other". */
function relatedTo(s: Signal, p: Planted): boolean {
  const keys = [p.product, p.route, p.origin, p.transit].filter(Boolean) as string[];
  const k = s.kind === 'outlier' ? s.product : s.key;
  return keys.some((x) => k === x || k.includes(x)) || also(s).some((a) => keys.some((x) => a.key.includes(x)));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  signalsBench().then((r) => console.log(JSON.stringify(r)));
}
