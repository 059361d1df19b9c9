/**
 * GET /api/summaries and GET /api/summaries/{phase}/{run}: the phase summaries the phase close stored. Members and
 * NCPs get the NCP version; analysts the analysts' version (outlier seizures, case references). The charts are the
 * SVGs the phase close rendered with Vega-Lite into summary.html: the browser gets them as SVG text and no chart
 * library.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { OperationConfig } from '../operation/config.ts';
import type { PhaseTable, SummaryItem } from '../phase/items.ts';
import type { BreakdownRow, SummaryJson } from '../phase/summary.ts';
import type { Caller } from './auth.ts';
import { badRequest, notFound } from './http.ts';

export interface SummaryListEntry {
  readonly phase: number;
  readonly runLabel: string;
  readonly mode: SummaryItem['mode'];
  readonly asOf: string;
  readonly counts: SummaryItem['counts'];
  readonly signalCount: number;
  readonly alert: boolean;
  readonly storedAt: string;
  /** The last day the run covers: the phase's end for a final run, asOf (at most the phase's end) for an interim one. */
  readonly covers: string;
  /** Whether the NCPs were emailed this run's summary (the same fact as `alert`, said as what happened). */
  readonly sentToNcps: boolean;
}

export interface Chart {
  readonly title: string;
  /** An <svg> element (role=img, aria-label), sized by its viewBox. */
  readonly svg: string;
}

export interface SummaryPage {
  readonly version: 'ncp' | 'analysts';
  readonly summary: SummaryJson;
  readonly charts: Chart[];
  /**
   * A Member's own row, for its eyes only (the NCP version shows no Member's row: disclosure control): from the
   * analysts' version, the caller's Member in the phase and since the start (null where it has no line).
   */
  readonly own?: { readonly member: string; readonly phase: BreakdownRow | null; readonly cumulative: BreakdownRow | null };
}

/** The last day a run covers (see SummaryListEntry.covers). */
export function coveredDay(config: Pick<OperationConfig, 'phases'>, i: Pick<SummaryItem, 'phase' | 'mode' | 'asOf'>): string {
  const end = config.phases.find((p) => p.phase === i.phase)?.end;
  const asOf = i.asOf.slice(0, 10);
  if (!end) return asOf;
  return i.mode === 'final' || asOf > end ? end : asOf;
}

/**
 * The runs, newest covered day first (an interim run of 31 January before one of 24 January, whenever each ran); on
 * the same day a final run before an interim one, then the later phase, then the later stored.
 */
export async function listSummaries(phases: PhaseTable, config: OperationConfig): Promise<SummaryListEntry[]> {
  const items = await phases.listSummaries(config.id);
  return items
    .map((i) => ({
      phase: i.phase,
      runLabel: i.runLabel,
      mode: i.mode,
      asOf: i.asOf,
      counts: i.counts,
      signalCount: i.signalCount,
      alert: i.alert,
      storedAt: i.storedAt,
      covers: coveredDay(config, i),
      sentToNcps: i.alert,
    }))
    .sort(
      (a, b) =>
        b.covers.localeCompare(a.covers) ||
        (a.mode === b.mode ? 0 : a.mode === 'final' ? -1 : 1) ||
        b.phase - a.phase ||
        b.storedAt.localeCompare(a.storedAt),
    );
}

/** The figures of summary.html: `<figure><svg ...>...</svg><figcaption>title</figcaption></figure>` (render-html.ts). */
export function chartsOfHtml(html: string): Chart[] {
  const out: Chart[] = [];
  for (const m of html.matchAll(/<figure>(<svg[\s\S]*?<\/svg>)<figcaption>([\s\S]*?)<\/figcaption><\/figure>/g)) {
    const title = m[2]!
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    out.push({ title, svg: m[1]! });
  }
  return out;
}

export async function getSummaryPage(
  deps: { phases: PhaseTable; s3: S3Client; bucket: string; config: OperationConfig },
  caller: Caller,
  phaseText: string,
  runLabel: string,
): Promise<SummaryPage> {
  const phase = Number(phaseText);
  if (!Number.isInteger(phase) || phase < 1) throw badRequest(`'${phaseText}' is not a phase number`);
  if (!/^(final|interim-\d{4}-\d{2}-\d{2})$/.test(runLabel)) throw badRequest(`'${runLabel}' is not a run (final or interim-YYYY-MM-DD)`);
  const item = await deps.phases.getSummary(deps.config.id, phase, runLabel);
  if (!item) throw notFound(`no summary of phase ${phase} (${runLabel}) yet`);
  const version = caller.analyst ? 'analysts' : 'ncp';
  const [jsonKey, htmlKey] = version === 'analysts' ? [item.keys.analystsJson, item.keys.analystsHtml] : [item.keys.json, item.keys.html];
  const text = async (key: string) =>
    await (await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }))).Body!.transformToString('utf8');
  const member = version === 'ncp' ? caller.member : undefined;
  const [json, html, analysts] = await Promise.all([
    text(jsonKey),
    text(htmlKey),
    member ? text(item.keys.analystsJson).then((t) => JSON.parse(t) as SummaryJson) : undefined,
  ]);
  const ownRow = (rows: readonly BreakdownRow[] | undefined) => rows?.find((r) => r.key === member) ?? null;
  const own =
    member && analysts
      ? { member, phase: ownRow(analysts.figures.phase.byMember), cumulative: ownRow(analysts.figures.cumulative.byMember) }
      : undefined;
  return { version, summary: JSON.parse(json) as SummaryJson, charts: chartsOfHtml(html), ...(own ? { own } : {}) };
}
