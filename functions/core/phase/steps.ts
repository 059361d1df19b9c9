/**
 * The phase close's steps as plain functions over S3, the table and SES (the Lambda handlers in functions/phase-*
 * only parse their event and call one of these). Each step reads what earlier steps wrote under the run's work
 * prefix, by key, and returns keys and counts only: never rows.
 *
 * Work objects (`work/{operation}/phase-{n}/{runLabel}/`): `partials/p{phase}-{member}.json` (one per slice, a retry
 * overwrites it), `aggregate.json`, `analysis.json`. Reports: `summaries/{operation}/phase-{n}/{runLabel}/summary.*`
 * and `.../analysts/summary.*` (render.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { OperationConfig } from '../operation/config.ts';
import type { SeizureRecord } from '../vocabulary/record.ts';
import { aggregateSlice, emptyPhase, mergePartials, type AggregateJson, type LineStream, type PartialJson } from './aggregate.ts';
import { analyse, type AnalysisJson, type SignalCounts } from './analyse.ts';
import {
  composeAlert,
  composeFailure,
  recipientsOf,
  sendAlerts,
  type Contacts,
  type Mailer,
  type OwnRow,
  type SendResult,
} from './alerts.ts';
import {
  checkPrefix,
  PhaseCloseInputError,
  phasesThrough,
  planRun,
  runLabelOf,
  workPrefixOf,
  type PhaseCloseInput,
  type PhasePlan,
  type Slice,
} from './input.ts';
import { getJson, putJson } from './io.ts';
import { asLakePages, countedBy, LakeSlice, putLakeFiles, tapPages } from '../lake/export.ts';
import type { LakeLine } from '../lake/columns.ts';
import { LANG_KEY_NAMES, type PhaseTable, type ReportKeys, type SummaryCounts, type SummaryItem } from './items.ts';
import type { Figures, SummaryJson } from './summary.ts';

export interface StepContext {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly config: OperationConfig;
}

/** Where a slice's lines come from: SeizureStore.linesOf (the byPhase index); and whether its Member sent a nil return. */
export interface LineSource {
  linesOf(phase: number, member: string): AsyncIterable<SeizureRecord>;
  /** Whether the Member sent a nil return for the phase (nil-return.ts); absent: none is known. */
  nilReturned?(phase: number, member: string): Promise<boolean>;
  /**
   * A source for one slice's reads, which may share what they learn (the fenced reader reads each head shard once for
   * all the phases of a slice: store/headed.ts). Absent: linesOf is used as it is.
   */
  session?(): Pick<LineSource, 'linesOf' | 'pagesOf' | 'sourcedPagesOf'>;
  /** The same lines a page at a time (one await per page, not per line); absent: linesOf is used. */
  pagesOf?(phase: number, member: string): AsyncIterable<readonly SeizureRecord[]>;
  /** The same pages with each line's upload (the lake's source_* columns); absent: pagesOf, the lake without them. */
  sourcedPagesOf?(phase: number, member: string): AsyncIterable<readonly LakeLine[]>;
}

export const partialKey = (workPrefix: string, slice: Slice): string => `${workPrefix}partials/p${slice.phase}-${slice.member}.json`;
export const aggregateKey = (workPrefix: string): string => `${workPrefix}aggregate.json`;
export const analysisKey = (workPrefix: string): string => `${workPrefix}analysis.json`;

function under(input: PhaseCloseInput, key: unknown, what: string, prefix = workPrefixOf(input)): string {
  if (typeof key !== 'string' || !key.startsWith(prefix) || key.includes('..')) {
    throw new PhaseCloseInputError(`${what} ${JSON.stringify(key)} is not under this run's prefix ${prefix}`);
  }
  return key;
}

/** phase-plan. */
export function planStep(config: OperationConfig, input: unknown): PhasePlan {
  return planRun(input, config);
}

/** phase-aggregate: streams one slice's lines from the store into its partial. */
export async function aggregateStep(
  ctx: StepContext & { readonly lines: LineSource },
  input: PhaseCloseInput,
  slice: Slice,
  workPrefix: string,
): Promise<{ key: string; lines: number }> {
  checkPrefix(input, 'workPrefix', workPrefix);
  const phases = phasesThrough(ctx.config, input.phase).map((p) => p.phase);
  if (!ctx.config.members.some((m) => m.code === slice.member))
    throw new PhaseCloseInputError(`slice: ${JSON.stringify(slice.member)} is not a Member of ${ctx.config.id}`);
  if (!phases.includes(slice.phase))
    throw new PhaseCloseInputError(`slice: phase ${JSON.stringify(slice.phase)} is not one of this run's phases (${phases.join(', ')})`);
  const closing = slice.phase === input.phase;
  const earlier = closing ? phases.filter((p) => p !== slice.phase) : [];
  const source = ctx.lines.session?.() ?? ctx.lines;
  const plain = (phase: number): LineStream =>
    source.pagesOf ? { pages: source.pagesOf(phase, slice.member) } : source.linesOf(phase, slice.member);
  // The lake (functions/core/lake): the lines counted pass through on their way to the aggregate, no read of their own.
  const run = { operation: input.operation, runLabel: runLabelOf(input), asOf: input.asOf };
  const lake = new LakeSlice(run, slice.member, [slice.phase, ...earlier]);
  const read = (phase: number): LineStream => ({
    pages: tapPages(source.sourcedPagesOf?.(phase, slice.member) ?? asLakePages(plain(phase)), lake, countedBy(input)),
  });
  const partial = await aggregateSlice(input, slice, {
    lines: read(slice.phase),
    ...(closing ? { history: earlier.map(read) } : {}),
  });
  if (lake.rows !== partial.lines)
    throw new Error(`lake: slice ${slice.member}/p${slice.phase} kept ${lake.rows} lines but counted ${partial.lines}`);
  // A nil return makes the Member a reporter of the phase (exposure.ts), with or without lines.
  if (ctx.lines.nilReturned) {
    const nilReturned = ctx.lines.nilReturned;
    const nil = await Promise.all([slice.phase, ...earlier].map(async (p) => ((await nilReturned(p, slice.member)) ? p : undefined)));
    for (const p of nil) {
      if (p === undefined) continue;
      let agg = p === slice.phase ? partial.agg : partial.earlier?.find((a) => a.phase === p);
      if (agg === undefined) (partial.earlier ??= []).push((agg = emptyPhase(p)));
      agg.nilReturns = [slice.member];
    }
  }
  const key = partialKey(workPrefix, slice);
  await Promise.all([putLakeFiles(ctx.s3, ctx.bucket, lake.files()), putJson(ctx.s3, ctx.bucket, key, partial)]);
  return { key, lines: partial.lines };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** phase-merge: every planned slice's partial into the run's aggregate. A missing or foreign partial is an error. */
export async function mergeStep(
  ctx: StepContext,
  input: PhaseCloseInput,
  partials: readonly { key: string; lines?: number }[],
  workPrefix: string,
): Promise<{ aggregateKey: string; lines: number }> {
  checkPrefix(input, 'workPrefix', workPrefix);
  const keys = partials.map((p) => under(input, p.key, 'partial key', `${workPrefix}partials/`));
  const plan = planRun(input, ctx.config);
  const expected = new Set(plan.slices.map((s) => partialKey(workPrefix, s)));
  const given = new Set(keys);
  const missing = [...expected].filter((k) => !given.has(k));
  if (missing.length)
    throw new PhaseCloseInputError(`merge: ${missing.length} slice(s) have no partial, e.g. ${missing.slice(0, 3).join(', ')}`);
  const loaded = await mapLimit([...given], 16, (k) => getJson<PartialJson>(ctx.s3, ctx.bucket, k));
  const agg = mergePartials(input, ctx.config, loaded);
  const key = aggregateKey(workPrefix);
  await putJson(ctx.s3, ctx.bucket, key, agg);
  return { aggregateKey: key, lines: agg.lines };
}

/** phase-analyse: trends and risk indicators of the aggregate. */
export async function analyseStep(
  ctx: StepContext,
  input: PhaseCloseInput,
  aggKey: string,
  workPrefix: string,
): Promise<{ analysisKey: string; signals: SignalCounts }> {
  checkPrefix(input, 'workPrefix', workPrefix);
  const agg = await getJson<AggregateJson>(ctx.s3, ctx.bucket, under(input, aggKey, 'aggregateKey'));
  const analysis: AnalysisJson = analyse(input, ctx.config, agg);
  const key = analysisKey(workPrefix);
  await putJson(ctx.s3, ctx.bucket, key, analysis);
  return { analysisKey: key, signals: analysis.counts };
}

function checkKeys(input: PhaseCloseInput, prefix: string, keys: unknown): ReportKeys {
  checkPrefix(input, 'prefix', prefix);
  if (!keys || typeof keys !== 'object') throw new PhaseCloseInputError('keys must be an object of report keys');
  const k = keys as Record<string, unknown>;
  const out = {} as ReportKeys;
  for (const name of ['json', 'xlsx', 'html', 'analystsJson', 'analystsXlsx', 'analystsHtml'] as const)
    out[name] = under(input, k[name], `keys.${name}`, prefix);
  // The NCP version in each language: optional (runs rendered before there were have none), checked when given.
  for (const names of Object.values(LANG_KEY_NAMES))
    for (const name of [names.html, names.xlsx]) if (k[name] !== undefined) out[name] = under(input, k[name], `keys.${name}`, prefix);
  return out;
}

const countsOf = (f: Figures): SummaryCounts => ({
  lines: f.lines,
  cases: f.cases,
  units: f.units.total,
  kg: f.kg,
  litres: f.litres,
  reportingMembers: f.reportingMembers,
  participatingMembers: f.participatingMembers,
});

/** phase-store: the summary item of the run (replaced by a rerun). */
export async function storeStep(
  ctx: StepContext & { readonly table: PhaseTable; readonly now?: () => Date },
  input: PhaseCloseInput,
  prefix: string,
  keys: unknown,
  signalCount: number,
): Promise<{ stored: true }> {
  const k = checkKeys(input, prefix, keys);
  const summary = await getJson<SummaryJson>(ctx.s3, ctx.bucket, k.json);
  checkSummary(input, summary, signalCount);
  const item: SummaryItem = {
    operation: input.operation,
    phase: input.phase,
    mode: input.mode,
    asOf: input.asOf,
    runLabel: runLabelOf(input),
    prefix,
    keys: k,
    counts: countsOf(summary.figures.phase),
    cumulative: countsOf(summary.figures.cumulative),
    signals: summary.counts,
    signalCount: summary.signalCount,
    alert: summary.alert,
    storedAt: (ctx.now ?? (() => new Date()))().toISOString(),
  };
  await ctx.table.putSummary(item);
  return { stored: true };
}

function checkSummary(input: PhaseCloseInput, s: SummaryJson, signalCount: number): void {
  if (
    s.schema !== 'phase-summary/1' ||
    s.operation.id !== input.operation ||
    s.phase.phase !== input.phase ||
    s.runLabel !== runLabelOf(input)
  ) {
    throw new PhaseCloseInputError(
      `the summary at the given key is not this run's (${s.operation?.id} phase ${s.phase?.phase} ${s.runLabel})`,
    );
  }
  if (signalCount !== s.signalCount)
    throw new PhaseCloseInputError(`signalCount ${signalCount} differs from the summary's ${s.signalCount}`);
}

/**
 * phase-alerts: one email per recipient (NCPs: the NCP version, in their language, with their own Member's row, or
 * the nudge when their Member reported nothing; analysts: the analysts' version), each linking to the run's page on
 * the portal (links.ts), each sent at most once per content (see items.ts). A version whose summary says
 * no alert sends nothing: a quiet interim week sends no email; analysts alone hear of a signal only they may read.
 */
export async function alertsStep(
  ctx: StepContext & {
    readonly table: PhaseTable;
    readonly mailer: Mailer;
    readonly contacts: Contacts;
    /** The portal the emails link to (links.ts); absent only on a local cloud without its portal. */
    readonly portalUrl?: string;
    /** The Members that sent "nothing to report" for a phase (nil-return.ts): they are not nudged. */
    readonly nilReturns?: (operation: string, phase: number) => Promise<ReadonlySet<string>>;
    readonly unreachable?: ReadonlySet<string>;
  },
  input: PhaseCloseInput,
  prefix: string,
  keys: unknown,
  signalCount: number,
): Promise<SendResult> {
  const k = checkKeys(input, prefix, keys);
  const [ncp, analysts] = await Promise.all([
    getJson<SummaryJson>(ctx.s3, ctx.bucket, k.json),
    getJson<SummaryJson>(ctx.s3, ctx.bucket, k.analystsJson),
  ]);
  checkSummary(input, ncp, signalCount);
  if (!ncp.alert && !analysts.alert) return { sent: 0, skipped: 0 };
  const recipients = recipientsOf(ctx.contacts, ctx.unreachable).filter((r) => (r.role === 'analyst' ? analysts.alert : ncp.alert));
  const links = ctx.portalUrl ? { portalUrl: ctx.portalUrl } : {};
  const nil =
    recipients.some((r) => r.role === 'ncp') && ctx.nilReturns ? await ctx.nilReturns(input.operation, input.phase) : new Set<string>();
  const ownRow = (member: string | undefined): OwnRow | undefined => {
    const row = member ? analysts.figures.phase.byMember.find((x) => x.key === member) : undefined;
    return member
      ? { member, lines: row?.lines ?? 0, cases: row?.cases ?? 0, units: row?.units ?? 0, ...(nil.has(member) ? { nilReturn: true } : {}) }
      : undefined;
  };
  const max = ctx.config.thresholds.headlineSignals;
  const emails = recipients.map((r) =>
    r.role === 'analyst' ? composeAlert(analysts, r, links, max) : composeAlert(ncp, r, links, max, ownRow(r.member)),
  );
  return sendAlerts(
    {
      table: ctx.table,
      mailer: ctx.mailer,
      from: ctx.config.mailFrom,
      run: { operation: input.operation, phase: input.phase, runLabel: runLabelOf(input) },
    },
    emails,
  );
}

/** phase-failure: tells each analyst which run failed and why (one email each). Returns how many were sent. */
export async function failureStep(
  ctx: { readonly config: OperationConfig; readonly mailer: Mailer },
  input: unknown,
  error: { Error?: string; Cause?: string },
): Promise<{ notified: number }> {
  const content = composeFailure(
    (input && typeof input === 'object' ? input : { input }) as Record<string, unknown>,
    error ?? {},
    ctx.config.name,
  );
  let notified = 0;
  for (const to of [...new Set(ctx.config.analysts)]) {
    await ctx.mailer.send(ctx.config.mailFrom, to, content);
    notified++;
  }
  return { notified };
}
