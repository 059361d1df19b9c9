/**
 * The operation config as it travels in a Lambda environment variable. Lambda caps a function's whole environment at
 * 4 KB, and the STOP II config in cdk.json is about 14.5 KB (150 Members with names and NCP addresses). The compact
 * form drops what ingestion does not use (display names, NCP addresses) and writes an English-speaking Member as its
 * bare code, which `parseOperationConfig` accepts (`members: ["AF", {"code": "AR", "language": "es"}]`).
 */
import type { OperationConfig } from '../config.ts';

/** Lambda's limit on the environment (all keys and values). */
export const LAMBDA_ENV_LIMIT = 4096;
/** What the compact config may use, leaving room for the other variables (names of resources, Powertools). */
export const OPERATION_ENV_BUDGET = 3072;

/** The JSON for OPERATION_CONFIG; `parseOperationConfig(JSON.parse(it))` gives back the config minus names and NCP addresses. */
export function operationConfigEnv(config: OperationConfig): string {
  const json = JSON.stringify({
    id: config.id,
    name: config.name,
    phases: config.phases,
    members: config.members.map((m) => (m.language && m.language !== 'en' ? { code: m.code, language: m.language } : m.code)),
    analysts: config.analysts,
    mailFrom: config.mailFrom,
    thresholds: config.thresholds,
  });
  if (json.length > OPERATION_ENV_BUDGET) {
    throw new Error(
      `The operation config for "${config.id}" is ${json.length} characters even in compact form; Lambda allows ` +
        `${LAMBDA_ENV_LIMIT} for all environment variables. Ship it another way (an S3 object or an SSM parameter).`,
    );
  }
  return json;
}
