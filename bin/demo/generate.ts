/** The demo generator: its stages in order (reporters, story, background, plants, fit). See index.ts for the shape. */
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { drawBackground, planBackground } from './background.ts';
import { Drafter, keyOf, type Draft } from './drafts.ts';
import { filesOf, fitQuantities } from './fit.ts';
import { plantPhase } from './plant.ts';
import { chooseReporters } from './reporters.ts';
import { Rng } from './rng.ts';
import { planStory } from './story.ts';
import { DEFAULT_SEED, demoTargets, PLANTED_ROUTE, STOP_II, STORY, type DemoDataset, type DemoOptions, type StoryPart } from './targets.ts';

/** Generates the demo operation for a config (its first three phases, its Members). Deterministic in (config, options). */
export function generateDemo(config: OperationConfig, opts: DemoOptions = {}): DemoDataset {
  const seed = opts.seed ?? DEFAULT_SEED;
  const targets = demoTargets(opts.members);
  const rng = new Rng(seed);
  if (config.phases.length < 3) throw new RangeError(`the demo needs an operation of 3 phases; ${config.name} has ${config.phases.length}`);
  const phases = config.phases.slice(0, 3);
  const nMembers = targets.reportingMembers;
  if (config.members.length < nMembers) {
    throw new RangeError(`the demo needs ${nMembers} reporting Members; ${config.name} has ${config.members.length} participating`);
  }
  const f = nMembers / STOP_II.reportingMembers;
  const scale = (n: number, min = 1) => (n === 0 ? 0 : Math.max(min, Math.round(n * f)));

  const reporters = chooseReporters(config, nMembers, scale, rng);
  const story = planStory(reporters, nMembers, scale, rng);
  const bgCases = targets.cases - story.plantedLines;
  const bgLines = targets.lines - story.plantedLines;
  const nFiles = nMembers * phases.length;
  if (bgCases < nFiles || bgLines < bgCases) {
    throw new RangeError(
      `the demo cannot fit ${targets.cases} cases and ${targets.lines} lines in ${nFiles} files with ${story.plantedLines} planted lines`,
    );
  }
  const bg = planBackground(reporters, phases, bgCases, bgLines, rng);

  const d = new Drafter(rng, phases);
  const next = { category: 0 };
  for (let pi = 0; pi < phases.length; pi++) {
    drawBackground(bg, d, pi, next);
    plantPhase(d, bg, story, reporters.corridor, pi);
  }
  const drafts: Draft[] = [];
  for (const s of bg.slots) for (const c of s.cases) drafts.push(...c);
  fitQuantities(drafts, targets, rng);
  const files = filesOf(config, bg.slots, d.planted);

  const planted = d.planted;
  const rows = files.flatMap((file) => file.rows);
  const count = (part: StoryPart, pi: number) => rows.filter((r) => r.phase === phases[pi]!.phase && planted.get(keyOf(r)) === part);
  const perPhase = (part: StoryPart) => ({
    lines: phases.map((_, pi) => count(part, pi).length),
    members: phases.map((_, pi) => new Set(count(part, pi).map((r) => r.reporting_member)).size),
  });
  const routeRows = count('route', STORY.route.phase);
  return {
    seed,
    targets,
    participating: config.members.length,
    reporting: reporters.reporting,
    phases,
    files,
    story: {
      oxygen: { product: STORY.oxygen.product, ...perPhase('oxygen') },
      route: {
        phase: phases[STORY.route.phase]!.phase,
        origin: STORY.route.origin,
        route: PLANTED_ROUTE,
        lines: routeRows.length,
        members: new Set(routeRows.map((r) => r.reporting_member)).size,
      },
      concealment: { method: STORY.concealment.method, ...perPhase('concealment') },
    },
    planted,
  };
}
