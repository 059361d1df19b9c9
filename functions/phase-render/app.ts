/** phase-render: {input, aggregateKey, analysisKey, prefix} -> {keys, signalCount, alert}. */
import { s3Client } from '../core/platform/aws.ts';
import type { ReportKeys } from '../core/phase/items.ts';
import { renderStep } from '../core/phase/render.ts';
import type { StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export function depsFromEnv(env: NodeJS.ProcessEnv): StepContext {
  const { config, get } = readEnv('phase-render', env, ['BUCKET_NAME']);
  return { config, s3: traced('phase-render', s3Client()), bucket: get('BUCKET_NAME') };
}

export function createRenderHandler(deps: StepContext) {
  return lambdaHandler(
    async (event: unknown): Promise<{ keys: ReportKeys; signalCount: number; alert: boolean }> => {
      const { input, event: e } = inputOf(event, deps.config);
      return renderStep(deps, input, stringOf(e, 'aggregateKey'), stringOf(e, 'analysisKey'), stringOf(e, 'prefix'));
    },
    { service: 'phase-render', logPayloads: true },
  );
}
