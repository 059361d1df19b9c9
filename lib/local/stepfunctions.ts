/**
 * Step Functions on this machine: aws-local-stepfunctions running an ASL file of workflows/ in-process, the same file
 * CDK deploys. Its `${...}` placeholders are filled here as CloudFormation fills them on AWS (local function ARNs
 * instead of the stack's), and its Task states are overridden, by state name, with a local "Lambda service": the
 * override reads the `FunctionName` the state passes and calls the handler module of that function, so a state wired
 * to the wrong function misbehaves here exactly as it would on AWS. No SFN endpoint is served.
 *
 * Lambda's semantics kept: the event and the result go through JSON; a thrown error becomes the state's error with
 * Error = the error's name and Cause = `{"errorType","errorMessage","trace"}` as JSON, as the lambda:invoke
 * integration reports it. Not emulated: Lambda's own timeout (the Task's TimeoutSeconds is), Lambda.* service errors.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { envForLocal, s3Client, type LocalEndpoints } from '../../functions/core/platform/aws.ts';
import { PROJECT_ROOT, type OperationConfig } from '../../functions/core/operation/config.ts';
import {
  DEFAULT_AGGREGATE_MAX_CONCURRENCY,
  PHASE_CLOSE_ASL,
  PHASE_STEPS,
  phaseCloseEnv,
  phaseCloseSubstitutions,
  substitute,
  type PhaseCloseExecutionInput,
  type PhaseCloseOutput,
  type PhaseStep,
} from '../../functions/core/contracts/phase-close-spec.ts';
import { putContacts } from './contacts.ts';
import { LOCAL_REGION } from './notifications.ts';

type Json = Parameters<StateMachine['run']>[0];
/** One entry of the execution's event log (state entered/exited/failed/retried/caught, Map iterations, execution). */
export type WorkflowEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface RunWorkflowOptions {
  /** Task state name -> what runs instead of its Resource. */
  readonly taskOverrides?: Record<string, (input: Json) => Promise<Json> | Json>;
  /** Wait state name -> milliseconds to wait instead. */
  readonly waitOverrides?: Record<string, number>;
  /** State name -> milliseconds before each retry instead of the Retry's backoff. */
  readonly retryIntervalOverrides?: Record<string, number | number[]>;
  /** Placeholder name -> value, for every `${Name}` in the file (a missing one is an error, as in CloudFormation). */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** Called for each event of the execution's log, in order. */
  readonly onEvent?: (event: WorkflowEvent) => void;
  /** Aborts the execution (it then fails with WorkflowFailedError, error `States.Aborted`). */
  readonly signal?: AbortSignal;
}

/** The execution failed: its error and cause, as DescribeExecution would give them. */
export class WorkflowFailedError extends Error {
  override readonly name = 'WorkflowFailedError';
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** The definition of workflows/{name}.asl.json (or a path) with its placeholders filled. */
export async function loadWorkflow(
  nameOrPath: string,
  substitutions: Readonly<Record<string, string>> = {},
): Promise<StateMachineDefinition> {
  const file = nameOrPath.includes('/') ? resolve(nameOrPath) : resolve(PROJECT_ROOT, 'workflows', `${nameOrPath}.asl.json`);
  return JSON.parse(substitute(await readFile(file, 'utf8'), substitutions)) as StateMachineDefinition;
}

/**
 * Runs workflows/{name}.asl.json (or a path) to its end and returns its output.
 * @throws WorkflowFailedError when the execution fails, times out or is aborted
 */
export async function runWorkflow(nameOrPath: string, input: Json, opts: RunWorkflowOptions = {}): Promise<Json> {
  const definition = await loadWorkflow(nameOrPath, opts.substitutions);
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const run = machine.run(input, {
    overrides: {
      ...(opts.taskOverrides ? { taskResourceLocalHandlers: opts.taskOverrides } : {}),
      ...(opts.waitOverrides ? { waitTimeOverrides: opts.waitOverrides } : {}),
      ...(opts.retryIntervalOverrides ? { retryIntervalOverrides: opts.retryIntervalOverrides } : {}),
    },
  });
  const onAbort = () => run.abort();
  if (opts.signal?.aborted) run.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // The log is always drained (its generator buffers otherwise); a listener's error must not break the run.
  const events = (async () => {
    for await (const e of run.eventLogs) {
      try {
        opts.onEvent?.(e);
      } catch {
        // the listener's problem
      }
    }
  })();
  try {
    return await run.result;
  } catch (e) {
    if (e instanceof ExecutionAbortedError) throw new WorkflowFailedError('States.Aborted', 'the execution was aborted');
    if (e instanceof ExecutionTimeoutError)
      throw new WorkflowFailedError('States.Timeout', "the execution ran longer than the workflow's TimeoutSeconds");
    if (e instanceof ExecutionError) {
      const caught = (e as Error & { cause?: Error }).cause;
      throw new WorkflowFailedError(caught?.name ?? 'Error', caught?.message ?? e.message);
    }
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await events.catch(() => {});
  }
}

/** Every Task state of a definition, Map and Parallel states' inner ones included. */
export function taskStatesOf(def: Pick<StateMachineDefinition, 'States'>): string[] {
  return Object.entries(def.States).flatMap(([name, s]): string[] => {
    const st = s as {
      Type: string;
      ItemProcessor?: StateMachineDefinition;
      Iterator?: StateMachineDefinition;
      Branches?: StateMachineDefinition[];
    };
    if (st.Type === 'Task') return [name];
    if (st.Type === 'Map') return taskStatesOf((st.ItemProcessor ?? st.Iterator)!);
    if (st.Type === 'Parallel') return (st.Branches ?? []).flatMap(taskStatesOf);
    return [];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The phase close

/** The account of local ARNs. */
export const LOCAL_ACCOUNT = '000000000000';
export const localFunctionArn = (name: string): string => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

/** What the local runner fills the phase-close placeholders with. */
export function localPhaseCloseSubstitutions(maxConcurrency = DEFAULT_AGGREGATE_MAX_CONCURRENCY): Record<string, string> {
  return phaseCloseSubstitutions((s) => localFunctionArn(s.name), maxConcurrency);
}

/** A Lambda handler as the phase functions export it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown> | unknown;

export interface ClosePhaseOptions {
  /** The local cloud's endpoints (the handlers get them as SEIZURES_LOCAL_*). */
  readonly endpoints: LocalEndpoints;
  readonly bucket: string;
  readonly tableName: string;
  readonly operation: OperationConfig;
  readonly input: PhaseCloseExecutionInput;
  /**
   * The portal the alert emails link to (PORTAL_URL of phase-alerts): the local portal's `http://127.0.0.1:{port}`.
   * @default the operation config's portalUrl; none: the emails say where the summary is, with no link
   */
  readonly portalUrl?: string;
  /** @default DEFAULT_AGGREGATE_MAX_CONCURRENCY, as the stack */
  readonly maxConcurrency?: number;
  readonly onEvent?: (event: WorkflowEvent) => void;
  readonly signal?: AbortSignal;
  /** Wraps a step's real handler, by step name (tests: fault injection). */
  readonly wrap?: Readonly<Record<string, (real: LambdaHandler) => LambdaHandler>>;
  /** Pause before a retry (ms). @default 0: the backoff of the file is for AWS */
  readonly retryDelayMs?: number;
}

let runs = 0;

/**
 * Runs the phase-close workflow on the local cloud: the handler modules of functions/phase-* are loaded afresh with
 * the environment the stack gives them (plus the local endpoints), the contacts file is put, then the ASL runs.
 * @throws WorkflowFailedError when the execution fails (the failure email has been sent by then)
 */
export async function closePhaseLocal(o: ClosePhaseOptions): Promise<PhaseCloseOutput> {
  const run = ++runs;
  const env: Record<string, string> = {
    ...envForLocal(o.endpoints),
    ...phaseCloseEnv({ bucketName: o.bucket, tableName: o.tableName, operation: o.operation }),
    AWS_REGION: LOCAL_REGION,
  };
  const portalUrl = o.portalUrl ?? o.operation.portalUrl;
  if (portalUrl) env.PORTAL_URL = portalUrl;
  const restore = setEnv(env, { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    const s3 = s3Client(o.endpoints);
    try {
      await putContacts(s3, o.bucket, o.operation);
    } finally {
      s3.destroy();
    }
    const byArn = new Map<string, { step: PhaseStep; handler: LambdaHandler }>();
    for (const step of PHASE_STEPS) {
      const real = await loadHandler(step, run);
      byArn.set(localFunctionArn(step.name), { step, handler: o.wrap?.[step.name]?.(real) ?? real });
    }
    const invoke = async (input: Json): Promise<Json> => {
      const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
      const target = FunctionName ? byArn.get(FunctionName) : undefined;
      if (!target)
        throw lambdaError(Object.assign(new Error(`Function not found: ${FunctionName}`), { name: 'Lambda.ResourceNotFoundException' }));
      let result: unknown;
      try {
        result = await target.handler(JSON.parse(JSON.stringify(Payload ?? null)), lambdaContext(target.step));
      } catch (e) {
        throw lambdaError(e);
      }
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.parse(JSON.stringify(result ?? null)) } as Json;
    };
    const definition = await loadWorkflow(PHASE_CLOSE_ASL, localPhaseCloseSubstitutions(o.maxConcurrency));
    const states = taskStatesOf(definition);
    const output = await runWorkflow(PHASE_CLOSE_ASL, o.input as unknown as Json, {
      substitutions: localPhaseCloseSubstitutions(o.maxConcurrency),
      taskOverrides: Object.fromEntries(states.map((s) => [s, invoke])),
      retryIntervalOverrides: Object.fromEntries(states.map((s) => [s, o.retryDelayMs ?? 0])),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return output as unknown as PhaseCloseOutput;
  } finally {
    restore();
  }
}

/** The handler module of a step, evaluated afresh (it may read its environment when loaded, as on Lambda). */
async function loadHandler(step: PhaseStep, run: number): Promise<LambdaHandler> {
  const file = resolve(PROJECT_ROOT, 'functions', step.name, 'handler.ts');
  let mod: { handler?: LambdaHandler };
  try {
    mod = (await import(`${pathToFileURL(file).href}?phase-close=${run}`)) as { handler?: LambdaHandler };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(file)) {
      throw new Error(`the phase-close function ${step.name} has no handler yet (${file})`);
    }
    throw e;
  }
  if (typeof mod.handler !== 'function') throw new Error(`${file} exports no handler function`);
  return mod.handler;
}

/** The error as the lambda:invoke integration reports a function error: Error = its type, Cause = Lambda's JSON. */
function lambdaError(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const type =
    err.name && err.name !== 'Error'
      ? err.name
      : err.constructor?.name && err.constructor.name !== 'Object'
        ? err.constructor.name
        : 'Error';
  const out = new Error(JSON.stringify({ errorType: type, errorMessage: err.message, trace: (err.stack ?? '').split('\n') }));
  out.name = type;
  return out;
}

function lambdaContext(step: PhaseStep): Context {
  const start = Date.now();
  const fail = () => {
    throw new Error('the local Lambda does not support the callback-style context methods');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: step.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(step.name),
    memoryLimitInMB: String(step.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${step.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, step.timeoutSeconds * 1000 - (Date.now() - start)),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Sets variables (and defaults for those unset); returns what puts the environment back. */
function setEnv(vars: Record<string, string>, defaults: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  const set = (k: string, v: string) => {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    process.env[k] = v;
  };
  for (const [k, v] of Object.entries(vars)) set(k, v);
  for (const [k, v] of Object.entries(defaults)) if (process.env[k] === undefined) set(k, v);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
