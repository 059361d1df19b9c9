/** phase-plan: execution input -> {runLabel, prefix, workPrefix, slices}. Refuses an unknown operation or phase (PhaseCloseInputError). */
import type { OperationConfig } from '../core/operation/config.ts';
import { planStep } from '../core/phase/steps.ts';
import type { PhasePlan } from '../core/phase/input.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { readEnv } from '../shared/phase-event.ts';

export interface PlanDeps {
  readonly config: OperationConfig;
}

export function depsFromEnv(env: NodeJS.ProcessEnv): PlanDeps {
  return { config: readEnv('phase-plan', env, []).config };
}

export function createPlanHandler(deps: PlanDeps) {
  return lambdaHandler(async (event: unknown): Promise<PhasePlan> => planStep(deps.config, event), {
    service: 'phase-plan',
    logPayloads: true,
  });
}
