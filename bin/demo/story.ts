/** Stage 2, plan the story: the planted lines per phase (scaled) and which Members report them. */
import type { Rng } from './rng.ts';
import type { Reporters } from './reporters.ts';
import { STORY } from './targets.ts';

export interface StoryPlan {
  readonly oxygenLines: readonly number[];
  readonly routeLines: number;
  readonly concLines: readonly number[];
  /** All planted lines (one-line cases each). */
  readonly plantedLines: number;
  /** Per phase, the Members that seize oxygen cylinders / use split consignments. */
  readonly oxygenAt: readonly (readonly string[])[];
  readonly concAt: readonly (readonly string[])[];
}

export function planStory(r: Reporters, nMembers: number, scale: (n: number) => number, rng: Rng): StoryPlan {
  const oxygenLines = STORY.oxygen.lines.map((n) => scale(n));
  const oxygenMembers = STORY.oxygen.members.map((n, i) => Math.min(scale(n), oxygenLines[i]!, nMembers));
  const routeLines = Math.max(scale(STORY.route.lines), r.corridor.length);
  const concLines = STORY.concealment.lines.map((n) => scale(n));
  const concMembers = STORY.concealment.members.map((n, i) => Math.min(scale(n), concLines[i]!, nMembers));
  const plantedLines = oxygenLines.reduce((a, b) => a + b, 0) + concLines.reduce((a, b) => a + b, 0) + (r.corridor.length ? routeLines : 0);

  // Oxygen: phase-1 Members are few; the surge comes mostly from Members new to the product.
  const byWeight = [...r.reporting].sort((a, b) => r.weight.get(b.code)! - r.weight.get(a.code)!);
  const oxygenAt: string[][] = [];
  {
    const first = rng.shuffle(r.reporting).slice(0, oxygenMembers[0]).map((m) => m.code);
    const rest = rng.shuffle(r.reporting.filter((m) => !first.includes(m.code))).map((m) => m.code);
    oxygenAt.push(first);
    oxygenAt.push([...first.slice(0, Math.min(2, first.length)), ...rest].slice(0, oxygenMembers[1]));
    oxygenAt.push(rng.shuffle(oxygenAt[1]!).slice(0, oxygenMembers[2]));
  }
  // Split consignments: one Member first, then the method spreads, each phase's Members including the last's.
  const concAt: string[][] = [];
  {
    const order = rng.shuffle(byWeight.slice(0, Math.max(concMembers[2]!, Math.ceil(nMembers / 2)))).map((m) => m.code);
    for (const n of concMembers) concAt.push(order.slice(0, n));
  }
  return { oxygenLines, routeLines, concLines, plantedLines, oxygenAt, concAt };
}
