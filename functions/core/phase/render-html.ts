/**
 * summary.html (and summary.{lang}.html): one self-contained page (inline CSS, inline SVG charts, no script, no
 * external src or href), in the reader's language (`<html lang>`), laid out for a phone first: tables turn into
 * stacked rows below 640 px (each value with its column's name), wider screens scroll a table that does not fit with
 * a visible shadow, and the page itself never scrolls sideways. Every text from the data is escaped. The charts
 * (charts.ts): units by category, seizure lines per week, top routes and origins (named rows only: the merged small
 * cells are said in the caption, never drawn), rising products (final: earlier against closed phase; interim: this
 * week's product alarms). The NCP version is in plain words; the analysts' keeps the statistics, labelled.
 */
import type { Lang } from '../operation/config.ts';
import { barChart, renderChart, weeklySpec } from './charts.ts';
import { dateRange, dateText, dimensionName, intervalText, newLabel, ratioOrInfinite, rowLabel, signalIn } from './labels.ts';
import { W } from './report-words.ts';
import { basePhases } from './sentences.ts';
import type { BreakdownRow, Figures, SignalEntry, SummaryJson } from './summary.ts';
import { count, counted, esc, keyLabel, num, type LabelDimension } from './text.ts';

const cap = (x: string) => x.charAt(0).toUpperCase() + x.slice(1);

const CSS = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#5b6470;--line:#d9dee4;--accent:#1f5f99;--warn:#c0392b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff;overflow-wrap:break-word}
main{max-width:960px;margin:0 auto;padding:12px 14px 40px}
h1{font-size:1.35rem;margin:.4em 0 .2em}h2{font-size:1.15rem;margin:1.6em 0 .5em;border-bottom:2px solid var(--accent);padding-bottom:.2em}
h3{font-size:1rem;margin:1.2em 0 .4em}
.note{color:var(--muted);font-size:.92rem}.badge{display:inline-block;padding:.1em .5em;border-radius:.6em;background:#eef3f8;color:var(--accent);font-size:.9rem}
.conf{background:#fdecea;color:var(--warn)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 10px}.card b{display:block;font-size:1.25rem}
.card span{color:var(--muted);font-size:.9rem}
.scroll{max-width:100%;overflow-x:auto;background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)),linear-gradient(to right,rgba(255,255,255,0),#fff 70%) 100% 0,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.22),rgba(0,0,0,0)),radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) 100% 0;background-repeat:no-repeat;background-size:40px 100%,40px 100%,14px 100%,14px 100%;background-attachment:local,local,scroll,scroll}
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f5f7f9;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
ol.signals,ul.signals{padding-left:1.3em}ol.signals li,ul.signals li{margin:.4em 0}
details{border:1px solid var(--line);border-radius:8px;padding:6px 10px;margin:8px 0}summary{cursor:pointer;font-weight:600}
figure{margin:14px 0}figure svg{width:100%;max-width:520px;height:auto;display:block}figcaption{color:var(--muted);font-size:.92rem}
@media (max-width:640px){
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack,table.stack tbody,table.stack tr{display:block;width:100%}
table.stack tr{border-bottom:1px solid var(--line);padding:6px 0}
table.stack td{display:inline-block;border:0;padding:1px 14px 1px 0;text-align:left}
table.stack td:first-child{display:block;font-weight:600}table.stack td:empty{display:none}
table.stack td[data-label]::before{content:attr(data-label) "\\00a0 ";color:var(--muted);font-size:.88em;font-weight:400}
}
@media print{body{font-size:11pt}table{font-size:9.5pt}main{max-width:none;padding:0}details{border:0}details>*{display:block}figure{break-inside:avoid}tr{break-inside:avoid}.scroll{overflow:visible;background:none}}
`;

type Cell = string | number;

/** Table that fits a phone: stacked rows below 640 px, a visible sideways scroll above when it is wider. */
function table(head: readonly string[], rows: readonly (readonly Cell[])[], numeric: readonly boolean[], lang: Lang): string {
  if (rows.length === 0) return `<p class="note">${esc(W[lang].none)}</p>`;
  const th = head.map((h, i) => `<th scope="col"${numeric[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            const label = i > 0 && head[i] ? ` data-label="${esc(head[i]!)}"` : '';
            return `<td${numeric[i] ? ' class="n"' : ''}${label}>${esc(typeof c === 'number' ? num(c, lang, 2) : c)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<div class="scroll"><table class="stack"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A breakdown's table: kg and litres only when some row has them. */
function breakdown(
  s: SummaryJson,
  lang: Lang,
  dimension: LabelDimension,
  rows: readonly BreakdownRow[],
  first: string,
  limit = 50,
  extra?: { head: string; get: (r: BreakdownRow) => string },
): string {
  const w = W[lang].head;
  const min = s.thresholds.minCellMembers;
  const shown = rows.slice(0, limit);
  const kg = rows.some((r) => r.kg > 0);
  const litres = rows.some((r) => r.litres > 0);
  const cols: { head: string; numeric: boolean; get: (r: BreakdownRow) => Cell }[] = [
    { head: first, numeric: false, get: (r) => rowLabel(dimension, r, lang, min) },
    ...(extra ? [{ head: extra.head, numeric: false, get: extra.get }] : []),
    { head: w.lines, numeric: true, get: (r) => r.lines },
    { head: w.units, numeric: true, get: (r) => r.units },
    ...(kg ? [{ head: w.kg, numeric: true, get: (r: BreakdownRow) => (r.kg ? r.kg : '') }] : []),
    ...(litres ? [{ head: w.litres, numeric: true, get: (r: BreakdownRow) => (r.litres ? r.litres : '') }] : []),
    { head: w.members, numeric: true, get: (r) => r.members },
  ];
  const more = rows.length > limit ? `<p class="note">${esc(W[lang].moreInWorkbook(rows.length - limit))}</p>` : '';
  return (
    table(
      cols.map((c) => c.head),
      shown.map((r) => cols.map((c) => c.get(r))),
      cols.map((c) => c.numeric),
      lang,
    ) + more
  );
}

function cards(f: Figures, lang: Lang): string {
  const w = W[lang].cards;
  const card = (v: string, label: string) => `<div class="card"><b>${esc(v)}</b><span>${esc(label)}</span></div>`;
  return `<div class="cards">${[
    card(num(f.lines, lang), w.lines),
    card(num(f.cases, lang), w.cases),
    card(num(f.units.total, lang), w.units),
    ...(f.kg > 0 ? [card(num(f.kg, lang, 1), w.kg)] : []),
    ...(f.litres > 0 ? [card(num(f.litres, lang, 1), w.litres)] : []),
    card(`${num(f.reportingMembers, lang)} / ${num(f.participatingMembers, lang)}`, w.members),
    ...f.value.map((v) => card(`${num(v.amount, lang)} ${v.currency}`, w.value(v.lines))),
  ].join('')}</div>`;
}

/** A chart of the named rows of a breakdown (the merged small cells are said in the caption, not drawn). */
function namedBars(
  s: SummaryJson,
  lang: Lang,
  dimension: LabelDimension,
  rows: readonly BreakdownRow[],
  value: 'lines' | 'units',
  top: number,
) {
  const min = s.thresholds.minCellMembers;
  const named = rows.filter((r) => r.key !== 'other').slice(0, top);
  const other = rows.filter((r) => r.key === 'other').reduce((t, r) => t + r[value], 0);
  return {
    named,
    bars: { rows: named.map((r) => ({ label: rowLabel(dimension, r, lang, min), values: [r[value]] })), series: [''] },
    note:
      other > 0
        ? W[lang].chart.otherNotShown(value === 'lines' ? count(other, 'seizureLine', lang) : count(other, 'unit', lang), other)
        : '',
  };
}

async function charts(s: SummaryJson, lang: Lang): Promise<string> {
  const w = W[lang];
  const f = s.figures.phase;
  const out: string[] = [];
  const fig = (title: string, svg: string, note = '') =>
    out.push(`<figure>${svg}<figcaption>${esc(title)}${note ? `<br>${esc(note)}` : ''}</figcaption></figure>`);

  const cat = namedBars(s, lang, 'category', f.byCategory, 'units', 10);
  if (cat.named.length)
    fig(w.chart.unitsByCategory(s.phase.phase), barChart(cat.bars, w.chart.unitsByCategory(s.phase.phase), lang), cat.note);
  const weekly = s.figures.cumulative.weekly.map((x) => ({ week: x.week, lines: x.lines }));
  fig(w.chart.perWeek, await renderChart(weeklySpec(weekly, { x: w.head.week, y: w.head.lines }), w.chart.perWeek, lang));
  for (const [dim, rows, title] of [
    ['route', f.byRoute, w.chart.topRoutes(s.phase.phase)],
    ['origin', f.byOrigin, w.chart.topOrigins(s.phase.phase)],
  ] as const) {
    const b = namedBars(s, lang, dim, rows, 'lines', 10);
    // A chart of one bar says nothing a table does not.
    if (b.named.length >= 2) fig(title, barChart(b.bars, title, lang), b.note);
  }

  const rising = s.trends.rising.filter((t) => t.dimension === 'product').slice(0, 8);
  if (rising.length) {
    const base = cap(basePhases(rising[0]!.earlier, lang));
    const bars = {
      rows: rising.map((t) => ({ label: keyLabel('product', t.key, lang), values: [t.earlier.lines, t.later.lines] })),
      series: [base, w.phase(s.phase.phase)],
    };
    fig(w.chart.rising, barChart(bars, w.chart.rising, lang));
  } else {
    const alarms = s.alarms.filter((a) => a.dimension === 'product').slice(0, 8);
    if (alarms.length) {
      const exact = alarms[0]!.expected !== undefined;
      const bars = {
        rows: alarms.map((a) => ({
          label: `${keyLabel('product', a.key, lang)} (${w.chart.weekOf(dateText(a.week, lang))})`,
          values: [Math.round((a.expected ?? a.upperBound) * 10) / 10, a.count],
        })),
        series: [exact ? w.chart.expected : w.chart.expectedAtMost, w.head.lines],
      };
      fig(w.chart.alarms, barChart(bars, w.chart.alarms, lang));
    } else {
      out.push(`<p class="note">${esc(w.chart.noRising)}</p>`);
    }
  }
  return out.join('\n');
}

/** The HTML report of a summary (either version) in a language (the analysts' is English). */
export async function renderHtml(s: SummaryJson, lang: Lang = 'en'): Promise<string> {
  const w = W[lang];
  const analysts = s.version === 'analysts';
  const f = s.figures.phase;
  const c = s.figures.cumulative;
  const title = w.title(s.operation.name, s.phase.phase, s.mode, dateText(s.asOf, lang));
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}</h1>`);
  parts.push(
    `<p class="note">${esc(w.dates(s.phase.phase, dateRange(s.phase.start, s.phase.end, lang), dateRange(s.counted.from, s.counted.to, lang)))} ` +
      (analysts ? `<span class="badge conf">${esc(w.analystsBadge)}</span>` : `<span class="badge">${esc(w.ncpBadge)}</span>`) +
      '</p>',
  );

  parts.push(`<h2>${esc(w.signals(s.signalCount))}</h2>`);
  parts.push(signalsHtml(s, lang));

  parts.push(`<h2>${esc(w.phase(s.phase.phase))}</h2>${cards(f, lang)}`);
  parts.push(`<h2>${esc(w.sinceStart)}</h2>${cards(c, lang)}`);
  parts.push(`<h2>${esc(w.charts)}</h2>${await charts(s, lang)}`);

  const sec = w.sections;
  const h = w.head;
  parts.push(`<h2>${esc(sec.categories)}</h2><h3>${esc(sec.byCategory)}</h3>${breakdown(s, lang, 'category', f.byCategory, h.category)}`);
  parts.push(
    `<h3>${esc(sec.byProduct)}</h3>` +
      breakdown(s, lang, 'product', f.byProduct, h.product, 50, {
        head: h.category,
        get: (r) => (r.category && r.category !== 'unknown' ? keyLabel('category', r.category, lang) : ''),
      }),
  );
  const min = s.thresholds.minCellMembers;
  parts.push(
    `<h2>${esc(sec.reporting)}</h2>` +
      table(
        [f.byMember.some((r) => r.level === 'region') ? h.region : h.member, h.lines, h.cases, h.units],
        f.byMember.map((r) => [rowLabel('member', r, lang, min), r.lines, r.cases ?? 0, r.units]),
        [false, true, true, true],
        lang,
      ),
  );
  parts.push(`<h2>${esc(sec.routes)}</h2><h3>${esc(sec.routesHead)}</h3>${breakdown(s, lang, 'route', f.byRoute, h.route, 30)}`);
  parts.push(`<h3>${esc(sec.origins)}</h3>${breakdown(s, lang, 'origin', f.byOrigin, h.origin, 30)}`);
  parts.push(
    `<h2>${esc(sec.how)}</h2><h3>${esc(sec.transport)}</h3>${breakdown(s, lang, 'transport_mode', f.byTransportMode, h.transport)}`,
  );
  parts.push(`<h3>${esc(sec.concealment)}</h3>${breakdown(s, lang, 'concealment', f.byConcealment, h.concealment)}`);
  parts.push(`<h3>${esc(sec.detection)}</h3>${breakdown(s, lang, 'detection', f.byDetection, h.detection)}`);
  parts.push(`<h3>${esc(sec.infringement)}</h3>${breakdown(s, lang, 'infringement', f.byInfringement, h.infringement)}`);

  parts.push(`<h2>${esc(sec.trends)}</h2>`);
  if (s.trends.comparedWith !== null) {
    const base = basePhases({ phase: s.trends.comparedWith, phases: s.trends.comparedWithPhases }, lang);
    const trendRows = [...s.trends.rising, ...s.trends.falling].map((t) => [
      t.kind === 'rising' ? w.rising : w.falling,
      dimensionName(t.dimension, lang),
      keyLabel(t.dimension, t.key, lang),
      t.earlier.lines,
      t.later.lines,
      ratioOrInfinite(t.rateRatio, lang),
      t.ci ? intervalText(t.ci.low, t.ci.high, lang) : '',
      ...(analysts ? [t.q < 0.0001 ? '< 0.0001' : num(t.q, 'en', 4)] : []),
    ]);
    const stats = analysts
      ? ` ${counted(s.trends.tested, 'en', 'key', 'keys')} tested (exact conditional test of equal rates per Member-week, Benjamini-Hochberg q &lt; ${s.thresholds.trendQ}, ratio ≥ ${s.thresholds.trendRatio} or ≤ 1/${s.thresholds.trendRatio}, at least ${count(s.thresholds.trendMinCount, 'line', 'en')}).`
      : '';
    parts.push(
      `<p class="note">${esc(w.trendsNote(s.phase.phase, base))}${stats}</p>` +
        table(
          [h.trend, h.what, h.label, cap(base), w.phase(s.phase.phase), h.ratio, h.interval, ...(analysts ? ['q'] : [])],
          trendRows,
          [false, false, false, true, true, true, false, true],
          lang,
        ),
    );
  } else if (s.mode === 'final') {
    parts.push(`<p class="note">${esc(w.noEarlier)}</p>`);
  }
  const exact = s.thresholds.alarmMethod !== 'ears';
  const alarmStats = analysts
    ? ` (${exact ? `exact conditional Poisson test against ${counted(s.thresholds.alarmBaselineWeeks ?? 12, 'en', 'baseline week', 'baseline weeks')}, q &lt; ${s.thresholds.alarmQ ?? 0.001}, at least ${count(s.thresholds.alarmMinCount ?? 3, 'line', 'en')}` : `EARS C1/C2, α = ${s.thresholds.earsAlpha}`})`
    : '';
  parts.push(
    `<h3>${esc(sec.alarms)}</h3><p class="note">${esc(w.alarmsNote(s.thresholds.alarmBaselineWeeks ?? 12))}${alarmStats}</p>` +
      table(
        [h.what, h.label, h.week, h.lines, exact ? w.chart.expected : w.chart.expectedAtMost],
        s.alarms.map((a) => [
          dimensionName(a.dimension, lang),
          keyLabel(a.dimension, a.key, lang),
          (a.weeks ?? [a.week]).map((x) => dateText(x, lang)).join(', '),
          a.count,
          Math.round((a.expected ?? a.upperBound) * 10) / 10,
        ]),
        [false, false, false, true, true],
        lang,
      ),
  );
  const newRows = (xs: readonly SummaryJson['newItems'][number][]) =>
    xs.map((n) => [w.novelty[n.novelty], newLabel(n, lang), dateText(n.week, lang), n.lines ?? '', n.members]);
  parts.push(
    `<h3>${esc(sec.newItems)}</h3>` +
      table([h.kind, h.label, h.firstSeen, h.lines, h.members], newRows(s.newItems), [false, false, false, true, true], lang),
  );
  if (s.annex?.length) {
    parts.push(
      `<details><summary>${esc(w.annex(s.annex.length))}</summary><p class="note">${esc(w.annexNote)}</p>` +
        table(
          [h.kind, h.label, h.firstSeen, h.lines, h.members],
          newRows(s.annex.map((e) => e.signal as SummaryJson['newItems'][number])),
          [false, false, false, true, true],
          lang,
        ) +
        '</details>',
    );
  }

  const riskStats = analysts
    ? ` Ranked by the lower bound of the 95% interval of their growth since the previous phase (phase 1: by log2(1 + lines) × √Members).`
    : '';
  parts.push(
    `<h2>${esc(sec.risk)}</h2><p class="note">${esc(w.riskNote(s.version === 'ncp' ? s.thresholds.minCellMembers : (s.thresholds.riskMinMembers ?? 2)))}${riskStats}</p>` +
      table(
        [h.rank, h.profile, h.lines, h.members, h.previous, h.growth, h.interval],
        s.riskProfiles.map((r) => [
          r.rank,
          keyLabel('profile', r.key, lang),
          r.lines,
          r.members,
          r.previousLines ?? '',
          r.rateRatio === undefined ? '' : ratioOrInfinite(r.rateRatio, lang),
          intervalText(r.ratioLow, r.ratioHigh, lang),
        ]),
        [true, false, true, true, true, true, false],
        lang,
      ),
  );
  parts.push(
    `<h3>${esc(sec.outliers)}</h3><p class="note">${esc(w.outliersNote)}${analysts ? ` Robust z-score on log10 size within a product and unit &gt; ${s.thresholds.outlierScore}.` : ''}</p>` +
      table(
        [h.product, h.unit, h.seizures],
        s.outliers.groups.map((g) => [keyLabel('product', g.product, lang), keyLabel('unit', g.unit, lang), g.count]),
        [false, false, true],
        lang,
      ),
  );
  if (analysts && s.outliers.seizures) {
    parts.push(
      '<h3>Outlier seizures (analysts only)</h3>' +
        table(
          ['Member', 'Case reference', 'Line', 'File', 'Row', 'Date', 'Product', 'Quantity', 'Unit', 'Score'],
          s.outliers.seizures.map((o) => [
            keyLabel('member', o.member, lang),
            o.case_ref,
            o.line_no,
            o.source.file,
            o.source.row,
            dateText(o.seizure_date, lang),
            keyLabel('product', o.product, lang),
            o.quantity,
            keyLabel('unit', o.unit, lang),
            o.score,
          ]),
          [false, false, true, false, true, false, false, true, false, true],
          lang,
        ),
    );
  }
  parts.push(`<p class="note">${esc(w.footer(w.run(s.runLabel), dateText(s.asOf, lang)))}</p>`);

  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body><main>
${parts.join('\n')}
</main></body>
</html>
`;
}

const KINDS = ['rising', 'alarm', 'new', 'falling', 'outlier'] as const;

/** The headline (strongest few) as an ordered list, then the rest grouped by kind, each group collapsible. */
function signalsHtml(s: SummaryJson, lang: Lang): string {
  const w = W[lang];
  if (s.signals.length === 0) return `<p class="note">${esc(w.noSignal)}</p>`;
  const head = s.headline ?? s.signals.slice(0, 10);
  const rest = s.signals.slice(head.length);
  const li = (x: SignalEntry) => `<li>${esc(signalIn(s, x, lang))}</li>`;
  const out = [`<ol class="signals">${head.map(li).join('')}</ol>`];
  if (rest.length) {
    out.push(`<p class="note">${esc(w.more(rest.length))}</p>`);
    for (const kind of KINDS) {
      const xs = rest.filter((x) => x.signal.kind === kind);
      if (xs.length)
        out.push(
          `<details><summary>${esc(w.kinds[kind])} (${num(xs.length, lang)})</summary><ul class="signals">${xs.map(li).join('')}</ul></details>`,
        );
    }
  }
  return out.join('\n');
}
