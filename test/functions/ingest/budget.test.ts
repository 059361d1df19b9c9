/** The validation budget from the ingest function's environment (INGEST_MAX_SECONDS, INGEST_MAX_HEAP_MB). */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { loadOperationConfig } from '../../../functions/core/operation/config.ts';
import { operationConfigEnv } from '../../../functions/core/contracts/operation-env.ts';
import { depsFromEnv } from '../../../functions/ingest/app.ts';
import { BadBudgetEnvError, budgetFromEnv } from '../../../functions/ingest/budget.ts';

const env = (over: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  TABLE_NAME: 'seizures',
  OPERATION_CONFIG: operationConfigEnv(loadOperationConfig()),
  AWS_REGION: 'eu-west-1',
  ...over,
});

describe('the validation budget from the environment', () => {
  test('set: depsFromEnv hands the seconds and the heap (MiB, in bytes) to validation', () => {
    const deps = depsFromEnv(env({ INGEST_MAX_SECONDS: '60', INGEST_MAX_HEAP_MB: '512' }));
    assert.deepEqual(deps.limits, { maxSeconds: 60, maxHeapBytes: 512 * 1024 * 1024 });
  });

  test('unset (or empty): no limits, so the defaults hold', () => {
    assert.equal(depsFromEnv(env({})).limits, undefined);
    assert.deepEqual(budgetFromEnv({ INGEST_MAX_SECONDS: '', INGEST_MAX_HEAP_MB: ' ' }), {});
    assert.deepEqual(budgetFromEnv({ INGEST_MAX_SECONDS: '90' }), { maxSeconds: 90 });
  });

  test('not a positive number: the function fails at init and says which variable', () => {
    for (const bad of ['abc', '0', '-5', 'Infinity', '1e999']) {
      assert.throws(
        () => depsFromEnv(env({ INGEST_MAX_SECONDS: bad })),
        (e: unknown) => {
          assert.ok(e instanceof BadBudgetEnvError);
          assert.match(e.message, /INGEST_MAX_SECONDS must be a positive number/);
          return true;
        },
      );
    }
    assert.throws(() => budgetFromEnv({ INGEST_MAX_HEAP_MB: 'lots' }), /INGEST_MAX_HEAP_MB must be a positive number, not 'lots'/);
  });
});
