import { test } from 'vitest';
import assert from 'node:assert/strict';
import { aggregateLines } from '../../../../functions/core/phase/aggregate.ts';
import { addDays } from '../../../../functions/core/operation/days.ts';
import { analyse } from '../../../../functions/core/phase/analyse.ts';
import { buildSummary, type SummaryJson } from '../../../../functions/core/phase/summary.ts';
import { renderFiles } from '../../../../functions/core/phase/render.ts';
import { safeCellText } from '../../../../functions/core/phase/render-xlsx.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { CONFIG, FINAL_2, L, sorted, unzipText } from './fixtures.ts';

const EVIL = '=HYPERLINK("http://evil.example","x")';

/** Lines whose case references, remarks and locations are unmistakable, and one outlier with a formula-like case ref. */
function lines(): SeizureRecord[] {
  const out: SeizureRecord[] = [];
  const sizes = [120, 150, 200, 250, 300, 90, 110, 130, 180, 220, 240, 260, 280, 310, 330, 170, 160, 140, 210, 230];
  sizes.forEach((q, i) => {
    const m = ['FR', 'DE', 'ES'][i % 3]!;
    out.push(
      L({
        reporting_member: m,
        case_ref: `CASEREF${i}ZQ`,
        line_no: 1,
        seizure_date: addDays(i < 8 ? '2021-05-03' : '2021-06-28', i * 2),
        quantity: q,
        origin_country: i % 2 ? 'CN' : 'IN',
        destination_country: m,
        remarks: `REMARK${i}ZQ`,
        location: `LOCATION${i}ZQ`,
      }),
    );
  });
  out.push(
    L({
      reporting_member: 'ES',
      case_ref: EVIL,
      line_no: 1,
      seizure_date: '2021-08-10',
      quantity: 2_500_000,
      remarks: 'REMARKEVILZQ',
      location: 'LOCATIONEVILZQ',
      source: { file: '@SUM(1+1).xlsx', sheet: '+cmd', row: 7 },
    }),
  );
  return out;
}

async function summaries(): Promise<Record<'ncp' | 'analysts', SummaryJson>> {
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(lines()));
  const a = analyse(FINAL_2, CONFIG, agg);
  return { ncp: buildSummary(FINAL_2, CONFIG, agg, a, 'ncp'), analysts: buildSummary(FINAL_2, CONFIG, agg, a, 'analysts') };
}

/** json, html and every xml part of the xlsx, as one text per format. */
async function texts(s: SummaryJson): Promise<Record<'json' | 'html' | 'xlsx', string>> {
  const f = await renderFiles(s);
  return { json: f.json, html: f.html, xlsx: [...(await unzipText(f.xlsx)).values()].join('\n') };
}

test("the NCP version holds no Member's case reference, remark or location, in json, html or xlsx", async () => {
  const { ncp } = await summaries();
  const t = await texts(ncp);
  const secrets = lines().flatMap((r) => [r.case_ref, r.remarks!, r.location!]);
  for (const [format, text] of Object.entries(t)) {
    for (const s of [...secrets, 'HYPERLINK', 'ZQ', '@SUM']) assert.ok(!text.includes(s), `${format} contains ${s}`);
  }
  assert.ok(ncp.outliers.groups.length > 0 && ncp.outliers.seizures === undefined);
});

test("the analysts' version lists the outlier seizure with its Member, case reference and row", async () => {
  const { analysts } = await summaries();
  assert.deepEqual(
    analysts.outliers.seizures!.map((o) => [o.member, o.case_ref, o.source.row]),
    [['ES', EVIL, 7]],
  );
  const t = await texts(analysts);
  assert.ok(t.html.includes('=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)'));
  assert.ok(!t.json.includes('REMARK') && !t.html.includes('LOCATION'));
});

test('xlsx text starting with = + - @ is a string cell with a leading apostrophe, and no cell is a formula', async () => {
  const { analysts } = await summaries();
  const parts = await unzipText((await renderFiles(analysts)).xlsx);
  const xml = [...parts.entries()]
    .filter(([n]) => n.startsWith('xl/'))
    .map(([, x]) => x)
    .join('\n');
  assert.ok(!/<f[ >]/.test(xml), 'a cell has a formula');
  const unescapeXml = (x: string) =>
    x.replace(/&(quot|apos|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[e]!);
  const strings = [...xml.matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((m) => unescapeXml(m[1]!));
  assert.ok(strings.includes(`'${EVIL}`), 'the case reference is not prefixed');
  assert.ok(strings.includes("'@SUM(1+1).xlsx") && strings.includes("'+cmd"));
  assert.ok(!strings.some((s) => /^[=+\-@]/.test(s)), `unsafe: ${strings.filter((s) => /^[=+\-@]/.test(s)).join(', ')}`);
});

test('safeCellText prefixes = + - @ (and tab, CR), drops control characters, and leaves other text alone', () => {
  assert.deepEqual(['=1+1', '+1', '-2', '@A1', '\t=x', 'a=b', 'Paracetamol'].map(safeCellText), [
    "'=1+1",
    "'+1",
    "'-2",
    "'@A1",
    "'\t=x",
    'a=b',
    'Paracetamol',
  ]);
  assert.equal(safeCellText('a\u0000b\u0007c'), 'abc');
});

test('the HTML report is self-contained (no src, href, script, stylesheet or url) and carries its charts as inline SVG', async () => {
  const { ncp } = await summaries();
  const { html } = await renderFiles(ncp);
  assert.ok(!/\s(?:src|href|xlink:href)\s*=/i.test(html), 'an attribute points outside');
  assert.ok(!/<script|<link|<iframe|<img|@import|url\(/i.test(html));
  assert.ok((html.match(/<svg[\s>]/g) ?? []).length >= 2);
  assert.ok(html.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'));
  for (const caption of ['Units by category', 'Seizure lines per week']) assert.ok(html.includes(caption), caption);
  assert.ok((await renderFiles((await summaries()).analysts)).html.includes('Top routes'));
});

test('summary.json has the documented top-level keys', async () => {
  const { ncp } = await summaries();
  const json = JSON.parse((await renderFiles(ncp)).json) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), [
    'schema',
    'version',
    'operation',
    'phase',
    'mode',
    'asOf',
    'runLabel',
    'counted',
    'window',
    'figures',
    'trends',
    'alarms',
    'newItems',
    'outliers',
    'riskProfiles',
    'signals',
    'signalCount',
    'counts',
    'alert',
    'thresholds',
    // Added by issue 8 (after every shipped key, none renamed or removed).
    'headline',
    'annex',
    'exposure',
    'smallCells',
    // Added by issue 17 (disclosure control).
    'disclosure',
  ]);
});

test('a final run with rising products charts them (earlier phases against this phase)', async () => {
  const rising: SeizureRecord[] = [];
  for (let i = 0; i < 2; i++)
    rising.push(
      L({ reporting_member: 'FR', case_ref: `R${i}`, line_no: 1, seizure_date: addDays('2021-05-03', i * 7), product: 'ivermectin' }),
    );
  for (let i = 0; i < 30; i++)
    rising.push(
      L({
        reporting_member: ['FR', 'DE', 'ES'][i % 3]!,
        case_ref: `S${i}`,
        line_no: 1,
        seizure_date: addDays('2021-06-28', i),
        product: 'ivermectin',
      }),
    );
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(rising));
  const { html } = await renderFiles(buildSummary(FINAL_2, CONFIG, agg, analyse(FINAL_2, CONFIG, agg), 'ncp'));
  assert.ok(html.includes('Rising products: seizure lines in the earlier phases and this phase'));
  assert.equal((html.match(/<svg[\s>]/g) ?? []).length, 3); // units, weeks, rising (these lines have no route)
});
