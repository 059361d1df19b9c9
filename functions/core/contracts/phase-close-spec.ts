/**
 * What the phase-close workflow is made of, in one place the CDK construct (lib/phase-close.ts), the local runner
 * (lib/local/stepfunctions.ts) and the tests share: the ASL file, its Task states and the functions they invoke, the
 * placeholders each side fills, the handlers' environment and the contacts file. Light on purpose (no aws-cdk-lib):
 * the CLI and the local cloud load it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT, type Lang, type OperationConfig } from '../operation/config.ts';
import { operationConfigEnv } from './operation-env.ts';

/** workflows/phase-close.asl.json: JSONPath only, placeholders `${Name}`. */
export const PHASE_CLOSE_ASL = resolve(PROJECT_ROOT, 'workflows', 'phase-close.asl.json');

/** A Lambda function of the workflow and the Task state that invokes it. */
export interface PhaseStep {
  /** Its folder under functions/ (the entry is functions/{name}/handler.ts) and its local function name. */
  readonly name: string;
  /** The Task state (inside the Map for phase-aggregate) whose `FunctionName` is `${placeholder}`. */
  readonly state: string;
  /** The placeholder of the function's ARN in the ASL. */
  readonly placeholder: string;
  /** The function's timeout; the Task's TimeoutSeconds in the ASL is larger (a test checks it). */
  readonly timeoutSeconds: number;
  /** @see PipelineFunction memorySize */
  readonly memorySize: number;
  readonly description: string;
}

export const PHASE_STEPS: readonly PhaseStep[] = [
  {
    name: 'phase-plan',
    state: 'Plan',
    placeholder: 'PlanFunctionArn',
    timeoutSeconds: 60,
    memorySize: 512,
    description: 'Phase close: plans the slices (Member x phase) of a run',
  },
  {
    name: 'phase-aggregate',
    state: 'AggregateSlice',
    placeholder: 'AggregateFunctionArn',
    timeoutSeconds: 300,
    memorySize: 1024,
    description: "Phase close: aggregates one slice's seizure lines into a partial in S3",
  },
  {
    name: 'phase-merge',
    state: 'Merge',
    placeholder: 'MergeFunctionArn',
    timeoutSeconds: 300,
    memorySize: 1024,
    description: "Phase close: merges the partials into the run's aggregate",
  },
  {
    name: 'phase-analyse',
    state: 'Analyse',
    placeholder: 'AnalyseFunctionArn',
    timeoutSeconds: 300,
    memorySize: 1024,
    description: 'Phase close: trends and risk indicators from the aggregate',
  },
  {
    name: 'phase-render',
    state: 'Render',
    placeholder: 'RenderFunctionArn',
    timeoutSeconds: 300,
    memorySize: 1536,
    description: 'Phase close: renders the reports (JSON, xlsx, HTML)',
  },
  {
    name: 'phase-store',
    state: 'StoreSummary',
    placeholder: 'StoreFunctionArn',
    timeoutSeconds: 60,
    memorySize: 512,
    description: 'Phase close: records the summary',
  },
  {
    name: 'phase-alerts',
    state: 'SendAlerts',
    placeholder: 'AlertsFunctionArn',
    timeoutSeconds: 300,
    memorySize: 512,
    description: 'Phase close: emails the alerts (once per run and recipient)',
  },
  {
    name: 'phase-failure',
    state: 'NotifyFailure',
    placeholder: 'FailureFunctionArn',
    timeoutSeconds: 60,
    memorySize: 512,
    description: "Phase close: emails the operation's analysts that a run failed",
  },
];

/** The placeholder of the Map's MaxConcurrency (a number, read through States.StringToJson so the file stays JSON). */
export const MAX_CONCURRENCY_PLACEHOLDER = 'AggregateMaxConcurrency';
/** @default of PhaseCloseProps.aggregateMaxConcurrency and of the local runner. */
export const DEFAULT_AGGREGATE_MAX_CONCURRENCY = 10;

/** Every `${Name}` in a text, once each, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!))];
}

/** The ASL file's text. */
export const phaseCloseAslText = (file = PHASE_CLOSE_ASL): string => readFileSync(file, 'utf8');

/** The values of the placeholders, given each function's ARN (by step name) and the Map's concurrency. */
export function phaseCloseSubstitutions(arnOf: (step: PhaseStep) => string, maxConcurrency: number): Record<string, string> {
  return {
    ...Object.fromEntries(PHASE_STEPS.map((s) => [s.placeholder, arnOf(s)])),
    [MAX_CONCURRENCY_PLACEHOLDER]: String(maxConcurrency),
  };
}

/** Fills every placeholder, as CloudFormation's DefinitionSubstitutions does; throws naming any left without a value. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  const missing = placeholdersOf(text).filter((p) => !(p in values));
  if (missing.length) throw new Error(`no value for placeholder(s) ${missing.map((m) => `\${${m}}`).join(', ')}`);
  return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => values[name]!);
}

/** The execution input (functions/core/phase/input.ts PhaseCloseInput; a schedule may pass a timestamp as asOf). */
export interface PhaseCloseExecutionInput {
  readonly operation: string;
  readonly phase: number;
  readonly mode: 'final' | 'interim';
  readonly asOf: string;
}

/** The execution's output (the ASL's Done state). */
export interface PhaseCloseOutput {
  readonly input: PhaseCloseExecutionInput;
  readonly runLabel: string;
  readonly prefix: string;
  readonly lines: number;
  readonly signals: Record<string, number>;
  readonly signalCount: number;
  readonly alert: boolean;
  readonly keys: Record<string, string>;
  readonly alerts: { readonly sent: number; readonly skipped: number };
}

/** The contacts file the alert and failure functions read (CONTACTS_KEY in BUCKET_NAME). */
export interface Contacts {
  readonly operation: string;
  readonly members: readonly { readonly code: string; readonly ncpEmail?: string; readonly language: Lang }[];
  readonly analysts: readonly string[];
}

/**
 * Where the contacts file is. Not under incoming/, feedback/ or summaries/: Members cannot read it (NCP addresses);
 * Analysts read the whole bucket.
 */
export const contactsKeyFor = (operation: Pick<OperationConfig, 'id'>): string => `config/${operation.id}/contacts.json`;

/** The contacts of an operation: every Member (with its NCP address when it has one) and the analysts. */
export function contactsOf(operation: OperationConfig): Contacts {
  return {
    operation: operation.id,
    members: operation.members.map((m) => ({
      code: m.code,
      ...(m.ncpEmail ? { ncpEmail: m.ncpEmail } : {}),
      language: m.language ?? 'en',
    })),
    analysts: [...operation.analysts],
  };
}

/** The handlers' environment, the same on AWS (tokens for bucket and table) and locally. */
export function phaseCloseEnv(o: { bucketName: string; tableName: string; operation: OperationConfig }): Record<string, string> {
  return {
    BUCKET_NAME: o.bucketName,
    TABLE_NAME: o.tableName,
    OPERATION_CONFIG: operationConfigEnv(o.operation),
    CONTACTS_KEY: contactsKeyFor(o.operation),
    MAIL_FROM: o.operation.mailFrom,
  };
}

/** Key prefixes the workflow reads and writes (the runs' prefixes are computed by functions/core/phase/input.ts). */
export const WORK_PREFIX = 'work/';
export const CONFIG_PREFIX = 'config/';
