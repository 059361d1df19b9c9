/**
 * The NCP summary of a STOP II-sized phase (the full demo's phase 3: 90 reporting Members of 160, 1,092 lines) as
 * each reader gets it, in en, fr and es: the page in its language with no code and no English left in French or
 * Spanish, charts sized for a phone; the workbook read back by Gnumeric (ssconvert, a reader nobody here wrote) with
 * its labels and number formats; and printed by LibreOffice to PDF in at most 8 pages (it printed 26 before issue 17; 7 after).
 * The Gnumeric and LibreOffice tests say they are skipped where ssconvert or soffice is not installed (.ci/run
 * installs both).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import { demoRecords, generateDemo } from '../../../../bin/demo/index.ts';
import { loadOperationConfig, type Lang } from '../../../../functions/core/operation/config.ts';
import { aggregateLines } from '../../../../functions/core/phase/aggregate.ts';
import { analyse } from '../../../../functions/core/phase/analyse.ts';
import { CHART_WIDTH, FONT_SIZE } from '../../../../functions/core/phase/charts.ts';
import { dateText } from '../../../../functions/core/phase/labels.ts';
import { W } from '../../../../functions/core/phase/report-words.ts';
import { renderFiles, renderLangFiles } from '../../../../functions/core/phase/render.ts';
import { buildSummary, type SummaryJson } from '../../../../functions/core/phase/summary.ts';
import { sorted, unzipText } from './fixtures.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const has = (cmd: string) => spawnSync(cmd, ['--version']).error === undefined;
const SOFFICE = has('soffice');
const SSCONVERT = has('ssconvert');

let ncp: SummaryJson;
let analysts: SummaryJson;
let files: { lang: Lang; html: string; xlsx: Buffer }[];
let dir: string;

beforeAll(async () => {
  const config = loadOperationConfig();
  const input = { operation: config.id, phase: 3, mode: 'final' as const, asOf: config.phases[2]!.end };
  const agg = await aggregateLines(input, config, sorted(demoRecords(generateDemo(config))));
  const a = analyse(input, config, agg);
  ncp = buildSummary(input, config, agg, a, 'ncp');
  analysts = buildSummary(input, config, agg, a, 'analysts');
  files = await renderLangFiles(ncp);
  dir = await mkdtemp(join(tmpdir(), 'render-lang-'));
  for (const f of files) await writeFile(join(dir, `summary.${f.lang}.xlsx`), f.xlsx);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a reader sees of a page: its text, without the style sheet and the markup. */
const visibleText = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ');

/** A code as the data holds it: lower case words joined by underscores (medical_device, vehicle_cavity). */
const CODE = /\b[a-z]+(?:_[a-z0-9]+)+\b/g;

/** English a French or Spanish reader must not meet: every English phrase of the reports' words, and the issue's. */
function englishPhrases(): string[] {
  const out = new Set(['New route', 'Units by category', 'Face mask', 'Spain', 'seizure lines', 'Other (', 'Rising', 'first seen']);
  const walk = (en: unknown, fr: unknown, es: unknown) => {
    if (typeof en === 'string') {
      // Phrases only (two words or more), and only those the other languages say differently.
      if (en.includes(' ') && en.length >= 8 && en !== fr && en !== es) out.add(en);
    } else if (typeof en === 'function') {
      // A phrase maker: its English output, cut at figures and punctuation, where French and Spanish differ.
      const call = (x: unknown) => {
        try {
          return String((x as (...a: unknown[]) => unknown)(3, 'phase 1', 'final', '2022-01-31'));
        } catch {
          return '';
        }
      };
      const [e, f, s] = [en, fr, es].map(call);
      for (const part of e!.split(/[(),:;0-9]+/).map((x) => x.trim()))
        if (part.includes(' ') && part.length >= 10 && !f!.includes(part) && !s!.includes(part)) out.add(part);
    } else if (en && typeof en === 'object') {
      for (const k of Object.keys(en))
        walk((en as Record<string, unknown>)[k], (fr as Record<string, unknown>)?.[k], (es as Record<string, unknown>)?.[k]);
    }
  };
  walk(W.en, W.fr, W.es);
  return [...out];
}

describe('the NCP summary page of a STOP II-sized phase, in en, fr and es', () => {
  test('each page says its language, and dates are in the reader’s locale', () => {
    for (const f of files) {
      assert.ok(f.html.includes(`<html lang="${f.lang}">`), f.lang);
      assert.ok(f.html.includes(dateText(ncp.phase.start, f.lang)), `${f.lang}: ${dateText(ncp.phase.start, f.lang)}`);
    }
    assert.equal(dateText('2022-01-31', 'fr'), '31\u00a0janv.\u00a02022');
    assert.equal(dateText('2022-01-31', 'en'), '31\u00a0Jan\u00a02022');
  });

  test('no code (snake_case) in any NCP page, and no English phrase in the French and Spanish ones', () => {
    const phrases = englishPhrases();
    assert.ok(phrases.length > 50, `${phrases.length} phrases`);
    for (const f of files) {
      const text = visibleText(f.html);
      assert.deepEqual([...new Set(text.match(CODE) ?? [])], [], `${f.lang}: codes`);
      assert.ok(!/\["|"\]|[{}]/.test(text), `${f.lang}: JSON`);
      if (f.lang === 'en') continue;
      const found = phrases.filter((p) => text.includes(p));
      assert.deepEqual(found, [], `${f.lang}: English`);
    }
  });

  test('charts: text of at least 12 px once scaled to a 412 px phone, and none drawn of "Other" rows', () => {
    // The report's column on a 412 px phone: 412 - 2 x 14 px of padding.
    const scale = (412 - 28) / CHART_WIDTH;
    assert.ok(FONT_SIZE * Math.min(1, scale) >= 12, `${FONT_SIZE} px x ${scale}`);
    for (const f of files) {
      const svgs = f.html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      assert.ok(svgs.length >= 3, `${f.lang}: ${svgs.length} charts`);
      for (const svg of svgs) {
        const width = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]);
        assert.ok(width <= CHART_WIDTH + 1, `${f.lang}: a chart ${width} px wide`);
        for (const m of svg.matchAll(/font-size(?:="|:\s*)([\d.]+)/g)) assert.ok(Number(m[1]) >= FONT_SIZE - 0.5, `${f.lang}: ${m[0]}`);
        assert.ok(!svg.includes(W[f.lang].other(3)), `${f.lang}: a bar of the merged rows`);
      }
    }
  });

  test("the analysts' page keeps the statistics, labelled; the NCPs' has none", async () => {
    const a = (await renderFiles(analysts)).html;
    assert.match(a, /Benjamini-Hochberg/);
    for (const f of files) assert.doesNotMatch(f.html, /Benjamini|p-value|z-score|log10|log2|Evidence/);
  });
});

/** One sheet of a workbook as Gnumeric shows it: cells as formatted text, `;`-separated. */
function sheetText(file: string, sheet: string): string[][] {
  const out = join(dir, `${sheet}.txt`);
  const r = spawnSync(
    'ssconvert',
    ['-T', 'Gnumeric_stf:stf_assistant', '-O', `format=preserve separator=; quoting-mode=never sheet="${sheet}"`, file, out],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return spawnSync('cat', [out], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.split(';'));
}

describe('the NCP workbook of a STOP II-sized phase', () => {
  test.skipIf(!SSCONVERT)(
    'Gnumeric reads every sheet: labels in the language, no code or JSON, no p or evidence, counts grouped, intervals as 2.7–10 (skipped when ssconvert is not installed)',
    async () => {
      for (const f of files) {
        const w = W[f.lang];
        const file = join(dir, `summary.${f.lang}.xlsx`);
        // The weeks are beside the figures on the Overview (the analysts' version has a Weeks sheet).
        const sheets = [w.sheets.overview, w.sheets.signals, w.sheets.breakdowns, w.sheets.trends, w.sheets.risk];
        const all: string[] = [];
        for (const name of sheets) {
          const rows = sheetText(file, name);
          assert.ok(rows.length > 1, `${f.lang} ${name}: empty`);
          all.push(...rows.flat());
          // The header row is words of the language.
          if (name === w.sheets.breakdowns) assert.deepEqual(rows[0]!.slice(0, 2), [w.head.breakdown, w.head.label]);
        }
        const text = all.join('\n');
        assert.deepEqual([...new Set(text.match(CODE) ?? [])], [], `${f.lang}: codes`);
        assert.ok(!/\["|"\]|[{}]/.test(text), `${f.lang}: JSON`);
        assert.ok(!/Evidence|Preuve|Evidencia|^q$|^p$|E-\d\d/m.test(text), `${f.lang}: statistics`);
        // Counts with digit grouping (#,##0): the phase's units, as Gnumeric formats them.
        const units = sheetText(file, w.sheets.overview).find((r) => r[0]!.startsWith(`${w.head.units} (`) || r[0]!.startsWith('Units ('));
        assert.equal(units?.[1], ncp.figures.phase.units.total.toLocaleString('en-US'), `${f.lang}: units ${units}`);
        assert.match(units![1]!, /^\d{1,3}(,\d{3})+$/);
        // Trends: ratios to 2 significant digits, intervals "low–high".
        const trends = sheetText(file, w.sheets.trends).slice(1);
        for (const r of trends.filter((x) => x[0] === w.rising || x[0] === w.falling)) {
          assert.match(r[7]!, /^(∞|\d+|\d[.,]\d|0[.,]0*\d\d?)$/, `${f.lang}: ratio ${r[7]}`);
          assert.match(r[8]!, /^[\d.,]+–([\d.,]+|∞)$/, `${f.lang}: interval ${r[8]}`);
        }
      }
      // Weeks are date cells in the reader's locale (Excel and LibreOffice honour the locale code).
      const styles = (await unzipText(files.find((f) => f.lang === 'fr')!.xlsx)).get('xl/styles.xml')!;
      assert.match(styles, /\[\$-40C\]d mmm yyyy/);
      assert.match(styles, /#,##0/);
    },
  );

  test.skipIf(!SOFFICE)(
    'prints in at most 8 pages per language, A4 landscape, one page wide (LibreOffice to PDF; skipped when soffice is not installed)',
    async () => {
      const profile = await mkdtemp(join(tmpdir(), 'soffice-'));
      try {
        for (const f of files) {
          const file = join(dir, `summary.${f.lang}.xlsx`);
          const r = spawnSync(
            'soffice',
            [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file],
            { encoding: 'utf8', timeout: 90_000 },
          );
          assert.equal(r.status, 0, r.stderr);
          const path = join(dir, `summary.${f.lang}.pdf`);
          const pdf = await readFile(path, 'latin1');
          // pdfinfo (poppler-utils) counts the pages; without it, the PDF's page objects.
          const info = spawnSync('pdfinfo', [path], { encoding: 'utf8' });
          const pages = info.error ? [...pdf.matchAll(/\/Type\s*\/Page[^s]/g)].length : Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]);
          assert.ok(pages >= 5 && pages <= 8, `${f.lang}: ${pages} pages`);
          // Landscape: every page wider than tall (A4: 842 x 595 points).
          for (const m of pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)) assert.ok(Number(m[1]) > Number(m[2]), m[0]);
        }
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  );
});
