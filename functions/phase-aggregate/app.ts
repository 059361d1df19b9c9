/** phase-aggregate: {input, slice, workPrefix} -> {key, lines}; streams the slice's lines from the byPhase index. */
import { dynamoClient, s3Client } from '../core/platform/aws.ts';
import { aggregateStep, type LineSource, type StepContext } from '../core/phase/steps.ts';
import { HeadedLineReader } from '../core/store/headed.ts';
import { NilReturnStore } from '../core/operation/nil-return.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { inputOf, readEnv, sliceOf, stringOf } from '../shared/phase-event.ts';

export type AggregateDeps = StepContext & { readonly lines: LineSource };

export function depsFromEnv(env: NodeJS.ProcessEnv): AggregateDeps {
  const { config, get } = readEnv('phase-aggregate', env, ['BUCKET_NAME', 'TABLE_NAME']);
  const client = traced('phase-aggregate', dynamoClient());
  const reader = new HeadedLineReader({ client, tableName: get('TABLE_NAME') });
  // A Member's nil return for the phase makes it a reporter (functions/core/phase/exposure.ts).
  const nil = new NilReturnStore({ client, tableName: get('TABLE_NAME') });
  return {
    config,
    s3: traced('phase-aggregate', s3Client()),
    bucket: get('BUCKET_NAME'),
    // Fenced (store/fence.ts): only lines their case's head names count, so a lapsed lease holder's late write never does.
    // A session per slice reads each head shard once for all of the slice's phases (store/headed.ts).
    lines: {
      linesOf: (phase, member) => reader.linesOf(phase, member),
      pagesOf: (phase, member) => reader.pagesOf(phase, member),
      session: () => reader.session(),
      nilReturned: async (phase, member) => (await nil.get(config.id, phase, member)) !== undefined,
    },
  };
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
