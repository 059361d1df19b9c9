/** phase-plan: execution input -> {runLabel, prefix, workPrefix, slices}. Refuses an unknown operation or phase (PhaseCloseInputError). */
import type { OperationConfig } from '../core/config.ts';
import { planStep } from '../core/phase/steps.ts';
import type { PhasePlan } from '../core/phase/input.ts';
import { logged, readEnv } from '../phase/shared.ts';

export interface PlanDeps {
  readonly config: OperationConfig;
}

export function depsFromEnv(env: NodeJS.ProcessEnv): PlanDeps {
  return { config: readEnv('phase-plan', env, []).config };
}

export function createPlanHandler(deps: PlanDeps) {
  return (event: unknown): Promise<PhasePlan> => logged('phase-plan', event, async () => planStep(deps.config, event));
}
