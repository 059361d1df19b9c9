/** phase-store: {input, prefix, keys, signalCount} -> {stored: true}; the run's summary item in the table. */
import { dynamoClient, s3Client } from '../core/platform/aws.ts';
import { PhaseTable } from '../core/phase/items.ts';
import { storeStep, type StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { countOf, inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export type StoreDeps = StepContext & { readonly table: PhaseTable };

export function depsFromEnv(env: NodeJS.ProcessEnv): StoreDeps {
  const { config, get } = readEnv('phase-store', env, ['BUCKET_NAME', 'TABLE_NAME']);
  return {
    config,
    s3: traced('phase-store', s3Client()),
    bucket: get('BUCKET_NAME'),
    table: new PhaseTable({ client: traced('phase-store', dynamoClient()), tableName: get('TABLE_NAME') }),
  };
}

export function createStoreHandler(deps: StoreDeps) {
  return lambdaHandler(
    async (event: unknown): Promise<{ stored: true }> => {
      const { input, event: e } = inputOf(event, deps.config);
      return storeStep(deps, input, stringOf(e, 'prefix'), e.keys, countOf(e, 'signalCount'));
    },
    { service: 'phase-store', logPayloads: true },
  );
}
