/** phase-analyse: {input, aggregateKey, workPrefix} -> {analysisKey, signals: {rising, falling, new, alarms, outliers}}. */
import { s3Client } from '../core/platform/aws.ts';
import type { SignalCounts } from '../core/phase/analyse.ts';
import { analyseStep, type StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export function depsFromEnv(env: NodeJS.ProcessEnv): StepContext {
  const { config, get } = readEnv('phase-analyse', env, ['BUCKET_NAME']);
  return { config, s3: traced('phase-analyse', s3Client()), bucket: get('BUCKET_NAME') };
}

export function createAnalyseHandler(deps: StepContext) {
  return lambdaHandler(
    async (event: unknown): Promise<{ analysisKey: string; signals: SignalCounts }> => {
      const { input, event: e } = inputOf(event, deps.config);
      return analyseStep(deps, input, stringOf(e, 'aggregateKey'), stringOf(e, 'workPrefix'));
    },
    { service: 'phase-analyse', logPayloads: true },
  );
}
