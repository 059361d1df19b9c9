/**
 * The environment of a Lambda function, read once at init: a misconfigured function fails at once, naming every
 * variable it lacks, instead of at its first event. OPERATION_CONFIG is the compact operation config that the CDK
 * construct (lib/pipeline-function.ts) and the local cloud set alike.
 */
import { parseOperationConfig, type OperationConfig } from '../core/operation/config.ts';
import { MissingEnvError } from './errors.ts';

/** The variables, checked; throws MissingEnvError naming all the missing ones. */
export function requireEnv<N extends string>(service: string, env: NodeJS.ProcessEnv, names: readonly N[]): Record<N, string> {
  const missing = names.filter((k, i) => names.indexOf(k) === i && !env[k]);
  if (missing.length) throw new MissingEnvError(`${service}: environment variables not set: ${missing.join(', ')}`);
  return Object.fromEntries(names.map((n) => [n, env[n]!])) as Record<N, string>;
}

/** The operation the function serves, from OPERATION_CONFIG (already checked present by requireEnv). */
export function operationConfigOf(value: string): OperationConfig {
  return parseOperationConfig(JSON.parse(value), 'OPERATION_CONFIG');
}
