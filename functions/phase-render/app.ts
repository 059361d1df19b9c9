/** phase-render: {input, aggregateKey, analysisKey, prefix} -> {keys, signalCount, alert}. */
import { s3Client } from '../core/aws.ts';
import type { ReportKeys } from '../core/phase/items.ts';
import { renderStep } from '../core/phase/render.ts';
import type { StepContext } from '../core/phase/steps.ts';
import { inputOf, logged, readEnv, stringOf } from '../phase/shared.ts';

export function depsFromEnv(env: NodeJS.ProcessEnv): StepContext {
  const { config, get } = readEnv('phase-render', env, ['BUCKET_NAME']);
  return { config, s3: s3Client(), bucket: get('BUCKET_NAME') };
}

export function createRenderHandler(deps: StepContext) {
  return (event: unknown): Promise<{ keys: ReportKeys; signalCount: number; alert: boolean }> =>
    logged('phase-render', event, async () => {
      const { input, event: e } = inputOf(event, deps.config);
      return renderStep(deps, input, stringOf(e, 'aggregateKey'), stringOf(e, 'analysisKey'), stringOf(e, 'prefix'));
    });
}
