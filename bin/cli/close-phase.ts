/**
 * `seizures close-phase --phase N [--interim] [--as-of DATE]`: runs the phase-close workflow by hand. Locally (the
 * default) the ASL file runs in this process on aws-local-stepfunctions against the local cloud, with the same
 * handlers as on AWS; with `--aws` it starts an execution of the stack's state machine and follows it. Progress goes
 * to stderr state by state; then stdout says where the reports are (or `--format json`: the execution's output).
 *
 * Exit codes: 0 the run succeeded, 1 the workflow failed (its error and cause on stderr), 64 wrong usage, 69 no
 * cloud / no credentials, 73 data directory not writable.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../functions/core/platform/aws.ts';
import type { OperationConfig, Phase } from '../../functions/core/operation/config.ts';
import { addDays, isIsoDay } from '../../functions/core/operation/days.ts';
import type { PhaseCloseExecutionInput, PhaseCloseOutput } from '../../functions/core/contracts/phase-close-spec.ts';
import { closePhaseLocal, WorkflowFailedError, type WorkflowEvent } from '../../lib/local/stepfunctions.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { configOption, formatOf, parse, readConfig, UsageError } from './common.ts';
import { connect, onLocalCloud, type CloudTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { StackOutputMissingError } from './errors.ts';
import { progress, type Progress } from './progress.ts';

export const usage = `seizures close-phase --phase N [--interim] [--as-of YYYY-MM-DD] [--format text|json] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]  (exit 0 done, 1 the workflow failed, 64 usage, 69 no cloud)`;

export const EXIT_WORKFLOW_FAILED = 1;

/** The phase named by `--phase`, or a usage error listing the operation's phases. */
export function phaseOfFlag(config: OperationConfig, v: string | undefined): Phase {
  if (v === undefined) throw new UsageError('--phase N is required');
  const n = Number(v);
  const phase = /^\d+$/.test(v) ? config.phases.find((p) => p.phase === n) : undefined;
  if (!phase)
    throw new UsageError(`--phase must be one of ${config.phases.map((p) => p.phase).join(', ')} (phases of ${config.id}; got '${v}')`);
  return phase;
}

/**
 * The execution input. asOf: `--as-of`, else for a final run the day after the phase's end (what its schedule passes,
 * so a run by hand is the scheduled run again: same reports, no email sent twice), for an interim run today (UTC).
 */
export function closePhaseInput(
  config: OperationConfig,
  o: { phase: Phase; interim: boolean; asOf?: string | undefined; today?: string },
): PhaseCloseExecutionInput {
  const mode = o.interim ? 'interim' : 'final';
  if (o.asOf !== undefined && !isIsoDay(o.asOf)) throw new UsageError(`--as-of must be a date YYYY-MM-DD (got '${o.asOf}')`);
  const asOf = o.asOf ?? (o.interim ? (o.today ?? new Date().toISOString().slice(0, 10)) : addDays(o.phase.end, 1));
  if (o.interim && asOf < o.phase.start) {
    throw new UsageError(
      `an interim run of phase ${o.phase.phase} needs an as-of date on or after its start, ${o.phase.start} (got ${asOf}${o.asOf ? '' : ', today'})`,
    );
  }
  return { operation: config.id, phase: o.phase.phase, mode, asOf };
}

export async function closePhaseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    phase: { type: 'string' },
    interim: { type: 'boolean' },
    'as-of': { type: 'string' },
    format: { type: 'string' },
    ...localOptions,
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const config = readConfig(values.config);
  const phase = phaseOfFlag(config, values.phase);
  const input = closePhaseInput(config, { phase, interim: values.interim ?? false, asOf: values['as-of'] });

  return runCloudCommand('close-phase', async () => {
    const p = progress(process.stderr);
    let target: CloudTarget | undefined;
    try {
      target = await connect({ values, operation: config, ingest: true, drainQueue: true, log: (l) => p.note(l) });
      p.note(`phase ${input.phase} ${input.mode} run of ${config.name} (as of ${input.asOf}) on ${target.where}`);
      if (target.local?.pendingUploads)
        p.note(`${target.local.pendingUploads} upload(s) are still being ingested by that cloud: this run may not count them`);
      const outcome = target.kind === 'aws' ? await runOnAws(target, input, p) : await runLocally(target, config, input, p);
      p.done();
      if (!outcome.ok) {
        process.stderr.write(`seizures close-phase: the workflow failed: ${describeFailure(outcome.error, outcome.cause)}\n`);
        if (outcome.where) process.stderr.write(`  execution: ${outcome.where}\n`);
        process.stderr.write('  the analysts were emailed the cause (unless that failed too); fix it and run the command again\n');
        return EXIT_WORKFLOW_FAILED;
      }
      process.stdout.write(format === 'json' ? JSON.stringify(outcome.output) + '\n' : describeOutput(outcome.output, target, config));
      return 0;
    } finally {
      p.done();
      await target?.close();
    }
  });
}

type Outcome = { ok: true; output: PhaseCloseOutput } | { ok: false; error: string; cause: string; where?: string };

async function runLocally(target: CloudTarget, config: OperationConfig, input: PhaseCloseExecutionInput, p: Progress): Promise<Outcome> {
  const t = onLocalCloud(target, 'close-phase');
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const show = printer(p);
  try {
    const opts = { onEvent: (e: WorkflowEvent) => show(fromLocalEvent(e)), signal: abort.signal };
    const output = t.local.inProcess
      ? await t.local.inProcess.closePhase(input, opts)
      : await closePhaseLocal({
          ...opts,
          endpoints: t.local.endpoints,
          bucket: t.bucket,
          tableName: t.tableName,
          operation: config,
          input,
          ...(t.local.portalUrl ? { portalUrl: t.local.portalUrl } : {}),
        });
    return { ok: true, output };
  } catch (e) {
    if (e instanceof WorkflowFailedError) return { ok: false, error: e.error, cause: e.cause };
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** A state change, the same for the local event log and the AWS execution history. */
export type StepEvent =
  | { kind: 'entered' | 'exited'; state: string; type: 'Task' | 'Map' | 'Other'; total?: number }
  | { kind: 'map-started'; state: string; total: number }
  | { kind: 'iteration-done' | 'iteration-failed'; state: string }
  | { kind: 'retried' | 'caught'; state: string }
  | { kind: 'failed'; state: string; error: string; cause: string }
  | { kind: 'ignored' };

const stateType = (t: string | undefined): 'Task' | 'Map' | 'Other' => (t === 'Task' || t === 'Map' ? t : 'Other');

/** From aws-local-stepfunctions' event log (states inside the Map carry an index: they are counted, not printed). */
export function fromLocalEvent(e: WorkflowEvent): StepEvent {
  const s = (e as { state?: { name: string; type: string; input?: unknown } }).state;
  const inner = (e as { index?: number }).index !== undefined;
  switch (e.type) {
    case 'StateEntered':
    case 'StateExited': {
      if (!s || inner) return { kind: 'ignored' };
      const slices = (s.input as { plan?: { slices?: unknown[] } } | undefined)?.plan?.slices;
      const total = e.type === 'StateEntered' && s.type === 'Map' && Array.isArray(slices) ? { total: slices.length } : {};
      return { kind: e.type === 'StateEntered' ? 'entered' : 'exited', state: s.name, type: stateType(s.type), ...total };
    }
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return {
        kind: e.type === 'MapIterationSucceeded' ? 'iteration-done' : 'iteration-failed',
        state: (e as { parentState: { name: string } }).parentState.name,
      };
    case 'StateRetried':
      return s ? { kind: 'retried', state: s.name } : { kind: 'ignored' };
    case 'StateCaught':
      return s && !inner ? { kind: 'caught', state: s.name } : { kind: 'ignored' };
    case 'StateFailed': {
      const f = e as { Error?: string; Cause?: unknown };
      return s && !inner
        ? { kind: 'failed', state: s.name, error: String(f.Error ?? 'Error'), cause: String(f.Cause ?? '') }
        : { kind: 'ignored' };
    }
    default:
      return { kind: 'ignored' };
  }
}

/**
 * From an AWS execution history, one event at a time; `ctx` remembers which Map is running (inner states are not
 * printed) and which state a task failure belongs to.
 */
export function fromHistoryEvent(h: HistoryEvent, ctx: { mapDepth: number; current?: string; map?: string }): StepEvent {
  const type = h.type ?? '';
  const entered = type.endsWith('StateEntered') ? h.stateEnteredEventDetails?.name : undefined;
  const exited = type.endsWith('StateExited') ? h.stateExitedEventDetails?.name : undefined;
  const kindOf = (t: string) => (t.startsWith('Task') ? 'Task' : t.startsWith('Map') ? 'Map' : 'Other') as 'Task' | 'Map' | 'Other';
  if (entered !== undefined) {
    if (ctx.mapDepth > 0) return { kind: 'ignored' };
    ctx.current = entered;
    if (type === 'MapStateEntered') {
      ctx.mapDepth++;
      ctx.map = entered;
    }
    return { kind: 'entered', state: entered, type: kindOf(type) };
  }
  if (exited !== undefined) {
    if (type === 'MapStateExited' && exited === ctx.map) ctx.mapDepth = Math.max(0, ctx.mapDepth - 1);
    else if (ctx.mapDepth > 0) return { kind: 'ignored' };
    return { kind: 'exited', state: exited, type: kindOf(type) };
  }
  switch (type) {
    case 'MapStateStarted':
      return { kind: 'map-started', state: ctx.map ?? 'Map', total: h.mapStateStartedEventDetails?.length ?? 0 };
    case 'MapIterationSucceeded':
      return { kind: 'iteration-done', state: h.mapIterationSucceededEventDetails?.name ?? ctx.map ?? 'Map' };
    case 'MapIterationFailed':
      return { kind: 'iteration-failed', state: h.mapIterationFailedEventDetails?.name ?? ctx.map ?? 'Map' };
    case 'TaskFailed':
      if (ctx.mapDepth > 0) return { kind: 'ignored' };
      return {
        kind: 'failed',
        state: ctx.current ?? '?',
        error: h.taskFailedEventDetails?.error ?? 'Error',
        cause: h.taskFailedEventDetails?.cause ?? '',
      };
    case 'TaskTimedOut':
      if (ctx.mapDepth > 0) return { kind: 'ignored' };
      return {
        kind: 'failed',
        state: ctx.current ?? '?',
        error: h.taskTimedOutEventDetails?.error ?? 'States.Timeout',
        cause: h.taskTimedOutEventDetails?.cause ?? '',
      };
    default:
      return { kind: 'ignored' };
  }
}

/** Prints state changes: a line per Task or Map state finished (with its time), slices counted while the Map runs. */
export function printer(p: Progress, now: () => number = Date.now): (e: StepEvent) => void {
  const started = new Map<string, number>();
  const maps = new Map<string, { total?: number; done: number; failed: number }>();
  const secs = (state: string) => `${((now() - (started.get(state) ?? now())) / 1000).toFixed(1)} s`;
  const mapLine = (state: string) => {
    const m = maps.get(state)!;
    return `${state}: ${m.done}${m.total !== undefined ? `/${m.total}` : ''} slice(s) aggregated${m.failed ? `, ${m.failed} failed` : ''}`;
  };
  return (e) => {
    switch (e.kind) {
      case 'entered':
        started.set(e.state, now());
        if (e.type === 'Map') {
          maps.set(e.state, { ...(e.total !== undefined ? { total: e.total } : {}), done: 0, failed: 0 });
          p.step(mapLine(e.state));
        } else if (e.type === 'Task') p.step(`${e.state}...`);
        return;
      case 'map-started': {
        const m = maps.get(e.state) ?? { done: 0, failed: 0 };
        maps.set(e.state, { ...m, total: e.total });
        p.step(mapLine(e.state));
        return;
      }
      case 'iteration-done':
      case 'iteration-failed': {
        const m = maps.get(e.state) ?? { done: 0, failed: 0 };
        if (e.kind === 'iteration-done') m.done++;
        else m.failed++;
        maps.set(e.state, m);
        // About 20 updates per Map, whatever its size (a log gets a line per update).
        const every = Math.max(1, Math.ceil((m.total ?? 20) / 20));
        const count = m.done + m.failed;
        if (count % every === 0 || count === m.total || e.kind === 'iteration-failed') p.step(mapLine(e.state));
        return;
      }
      case 'exited':
        if (e.type === 'Map') p.note(`${mapLine(e.state)} (${secs(e.state)})`);
        else if (e.type === 'Task') p.note(`${e.state}: done (${secs(e.state)})`);
        return;
      case 'retried':
        p.note(`${e.state}: a transient error, retrying`);
        return;
      case 'failed':
        p.note(`${e.state}: failed: ${describeFailure(e.error, e.cause)}`);
        return;
      case 'caught':
        p.note(`${e.state}: the failure is caught; emailing the analysts`);
        return;
      default:
        return;
    }
  };
}

/** Lambda's Cause is JSON ({errorType, errorMessage, trace}): its message is what people need. */
export function describeFailure(error: string, cause: string): string {
  let message = cause;
  try {
    const c = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof c?.errorMessage === 'string') message = c.errorMessage;
  } catch {
    // not JSON: as is
  }
  return message ? `${error}: ${message}` : error;
}

/** The minimal SFN client runOnAws needs (the SDK's, or a stub in tests). */
export interface SfnLike {
  send(command: unknown): Promise<unknown>;
}

/**
 * Starts an execution and follows it: the history printed as it grows, until the execution ends.
 * @param opts.pollMs how often to look (@default 2000)
 */
export async function followAwsExecution(
  sfn: SfnLike,
  stateMachineArn: string,
  input: PhaseCloseExecutionInput,
  p: Progress,
  opts: { pollMs?: number; name?: string } = {},
): Promise<Outcome> {
  const name = opts.name ?? `manual-phase-${input.phase}-${input.mode}-${input.asOf}-${Date.now()}`;
  const started = (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))) as {
    executionArn?: string;
  };
  const executionArn = started.executionArn!;
  p.note(`started ${executionArn}`);
  const show = printer(p);
  const ctx = { mapDepth: 0 };
  let lastId = 0;
  // The events since the last look: newest first, pages until one already seen, then printed oldest first.
  const fresh = async (): Promise<HistoryEvent[]> => {
    const out: HistoryEvent[] = [];
    let nextToken: string | undefined;
    for (;;) {
      const page = (await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 200, ...(nextToken ? { nextToken } : {}) }),
      )) as { events?: HistoryEvent[]; nextToken?: string };
      for (const h of page.events ?? []) {
        if ((h.id ?? 0) <= lastId) return out.reverse();
        out.push(h);
      }
      if (!page.nextToken) return out.reverse();
      nextToken = page.nextToken;
    }
  };
  for (;;) {
    const desc = (await sfn.send(new DescribeExecutionCommand({ executionArn }))) as {
      status?: string;
      output?: string;
      error?: string;
      cause?: string;
    };
    const events = await fresh();
    for (const h of events) show(fromHistoryEvent(h, ctx));
    if (events.length) lastId = events.at(-1)!.id ?? lastId;
    if (desc.status && desc.status !== 'RUNNING' && desc.status !== 'PENDING_REDRIVE') {
      if (desc.status === 'SUCCEEDED') return { ok: true, output: JSON.parse(desc.output ?? '{}') as PhaseCloseOutput };
      return {
        ok: false,
        error: desc.error ?? `States.${desc.status}`,
        cause: desc.cause ?? `the execution ended ${desc.status}`,
        where: executionArn,
      };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
}

async function runOnAws(t: CloudTarget, input: PhaseCloseExecutionInput, p: Progress): Promise<Outcome> {
  const arn = t.aws?.stateMachineArn;
  if (!arn) {
    throw new StackOutputMissingError(
      `the stack ${t.aws?.stackName} has no PhaseCloseStateMachineArn output: deploy the current version (npx cdk deploy)`,
    );
  }
  const sfn = sfnClient();
  try {
    return await followAwsExecution(sfn, arn, input, p);
  } finally {
    sfn.destroy();
  }
}

const REPORT_NAMES: [keyof PhaseCloseOutput['keys'], string][] = [
  ['json', 'Members'],
  ['xlsx', 'Members'],
  ['html', 'Members'],
  ['analystsJson', 'analysts'],
  ['analystsXlsx', 'analysts'],
  ['analystsHtml', 'analysts'],
];

/** What a successful run produced, for people. */
export function describeOutput(
  o: PhaseCloseOutput,
  t: Pick<CloudTarget, 'bucket' | 'where' | 'local' | 'kind'>,
  config: Pick<OperationConfig, 'name'>,
): string {
  const run = o.input.mode === 'final' ? `final close of phase ${o.input.phase}` : `interim summary of phase ${o.input.phase}`;
  const emails = o.alert ? `alert emails: ${o.alerts.sent} sent, ${o.alerts.skipped} already sent before` : 'no alert';
  const lines = [
    `${config.name}: ${run}, as of ${o.input.asOf}: ${o.lines} seizure line(s) read (phases up to ${o.input.phase}), ${o.signalCount} signal(s); ${emails}`,
    `reports under s3://${t.bucket}/${o.prefix} on ${t.where}:`,
  ];
  for (const audience of ['Members', 'analysts']) {
    const keys = REPORT_NAMES.filter(([, a]) => a === audience)
      .map(([k]) => o.keys[k])
      .filter((k): k is string => typeof k === 'string');
    if (keys.length)
      lines.push(
        `  for ${`${audience}:`.padEnd(9)} ${keys.map((k) => (k.startsWith(o.prefix) ? k.slice(o.prefix.length) : k)).join('  ')}`,
      );
  }
  if (t.kind === 'local' && t.local) {
    lines.push(
      `  fetch them: aws --endpoint-url ${t.local.endpoints.s3} s3 cp --recursive "s3://${t.bucket}/${o.prefix}" .  (AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER)`,
    );
    if (!t.local.inProcess && o.alert) lines.push(`  the emails: ${t.local.mailViewer}`);
  } else {
    lines.push(`  fetch them: aws s3 cp --recursive "s3://${t.bucket}/${o.prefix}" .`);
  }
  lines.push(
    `  \`seizures summary --phase ${o.input.phase}${o.input.mode === 'interim' ? ` --interim ${o.input.asOf}` : ''}\` prints the summary`,
  );
  return lines.join('\n') + '\n';
}
