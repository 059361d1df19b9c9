/**
 * summary.html: one self-contained page (inline CSS, inline SVG charts, no script, no external src or href), laid out
 * for a phone first. Every text from the data is escaped. The charts (charts.ts): units by category, seizure lines per
 * week, top routes, rising products (final: previous against closed phase; interim: this week's product alarms).
 */
import { barSpec, pairedSpec, renderChart, weeklySpec } from './charts.ts';
import type { BreakdownRow, Figures, SummaryJson } from './summary.ts';
import { count, counted, esc, keyLabel, num } from './text.ts';
import { basePhases } from './sentences.ts';

const cap = (x: string) => x.charAt(0).toUpperCase() + x.slice(1);

const CSS = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#5b6470;--line:#d9dee4;--accent:#1f5f99;--warn:#c0392b}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:960px;margin:0 auto;padding:12px 14px 40px}
h1{font-size:1.35rem;margin:.4em 0 .2em}h2{font-size:1.1rem;margin:1.6em 0 .5em;border-bottom:2px solid var(--accent);padding-bottom:.2em}
h3{font-size:1rem;margin:1.2em 0 .4em}
.note{color:var(--muted);font-size:.9rem}.badge{display:inline-block;padding:.1em .5em;border-radius:.6em;background:#eef3f8;color:var(--accent);font-size:.85rem}
.conf{background:#fdecea;color:var(--warn)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 10px}.card b{display:block;font-size:1.25rem}
.card span{color:var(--muted);font-size:.85rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f5f7f9;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
ol.signals,ul.signals{padding-left:1.3em}ol.signals li,ul.signals li{margin:.3em 0}
details{border:1px solid var(--line);border-radius:8px;padding:6px 10px;margin:8px 0}summary{cursor:pointer;font-weight:600}
figure{margin:10px 0}figure svg{max-width:100%;height:auto;display:block}figcaption{color:var(--muted);font-size:.85rem}
`;

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], numeric: readonly boolean[]): string {
  if (rows.length === 0) return '<p class="note">None.</p>';
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${esc(typeof c === 'number' ? num(c, 'en', 2) : c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function breakdown(
  rows: readonly BreakdownRow[],
  first: string,
  limit = 50,
  extra?: { head: string; get: (r: BreakdownRow) => string | number; numeric: boolean },
): string {
  const shown = rows.slice(0, limit);
  const head = [first, ...(extra ? [extra.head] : []), 'Seizure lines', 'Units', 'kg', 'Litres', 'Members'];
  const numeric = [false, ...(extra ? [extra.numeric] : []), true, true, true, true, true];
  const body = shown.map((r) => [r.label, ...(extra ? [extra.get(r)] : []), r.lines, r.units, r.kg, r.litres, r.members]);
  const more = rows.length > limit ? `<p class="note">${num(rows.length - limit)} more in summary.xlsx.</p>` : '';
  return table(head, body, numeric) + more;
}

function cards(f: Figures): string {
  const card = (v: string, label: string) => `<div class="card"><b>${esc(v)}</b><span>${esc(label)}</span></div>`;
  return `<div class="cards">${[
    card(num(f.lines), 'seizure lines'),
    card(num(f.cases), 'cases'),
    card(num(f.units.total), 'units (pieces, doses, packs)'),
    card(num(f.kg, 'en', 2), 'kg'),
    card(num(f.litres, 'en', 2), 'litres'),
    card(`${num(f.reportingMembers)} / ${num(f.participatingMembers)}`, 'Members reporting / taking part'),
    ...f.value.map((v) => card(`${num(v.amount)} ${v.currency}`, `estimated value (${count(v.lines, 'line', 'en')})`)),
  ].join('')}</div>`;
}

async function charts(s: SummaryJson): Promise<string> {
  const f = s.figures.phase;
  const out: string[] = [];
  const fig = async (title: string, spec: Parameters<typeof renderChart>[0]) =>
    out.push(`<figure>${await renderChart(spec, title)}<figcaption>${esc(title)}</figcaption></figure>`);

  if (f.byCategory.length)
    await fig(
      `Units by category, phase ${s.phase.phase}`,
      barSpec(
        f.byCategory.map((r) => ({ label: r.label, value: r.units })),
        'Units',
      ),
    );
  await fig('Seizure lines per week, since the start of the operation', weeklySpec(s.figures.cumulative.weekly));
  const routes = f.byRoute.slice(0, 10);
  if (routes.length)
    await fig(
      `Top routes by seizure lines, phase ${s.phase.phase}`,
      barSpec(
        routes.map((r) => ({ label: r.label, value: r.lines })),
        'Seizure lines',
      ),
    );

  const rising = s.trends.rising.filter((t) => t.dimension === 'product').slice(0, 10);
  if (rising.length) {
    const rows = rising.flatMap((t) => [
      { label: keyLabel('product', t.key), period: cap(basePhases(t.earlier, 'en')), value: t.earlier.lines },
      { label: keyLabel('product', t.key), period: `Phase ${t.later.phase}`, value: t.later.lines },
    ]);
    await fig('Rising products: seizure lines in the earlier phases and this phase', pairedSpec(rows, 'Seizure lines'));
  } else {
    const alarms = s.alarms.filter((a) => a.dimension === 'product').slice(0, 10);
    if (alarms.length) {
      const rows = alarms.flatMap((a) => [
        {
          label: keyLabel('product', a.key),
          period: a.expected !== undefined ? 'Expected' : 'Expected at most',
          value: Math.round((a.expected ?? a.upperBound) * 10) / 10,
        },
        { label: keyLabel('product', a.key), period: `Week of ${a.week}`, value: a.count },
      ]);
      await fig('Weekly alarms on products: the week against what was expected', pairedSpec(rows, 'Seizure lines'));
    } else {
      out.push('<p class="note">Rising products: none flagged in this run.</p>');
    }
  }
  return out.join('\n');
}

/** The HTML report of a summary (either version). */
export async function renderHtml(s: SummaryJson): Promise<string> {
  const f = s.figures.phase;
  const c = s.figures.cumulative;
  const title = `${s.operation.name} — phase ${s.phase.phase} ${s.mode === 'final' ? 'summary' : `interim update to ${s.asOf}`}`;
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}</h1>`);
  parts.push(
    `<p class="note">Phase ${s.phase.phase}: ${esc(s.phase.start)} to ${esc(s.phase.end)}; seizures counted ${esc(s.counted.from)} to ${esc(s.counted.to)}. ` +
      (s.version === 'analysts'
        ? '<span class="badge conf">Analysts\u2019 version: contains Members\u2019 case references. Do not forward.</span>'
        : '<span class="badge">For every National Contact Point: aggregated figures only.</span>') +
      '</p>',
  );

  parts.push(`<h2>Signals (${num(s.signalCount)})</h2>`);
  parts.push(signalsHtml(s));

  parts.push(`<h2>Phase ${s.phase.phase}</h2>${cards(f)}`);
  parts.push(`<h2>Since the start of the operation</h2>${cards(c)}`);
  parts.push(`<h2>Charts</h2>${await charts(s)}`);

  parts.push('<h2>Categories and products</h2><h3>By category</h3>' + breakdown(f.byCategory, 'Category'));
  parts.push(
    '<h3>By product</h3>' +
      breakdown(f.byProduct, 'Product', 50, { head: 'Category', get: (r) => keyLabel('category', r.category ?? ''), numeric: false }),
  );
  parts.push(
    '<h2>Reporting Members</h2>' +
      table(
        ['Member', 'Seizure lines', 'Cases', 'Units', 'kg', 'Litres'],
        f.byMember.map((r) => [r.label, r.lines, r.cases ?? 0, r.units, r.kg, r.litres]),
        [false, true, true, true, true, true],
      ),
  );
  parts.push('<h2>Routes</h2><h3>Routes (origin or departure → transit → destination)</h3>' + breakdown(f.byRoute, 'Route', 30));
  parts.push('<h3>Origin countries</h3>' + breakdown(f.byOrigin, 'Origin', 30));
  parts.push('<h2>How goods travel, hide and are found</h2><h3>Transport mode</h3>' + breakdown(f.byTransportMode, 'Transport mode'));
  parts.push('<h3>Concealment method</h3>' + breakdown(f.byConcealment, 'Concealment'));
  parts.push('<h3>Detection method</h3>' + breakdown(f.byDetection, 'Detection'));
  parts.push('<h3>Infringement type</h3>' + breakdown(f.byInfringement, 'Infringement'));

  parts.push('<h2>Trends</h2>');
  if (s.trends.comparedWith !== null) {
    const base = basePhases({ phase: s.trends.comparedWith, phases: s.trends.comparedWithPhases }, 'en');
    const trendRows = [...s.trends.rising, ...s.trends.falling].map((t) => [
      t.kind,
      t.dimension.replace('_', ' '),
      keyLabel(t.dimension, t.key),
      t.earlier.lines,
      t.later.lines,
      t.rateRatio === null ? '∞' : num(t.rateRatio, 'en', 2),
      t.q < 0.0001 ? '< 0.0001' : num(t.q, 'en', 4),
    ]);
    parts.push(
      `<p class="note">Phase ${s.phase.phase} against ${base}${(s.trends.comparedWithPhases?.length ?? 1) > 1 ? ' pooled' : ''}: ${counted(s.trends.tested, 'en', 'key', 'keys')} tested (exact conditional test of equal rates per Member-week, Benjamini-Hochberg q &lt; ${s.thresholds.trendQ}, ratio ≥ ${s.thresholds.trendRatio} or ≤ 1/${s.thresholds.trendRatio}, at least ${count(s.thresholds.trendMinCount, 'line', 'en')}).</p>` +
        table(['Trend', 'Dimension', 'Key', cap(base), `Phase ${s.phase.phase}`, 'Rate ratio', 'q'], trendRows, [
          false,
          false,
          false,
          true,
          true,
          true,
          true,
        ]),
    );
  } else if (s.mode === 'final') {
    parts.push('<p class="note">No earlier phase to compare with.</p>');
  }
  const exact = s.thresholds.alarmMethod !== 'ears';
  parts.push(
    `<h3>Weekly alarms (${exact ? `exact conditional Poisson test against ${counted(s.thresholds.alarmBaselineWeeks ?? 12, 'en', 'baseline week', 'baseline weeks')}, q &lt; ${s.thresholds.alarmQ ?? 0.001}, at least ${count(s.thresholds.alarmMinCount ?? 3, 'line', 'en')}` : `EARS C1/C2, α = ${s.thresholds.earsAlpha}`}${s.mode === 'final' ? '; every week of the phase' : ''})</h3>` +
      table(
        ['Dimension', 'Key', 'Week', 'Seizure lines', exact ? 'Expected' : 'Expected at most', 'Weeks that alarmed'],
        s.alarms.map((a) => [
          a.dimension,
          keyLabel(a.dimension, a.key),
          a.week,
          a.count,
          a.expected ?? a.upperBound,
          (a.weeks ?? [a.week]).join(', '),
        ]),
        [false, false, false, true, true, false],
      ),
  );
  parts.push(
    '<h3>New items</h3>' +
      table(
        ['Kind', 'What', 'First seen (week)', 'Lines', 'Members'],
        s.newItems.map((n) => [n.novelty.replaceAll('_', ' '), newLabel(n), n.week, n.lines ?? '', n.members]),
        [false, false, false, true, true],
      ),
  );
  if (s.annex?.length) {
    parts.push(
      `<details><summary>Annex: ${counted(s.annex.length, 'en', 'weaker first sighting', 'weaker first sightings')} (no alert)</summary><p class="note">Seen for the first time, but too few lines or Members, or too likely by chance, to be a signal.</p>` +
        table(
          ['Kind', 'What', 'First seen (week)', 'Lines', 'Members'],
          s.annex
            .map((e) => e.signal as SummaryJson['newItems'][number])
            .map((n) => [n.novelty.replaceAll('_', ' '), newLabel(n), n.week, n.lines ?? '', n.members]),
          [false, false, false, true, true],
        ) +
        '</details>',
    );
  }

  parts.push(
    `<h2>Risk indicators</h2><p class="note">Profiles (origin / transport mode / concealment / product) seen by at least ${count(s.thresholds.riskMinMembers ?? 2, 'member', 'en')}, ranked by the lower bound of the 95% interval of their growth since the previous phase (phase 1: by log2(1 + lines) × √Members).</p>` +
      table(
        ['Rank', 'Profile', 'Lines', 'Members', 'Previous phase', 'Growth (95% interval)'],
        s.riskProfiles.map((r) => [
          r.rank,
          keyLabel('profile', r.key),
          r.lines,
          r.members,
          r.previousLines ?? '',
          r.ratioLow === undefined
            ? ''
            : `${num(r.rateRatio ?? 0, 'en', 1)} (${num(r.ratioLow, 'en', 1)}–${r.ratioHigh === null || r.ratioHigh === undefined ? '∞' : num(r.ratioHigh, 'en', 1)})`,
        ]),
        [true, false, true, true, true, false],
      ),
  );
  parts.push(
    `<h3>Unusually large seizures (robust z-score on log10 size within a product and unit &gt; ${s.thresholds.outlierScore})</h3>` +
      table(
        ['Product', 'Unit', 'Seizures'],
        s.outliers.groups.map((g) => [keyLabel('product', g.product), keyLabel('unit', g.unit), g.count]),
        [false, false, true],
      ),
  );
  if (s.version === 'analysts' && s.outliers.seizures) {
    parts.push(
      '<h3>Outlier seizures (analysts only)</h3>' +
        table(
          ['Member', 'Case reference', 'Line', 'File', 'Row', 'Date', 'Product', 'Quantity', 'Unit', 'Score'],
          s.outliers.seizures.map((o) => [
            o.member,
            o.case_ref,
            o.line_no,
            o.source.file,
            o.source.row,
            o.seizure_date,
            keyLabel('product', o.product),
            o.quantity,
            o.unit,
            o.score,
          ]),
          [false, false, true, false, true, false, false, true, false, true],
        ),
    );
  }
  parts.push(
    `<p class="note">Run ${esc(s.runLabel)}, data as of ${esc(s.asOf)}. Every figure is computed from the stored seizure lines; units are pieces + doses + packs, kg and litres are kept apart.</p>`,
  );

  return `<!doctype html>
<html lang="en">
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

function newLabel(n: SummaryJson['newItems'][number]): string {
  switch (n.novelty) {
    case 'product_at_member':
      return `${keyLabel('product', n.product!)} at ${keyLabel('member', n.member!)}`;
    case 'product_multi_member':
      return keyLabel('product', n.product!);
    case 'concealment_for_product':
      return `${keyLabel('product', n.product!)} / ${keyLabel('concealment', n.concealment!)}`;
    case 'route':
      return keyLabel('route', n.route!);
    case 'origin':
      return keyLabel('origin', n.origin!);
    case 'transit':
      return keyLabel('origin', n.transit!);
  }
}

const KIND_TITLES: readonly [string, (x: SummaryJson['signals'][number]) => boolean][] = [
  ['Rising', (x) => x.signal.kind === 'rising'],
  ['Weekly alarms', (x) => x.signal.kind === 'alarm'],
  ['New', (x) => x.signal.kind === 'new'],
  ['Falling', (x) => x.signal.kind === 'falling'],
  ['Unusually large seizures', (x) => x.signal.kind === 'outlier'],
];

/** The headline (strongest few) as an ordered list, then the rest grouped by kind, each group collapsible. */
function signalsHtml(s: SummaryJson): string {
  if (s.signals.length === 0) return '<p class="note">No signal in this run.</p>';
  const head = s.headline ?? s.signals.slice(0, 10);
  const rest = s.signals.slice(head.length);
  const out = [`<ol class="signals">${head.map((x) => `<li>${esc(x.text)}</li>`).join('')}</ol>`];
  if (rest.length) {
    out.push(`<p class="note">${num(rest.length)} more, by kind:</p>`);
    for (const [title, is] of KIND_TITLES) {
      const xs = rest.filter(is);
      if (xs.length)
        out.push(
          `<details><summary>${esc(title)} (${num(xs.length)})</summary><ul class="signals">${xs.map((x) => `<li>${esc(x.text)}</li>`).join('')}</ul></details>`,
        );
    }
  }
  return out.join('\n');
}
