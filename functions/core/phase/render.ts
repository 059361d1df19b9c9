/**
 * phase-render: both versions of the summary (NCP, analysts) as JSON, XLSX and HTML under the run's report prefix,
 * and the NCP version's HTML and XLSX in each language the NCPs read (summary.{lang}.html, summary.{lang}.xlsx, with
 * REPORT_LANGS; summary.html and summary.xlsx stay, in English). Kept apart from steps.ts so that only the render
 * function bundles the charting and workbook libraries.
 */
import type { AggregateJson } from './aggregate.ts';
import type { AnalysisJson } from './analyse.ts';
import { checkPrefix, PhaseCloseInputError, workPrefixOf, type PhaseCloseInput } from './input.ts';
import { CONTENT_TYPES, getJson, putObject } from './io.ts';
import { langReportFiles, langReportKeys, type ReportKeys } from './items.ts';
import type { Lang } from '../operation/config.ts';
import { REPORT_LANGS, withTexts } from './labels.ts';
import { ANALYSTS_DIR } from '../operation/layout.ts';
import { renderHtml } from './render-html.ts';
import { renderXlsx } from './render-xlsx.ts';
import type { StepContext } from './steps.ts';
import { buildSummary, type SummaryJson, type SummaryVersion } from './summary.ts';

export const reportKeys = (prefix: string): ReportKeys => ({
  json: `${prefix}summary.json`,
  xlsx: `${prefix}summary.xlsx`,
  html: `${prefix}summary.html`,
  analystsJson: `${prefix}${ANALYSTS_DIR}summary.json`,
  analystsXlsx: `${prefix}${ANALYSTS_DIR}summary.xlsx`,
  analystsHtml: `${prefix}${ANALYSTS_DIR}summary.html`,
  ...langReportKeys(prefix),
});

/** The three files of one version (the HTML and XLSX in `lang`, English by default). */
export async function renderFiles(s: SummaryJson, lang: Lang = 'en'): Promise<{ json: string; xlsx: Buffer; html: string }> {
  return { json: `${JSON.stringify(withTexts(s), null, 1)}\n`, xlsx: await renderXlsx(s, lang), html: await renderHtml(s, lang) };
}

/** The NCP version's HTML and XLSX in every language of REPORT_LANGS, one language after the other. */
export async function renderLangFiles(s: SummaryJson): Promise<{ lang: Lang; html: string; xlsx: Buffer }[]> {
  const out: { lang: Lang; html: string; xlsx: Buffer }[] = [];
  for (const lang of REPORT_LANGS) out.push({ lang, html: await renderHtml(s, lang), xlsx: await renderXlsx(s, lang) });
  return out;
}

export async function renderStep(
  ctx: StepContext,
  input: PhaseCloseInput,
  aggregateKey: string,
  analysisKey: string,
  prefix: string,
): Promise<{ keys: ReportKeys; signalCount: number; alert: boolean }> {
  checkPrefix(input, 'prefix', prefix);
  const work = workPrefixOf(input);
  for (const [what, k] of [
    ['aggregateKey', aggregateKey],
    ['analysisKey', analysisKey],
  ] as const) {
    if (typeof k !== 'string' || !k.startsWith(work))
      throw new PhaseCloseInputError(`${what} ${JSON.stringify(k)} is not under this run's prefix ${work}`);
  }
  const [agg, analysis] = await Promise.all([
    getJson<AggregateJson>(ctx.s3, ctx.bucket, aggregateKey),
    getJson<AnalysisJson>(ctx.s3, ctx.bucket, analysisKey),
  ]);
  const keys = reportKeys(prefix);
  const write = async (version: SummaryVersion, k: { json: string; xlsx: string; html: string }) => {
    const files = await renderFiles(buildSummary(input, ctx.config, agg, analysis, version));
    await Promise.all([
      putObject(ctx.s3, ctx.bucket, k.json, files.json, CONTENT_TYPES.json),
      putObject(ctx.s3, ctx.bucket, k.xlsx, files.xlsx, CONTENT_TYPES.xlsx),
      putObject(ctx.s3, ctx.bucket, k.html, files.html, CONTENT_TYPES.html),
    ]);
  };
  await write('ncp', { json: keys.json, xlsx: keys.xlsx, html: keys.html });
  const ncp = buildSummary(input, ctx.config, agg, analysis, 'ncp');
  for (const f of await renderLangFiles(ncp)) {
    const k = langReportFiles(prefix, f.lang);
    await Promise.all([
      putObject(ctx.s3, ctx.bucket, k.html, f.html, CONTENT_TYPES.html),
      putObject(ctx.s3, ctx.bucket, k.xlsx, f.xlsx, CONTENT_TYPES.xlsx),
    ]);
  }
  await write('analysts', { json: keys.analystsJson, xlsx: keys.analystsXlsx, html: keys.analystsHtml });
  return { keys, signalCount: analysis.signals.length, alert: analysis.alert };
}
