/**
 * Stage 3, background cases: cases per file (Member weight x weeks, at least one each), lines per case, exact
 * category shares, each Member's 1 to 3 routes (taking its cases in turn, so later phases bring no new route or
 * origin), then each phase's background lines.
 */
import type { Phase } from '../../functions/core/operation/config.ts';
import { daysIn } from '../../functions/core/operation/days.ts';
import type { Category } from '../../functions/core/vocabulary/vocab.ts';
import type { Drafter, Draft, Route, Slot } from './drafts.ts';
import { CATEGORY_SHARE, EXPORT_TO, HUBS, ORIGINS } from './mix.ts';
import { apportion, type Rng } from './rng.ts';
import type { Reporters } from './reporters.ts';

export interface Background {
  readonly slots: Slot[];
  /** Lines of each background case, per slot. */
  readonly caseLines: number[][];
  /** The category of every background line, in drawing order. */
  readonly categories: Category[];
  readonly routesOf: Map<string, Route[]>;
}

export function planBackground(r: Reporters, phases: readonly Phase[], bgCases: number, bgLines: number, rng: Rng): Background {
  const slots: Slot[] = [];
  for (const m of r.reporting) {
    phases.forEach((p, i) => slots.push({ member: m, phase: p.phase, phaseIndex: i, lang: m.language ?? 'en', cases: [] }));
  }
  const weeks = phases.map((p) => daysIn(p) / 7);
  const casesPerSlot = apportion(
    bgCases,
    slots.map((s) => r.weight.get(s.member.code)! * weeks[s.phaseIndex]!),
    1,
  );
  const caseLines: number[][] = casesPerSlot.map((n) => Array.from({ length: n }, () => 1));
  const flat = caseLines.flatMap((cs, si) => cs.map((_, ci) => [si, ci] as const));
  for (let extra = bgLines - bgCases; extra > 0; ) {
    const [si, ci] = flat[rng.int(flat.length)]!;
    if (caseLines[si]![ci]! >= 6) continue;
    caseLines[si]![ci]! += 1;
    extra--;
  }

  // Exact shares of the background lines, at least one of each, in a random order.
  const catCounts = apportion(bgLines, Object.values(CATEGORY_SHARE), 1);
  const categories = rng.shuffle(
    (Object.keys(CATEGORY_SHARE) as Category[]).flatMap((c, i) => Array.from({ length: catCounts[i]! }, () => c)),
  );

  const routesOf = new Map<string, Route[]>();
  slots.forEach((s, si) => {
    if (s.phaseIndex !== 0) return;
    const n = Math.min(1 + rng.int(3), casesPerSlot[si]!);
    const routes: Route[] = [];
    while (routes.length < n) {
      const me = s.member.code;
      let route: Route;
      if (rng.next() < 0.85) {
        const origin = rng.weighted(ORIGINS);
        if (origin === me) continue;
        const hub = rng.next() < 0.25 ? rng.pick(HUBS) : undefined;
        route = {
          direction: 'import',
          origin,
          departure: origin,
          transit: hub && hub !== origin && hub !== me ? [hub] : [],
          destination: me,
        };
      } else {
        const to = rng.weighted(EXPORT_TO);
        if (to === me) continue;
        route = { direction: 'export', origin: me, departure: me, transit: [], destination: to };
      }
      if (!routes.some((x) => JSON.stringify(x) === JSON.stringify(route))) routes.push(route);
    }
    routesOf.set(s.member.code, routes);
  });
  return { slots, caseLines, categories, routesOf };
}

/** The background lines of one phase, Member by Member (phase 1 first: its concealments bound the later phases'). */
export function drawBackground(bg: Background, d: Drafter, phaseIndex: number, next: { category: number }): void {
  bg.slots.forEach((s, si) => {
    if (s.phaseIndex !== phaseIndex) return;
    const routes = bg.routesOf.get(s.member.code)!;
    bg.caseLines[si]!.forEach((n, ci) => {
      const route = routes[ci % routes.length]!;
      const c = d.caseContext(s, route);
      const caseRef = d.newCase(s);
      const products: string[] = [];
      const lines: Draft[] = [];
      for (let k = 1; k <= n; k++) {
        const cat = bg.categories[next.category++]!;
        let product = d.productOf(cat);
        for (let tries = 0; products.includes(product) && tries < 5; tries++) product = d.productOf(cat);
        products.push(product);
        lines.push(d.line(s, caseRef, k, c, product, d.backgroundConcealment(s, product, c.transport)));
      }
      s.cases.push(lines);
    });
  });
}
