/** phase-aggregate: {input, slice, workPrefix} -> {key, lines}; streams the slice's lines from the byPhase index. */
import { dynamoClient, s3Client } from '../core/aws.ts';
import { aggregateStep, type LineSource, type StepContext } from '../core/phase/steps.ts';
import { SeizureStore } from '../core/store/store.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { inputOf, readEnv, sliceOf, stringOf } from '../shared/phase-event.ts';

export type AggregateDeps = StepContext & { readonly lines: LineSource };

export function depsFromEnv(env: NodeJS.ProcessEnv): AggregateDeps {
  const { config, get } = readEnv('phase-aggregate', env, ['BUCKET_NAME', 'TABLE_NAME']);
  return { config, s3: traced('phase-aggregate', s3Client()), bucket: get('BUCKET_NAME'), lines: new SeizureStore({ client: traced('phase-aggregate', dynamoClient()), tableName: get('TABLE_NAME') }) };
}

export function createAggregateHandler(deps: AggregateDeps) {
  return lambdaHandler(
    async (event: unknown): Promise<{ key: string; lines: number }> => {
      const { input, event: e } = inputOf(event, deps.config);
      return aggregateStep(deps, input, sliceOf(e.slice), stringOf(e, 'workPrefix'));
    },
    { service: 'phase-aggregate', logPayloads: true },
  );
}
