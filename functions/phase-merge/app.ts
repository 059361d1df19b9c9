/** phase-merge: {input, partials: [{key, lines}], workPrefix} -> {aggregateKey, lines}. */
import { s3Client } from '../core/platform/aws.ts';
import { PhaseCloseInputError } from '../core/phase/input.ts';
import { mergeStep, type StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export function depsFromEnv(env: NodeJS.ProcessEnv): StepContext {
  const { config, get } = readEnv('phase-merge', env, ['BUCKET_NAME']);
  return { config, s3: traced('phase-merge', s3Client()), bucket: get('BUCKET_NAME') };
}

export function createMergeHandler(deps: StepContext) {
  return lambdaHandler(
    async (event: unknown): Promise<{ aggregateKey: string; lines: number }> => {
      const { input, event: e } = inputOf(event, deps.config);
      if (!Array.isArray(e.partials)) throw new PhaseCloseInputError('partials must be an array of {key, lines}');
      const partials = (e.partials as unknown[]).map((p) => ({ key: (p as { key?: unknown })?.key as string }));
      return mergeStep(deps, input, partials, stringOf(e, 'workPrefix'));
    },
    { service: 'phase-merge', logPayloads: true },
  );
}
