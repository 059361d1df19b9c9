/**
 * The validation budget of one upload (ReadLimits.maxSeconds and maxHeapBytes), from the ingest function's
 * environment: the CDK construct derives them from the function's timeout and memory (lib/ingestion.ts), so the
 * budget leaves time and memory for storing and the feedback. Unset, the defaults of DEFAULT_LIMITS hold.
 */
import type { ReadLimits } from '../core/sheet/types.ts';

/** A budget variable set to something that is not a positive number: thrown at init, so the function fails at once. */
export class BadBudgetEnvError extends Error {
  override readonly name = 'BadBudgetEnvError';
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new BadBudgetEnvError(`ingest: ${name} must be a positive number, not '${raw}'`);
  return n;
}

/** INGEST_MAX_SECONDS (seconds of validation) and INGEST_MAX_HEAP_MB (heap in MiB), those set. */
export function budgetFromEnv(env: NodeJS.ProcessEnv): Partial<Pick<ReadLimits, 'maxSeconds' | 'maxHeapBytes'>> {
  const seconds = positive(env, 'INGEST_MAX_SECONDS');
  const heapMb = positive(env, 'INGEST_MAX_HEAP_MB');
  return {
    ...(seconds !== undefined ? { maxSeconds: seconds } : {}),
    ...(heapMb !== undefined ? { maxHeapBytes: heapMb * 1024 * 1024 } : {}),
  };
}
