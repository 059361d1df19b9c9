/**
 * GET /api/summaries, GET /api/summaries/{phase}/{run}[?lang] and GET /api/summaries/{phase}/{run}/files[?lang]: the
 * phase summaries the phase close stored. Members and NCPs get the NCP version, in their language (summary.{lang}.*
 * when the run has it, else the English files of older runs); analysts the analysts' version (outlier seizures, case
 * references). The charts are the SVGs the phase close rendered into the summary's HTML in the language asked: the
 * browser gets them as SVG text and no chart library. The files route answers presigned GET URLs of the full report
 * and the workbook that last FILE_LINK_SECONDS, signed only after the token was checked (the router checks it first).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Lang, OperationConfig } from '../operation/config.ts';
import { LANG_KEY_NAMES, type PhaseTable, type SummaryItem } from '../phase/items.ts';
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
      .replace(/<br>/g, ' · ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    out.push({ title, svg: m[1]! });
  }
  return out;
}

/** How long the links of GET /api/summaries/{phase}/{run}/files last: the browser opens them at once. */
export const FILE_LINK_SECONDS = 5 * 60;

type SummaryDeps = { phases: PhaseTable; s3: S3Client; bucket: string; config: OperationConfig };

/** The language asked (`?lang=`), else the caller's Member's, else English; anything else is a 400. */
export function langOf(config: OperationConfig, caller: Caller, asked: string | undefined): Lang {
  const lang = asked || (config.members.find((m) => m.code === caller.member)?.language ?? 'en');
  if (lang !== 'en' && lang !== 'fr' && lang !== 'es') throw badRequest('"lang" must be en, fr or es');
  return lang;
}

async function summaryItem(deps: SummaryDeps, phaseText: string, runLabel: string): Promise<SummaryItem> {
  const phase = Number(phaseText);
  if (!Number.isInteger(phase) || phase < 1) throw badRequest(`'${phaseText}' is not a phase number`);
  if (!/^(final|interim-\d{4}-\d{2}-\d{2})$/.test(runLabel)) throw badRequest(`'${runLabel}' is not a run (final or interim-YYYY-MM-DD)`);
  const item = await deps.phases.getSummary(deps.config.id, phase, runLabel);
  if (!item) throw notFound(`no summary of phase ${phase} (${runLabel}) yet`);
  return item;
}

/** The caller's files of a run: the analysts' version (English), or the NCP version in the language when it exists. */
function filesOf(
  item: SummaryItem,
  caller: Caller,
  lang: Lang,
): { version: 'ncp' | 'analysts'; lang: Lang; json: string; html: string; xlsx: string } {
  const k = item.keys;
  if (caller.analyst) return { version: 'analysts', lang: 'en', json: k.analystsJson, html: k.analystsHtml, xlsx: k.analystsXlsx };
  const names = LANG_KEY_NAMES[lang];
  const html = k[names.html];
  const xlsx = k[names.xlsx];
  if (html && xlsx) return { version: 'ncp', lang, json: k.json, html, xlsx };
  return { version: 'ncp', lang: 'en', json: k.json, html: k.html, xlsx: k.xlsx };
}

/**
 * GET /api/summaries/{phase}/{run}/files[?lang]: `{html, xlsx, lang, expiresIn}`, presigned GETs of the caller's
 * version (NCPs: in the language, English for runs rendered before there were languages), downloaded under a name
 * that says what they are.
 */
export async function getSummaryFiles(
  deps: SummaryDeps,
  caller: Caller,
  phaseText: string,
  runLabel: string,
  askedLang: string | undefined,
): Promise<{ html: string; xlsx: string; lang: Lang; version: 'ncp' | 'analysts'; expiresIn: number }> {
  const lang = langOf(deps.config, caller, askedLang);
  const item = await summaryItem(deps, phaseText, runLabel);
  const f = filesOf(item, caller, lang);
  const name = `${deps.config.id}-phase-${item.phase}-${item.runLabel}${f.version === 'analysts' ? '-analysts' : ''}-${f.lang}`;
  const sign = (key: string, disposition: string) =>
    getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.bucket, Key: key, ResponseContentDisposition: disposition }), {
      expiresIn: FILE_LINK_SECONDS,
    });
  const [html, xlsx] = await Promise.all([
    sign(f.html, `inline; filename="${name}.html"`),
    sign(f.xlsx, `attachment; filename="${name}.xlsx"`),
  ]);
  return { html, xlsx, lang: f.lang, version: f.version, expiresIn: FILE_LINK_SECONDS };
}

export async function getSummaryPage(
  deps: SummaryDeps,
  caller: Caller,
  phaseText: string,
  runLabel: string,
  askedLang?: string,
): Promise<SummaryPage> {
  const item = await summaryItem(deps, phaseText, runLabel);
  const f = filesOf(item, caller, langOf(deps.config, caller, askedLang));
  const version = f.version;
  const [jsonKey, htmlKey] = [f.json, f.html];
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
