/** Stage 1, choose the reporters: the corridor's Members along the planted route, one of each language, then at random. */
import type { MemberConfig, OperationConfig } from '../../functions/core/operation/config.ts';
import type { Rng } from './rng.ts';
import { STORY } from './targets.ts';

export interface Reporters {
  /** The reporting Members, in the config's order. */
  readonly reporting: readonly MemberConfig[];
  /** The planted route's Members that report (its seizures are theirs). */
  readonly corridor: readonly string[];
  /** Each reporting Member's relative activity (log-normal). */
  readonly weight: ReadonlyMap<string, number>;
}

export function chooseReporters(config: OperationConfig, nMembers: number, scale: (n: number) => number, rng: Rng): Reporters {
  const codes = new Set(config.members.map((m) => m.code));
  const routeMembers = Math.min(scale(STORY.route.members), nMembers);
  const corridor = STORY.route.corridor
    .slice(1)
    .filter((c) => codes.has(c))
    .slice(-routeMembers);
  const chosen = new Map<string, MemberConfig>();
  const take = (m: MemberConfig) => chosen.size < nMembers && chosen.set(m.code, m);
  for (const c of corridor) take(config.members.find((m) => m.code === c)!);
  const shuffled = rng.shuffle(config.members);
  for (const lang of ['fr', 'es', 'en'] as const) {
    const m = shuffled.find((x) => (x.language ?? 'en') === lang && !chosen.has(x.code));
    if (m && nMembers >= 3) take(m);
  }
  for (const m of shuffled) if (!chosen.has(m.code)) take(m);
  const reporting = config.members.filter((m) => chosen.has(m.code));
  const weight = new Map(reporting.map((m) => [m.code, Math.exp(0.8 * rng.normal())]));
  return { reporting, corridor, weight };
}
