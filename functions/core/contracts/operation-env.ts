/**
 * The operation config as it travels in a Lambda environment variable. Lambda caps a function's whole environment at
 * 4 KB, and the STOP II config in cdk.json is about 14.5 KB (150 Members with names and NCP addresses). The compact
 * form drops what ingestion does not use (display names, NCP addresses) and writes an English-speaking Member as its
 * bare code, which `parseOperationConfig` accepts (`members: ["AF", {"code": "AR", "language": "es"}]`).
 */
import type { OperationConfig } from '../operation/config.ts';
import { checkOperationConfig, type ConfigCheck, type ConfigProblem } from '../operation/config-check.ts';

/** Lambda's limit on the environment (all keys and values). */
export const LAMBDA_ENV_LIMIT = 4096;
/** What the compact config may use, leaving room for the other variables (names of resources, Powertools). */
export const OPERATION_ENV_BUDGET = 3072;

/** The JSON for OPERATION_CONFIG; `parseOperationConfig(JSON.parse(it))` gives back the config minus names and NCP addresses. */
export function operationConfigEnv(config: OperationConfig): string {
  const json = compactOperationConfig(config);
  if (json.length > OPERATION_ENV_BUDGET) {
    throw new Error(
      `The operation config for "${config.id}" is ${json.length} characters even in compact form; Lambda allows ` +
        `${LAMBDA_ENV_LIMIT} for all environment variables. Ship it another way (an S3 object or an SSM parameter).`,
    );
  }
  return json;
}

/** The compact JSON, whatever its size (`seizures config check` measures it against OPERATION_ENV_BUDGET). */
export function compactOperationConfig(config: OperationConfig): string {
  return JSON.stringify({
    id: config.id,
    name: config.name,
    phases: config.phases,
    members: config.members.map((m) => (m.language && m.language !== 'en' ? { code: m.code, language: m.language } : m.code)),
    analysts: config.analysts,
    mailFrom: config.mailFrom,
    thresholds: config.thresholds,
    ...(config.smokeTests ? { smokeTests: true } : {}),
  });
}

/**
 * The deploy's check of an operation config (`seizures config check` and `cdk synth`): the rules of
 * functions/core/operation/config-check.ts, plus the size of the compact form the Lambda functions get.
 */
export function checkDeployableConfig(raw: unknown): ConfigCheck {
  const c = checkOperationConfig(raw);
  if (!c.config) return c;
  const size = compactOperationConfig(c.config).length;
  if (size <= OPERATION_ENV_BUDGET) return c;
  const { config: _, ...rest } = c;
  return {
    ...rest,
    valid: false,
    errors: [
      ...c.errors,
      {
        field: '(OPERATION_CONFIG)',
        message: `the compact form the functions get is ${size} characters, over the ${OPERATION_ENV_BUDGET} allowed (Lambda: ${LAMBDA_ENV_LIMIT} bytes for all variables): fewer Members with a language other than en, shorter name or fewer analysts`,
      },
    ],
  };
}

/** A config that failed the check, as one message listing every problem (what `cdk synth` prints). */
export class InvalidOperationConfigError extends Error {
  override readonly name = 'InvalidOperationConfigError';
  constructor(
    origin: string,
    readonly errors: readonly ConfigProblem[],
  ) {
    super(
      `${origin}: the operation config has ${errors.length} problem(s):\n${errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}\n(\`npx seizures config check\` lists them too)`,
    );
  }
}
