/**
 * summary.xlsx: sheets Overview, Categories and products, Members, Routes, Breakdowns, Weeks, Trends, Risk indicators
 * (and Outliers in the analysts' version). Numbers are number cells; every text is a string cell, and a text that a
 * spreadsheet could take for a formula (starting with = + - @, or a tab or carriage return) is written with a leading
 * apostrophe, so that neither Excel nor a CSV export of the sheet can run it.
 */
import ExcelJS from 'exceljs';
import type { BreakdownRow, Figures, SummaryJson } from './summary.ts';
import type { Signal } from './signals.ts';
import { count, counted, keyLabel } from './text.ts';
import { basePhases } from './sentences.ts';

/** Text safe in a cell: control characters removed, 32,767 characters at most, a leading apostrophe before = + - @. */
export function safeCellText(s: string): string {
  let t = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return t.length > 32_767 ? t.slice(0, 32_767) : t;
}

type Value = string | number | null | undefined;

function cell(v: Value): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : safeCellText(String(v));
  return safeCellText(v);
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  return wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
}

/** Adds a table: a bold header row, then rows; returns the next free row. */
function addTable(ws: ExcelJS.Worksheet, at: number, head: readonly string[], rows: readonly (readonly Value[])[], title?: string): number {
  let r = at;
  if (title) {
    const t = ws.getRow(r++);
    t.getCell(1).value = cell(title);
    t.font = { bold: true, size: 12 };
  }
  const h = ws.getRow(r++);
  head.forEach((x, i) => (h.getCell(i + 1).value = cell(x)));
  h.font = { bold: true };
  for (const row of rows) {
    const xr = ws.getRow(r++);
    row.forEach((x, i) => (xr.getCell(i + 1).value = cell(x)));
  }
  return r + 1;
}

function widths(ws: ExcelJS.Worksheet, w: readonly number[]): void {
  w.forEach((x, i) => (ws.getColumn(i + 1).width = x));
}

const BREAKDOWN_HEAD = ['Key', 'Label', 'Seizure lines', 'Units', 'kg', 'Litres', 'Members'];
const breakdownRows = (rows: readonly BreakdownRow[]): Value[][] =>
  rows.map((r) => [r.key, r.label, r.lines, r.units, r.kg, r.litres, r.members]);

function overviewRows(f: Figures): Value[][] {
  return [
    ['Seizure lines', f.lines],
    ['Cases', f.cases],
    ['Reporting Members', f.reportingMembers],
    ['Participating Members', f.participatingMembers],
    ['Units (pieces + doses + packs)', f.units.total],
    ['  pieces', f.units.pieces],
    ['  doses', f.units.doses],
    ['  packs', f.units.packs],
    ['kg', f.kg],
    ['Litres', f.litres],
    ...f.value.map((v): Value[] => [`Estimated value, ${v.currency} (${count(v.lines, 'line', 'en')})`, v.amount]),
  ];
}

/** The workbook of a summary (either version), as bytes. */
export async function renderXlsx(s: SummaryJson): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = s.operation.name;
  const f = s.figures.phase;
  const c = s.figures.cumulative;

  const ov = sheet(wb, 'Overview');
  widths(ov, [42, 18, 18]);
  let r = addTable(
    ov,
    1,
    ['', `Phase ${s.phase.phase}`, 'Since the start'],
    [
      ['Operation', s.operation.name, null],
      ['Run', s.runLabel, null],
      [
        'Version',
        s.version === 'analysts'
          ? "Analysts' version: contains case references, do not forward"
          : 'For every National Contact Point: aggregates only',
        null,
      ],
      ['Phase dates', `${s.phase.start} to ${s.phase.end}`, null],
      ['Seizures counted', `${s.counted.from} to ${s.counted.to}`, null],
      ...overviewRows(f).map((row, i) => [row[0], row[1], overviewRows(c)[i]?.[1] ?? null]),
    ],
  );
  const head = s.headline ?? s.signals;
  addTable(
    ov,
    r,
    ['Headline (strongest first)', 'Evidence'],
    head.map((x) => [x.text, x.signal.evidence === undefined ? null : Math.round(x.signal.evidence * 10) / 10]),
    `Signals: ${s.signalCount}; the strongest ${head.length} here, every signal on the sheet of its kind`,
  );

  // One sheet per kind of signal, strongest first (the headline's signals included).
  const KINDS: readonly [string, Signal['kind'][]][] = [
    ['Signals - rising', ['rising']],
    ['Signals - alarms', ['alarm']],
    ['Signals - new', ['new']],
    ['Signals - falling', ['falling']],
    ['Signals - outliers', ['outlier']],
  ];
  for (const [name, kinds] of KINDS) {
    const xs = s.signals.filter((x) => kinds.includes(x.signal.kind));
    if (!xs.length) continue;
    const ks = sheet(wb, name);
    widths(ks, [120, 10]);
    addTable(
      ks,
      1,
      ['Signal', 'Evidence'],
      xs.map((x) => [x.text, x.signal.evidence === undefined ? null : Math.round(x.signal.evidence * 10) / 10]),
    );
  }
  if (s.annex?.length) {
    const ax = sheet(wb, 'Annex - first sightings');
    widths(ax, [120]);
    addTable(
      ax,
      1,
      ['Weaker first sighting (no alert)'],
      s.annex.map((x) => [x.text]),
    );
  }

  const cp = sheet(wb, 'Categories and products');
  widths(cp, [22, 30, 14, 14, 12, 12, 10, 18]);
  r = addTable(cp, 1, BREAKDOWN_HEAD, breakdownRows(f.byCategory), 'By category');
  addTable(
    cp,
    r,
    [...BREAKDOWN_HEAD, 'Category'],
    f.byProduct.map((x) => [...breakdownRows([x])[0]!, x.category ?? null]),
    'By product',
  );

  const mb = sheet(wb, 'Members');
  widths(mb, [10, 30, 14, 10, 14, 12, 12]);
  addTable(
    mb,
    1,
    ['Member', 'Name', 'Seizure lines', 'Cases', 'Units', 'kg', 'Litres'],
    f.byMember.map((x) => [x.key, x.label, x.lines, x.cases ?? 0, x.units, x.kg, x.litres]),
  );

  const rt = sheet(wb, 'Routes');
  widths(rt, [22, 48, 14, 14, 12, 12, 10]);
  r = addTable(rt, 1, BREAKDOWN_HEAD, breakdownRows(f.byRoute), 'Routes (origin or departure > transit > destination)');
  addTable(rt, r, BREAKDOWN_HEAD, breakdownRows(f.byOrigin), 'Origin countries');

  const bd = sheet(wb, 'Breakdowns');
  widths(bd, [24, 36, 14, 14, 12, 12, 10]);
  r = addTable(bd, 1, BREAKDOWN_HEAD, breakdownRows(f.byTransportMode), 'Transport mode');
  r = addTable(bd, r, BREAKDOWN_HEAD, breakdownRows(f.byConcealment), 'Concealment method');
  r = addTable(bd, r, BREAKDOWN_HEAD, breakdownRows(f.byDetection), 'Detection method');
  addTable(bd, r, BREAKDOWN_HEAD, breakdownRows(f.byInfringement), 'Infringement type');

  const wk = sheet(wb, 'Weeks');
  widths(wk, [14, 14]);
  addTable(
    wk,
    1,
    ['Week (Monday)', 'Seizure lines'],
    c.weekly.map((w) => [w.week, w.lines]),
  );

  const tr = sheet(wb, 'Trends');
  widths(tr, [12, 18, 36, 12, 12, 12, 12, 12, 12, 10, 10]);
  r = addTable(
    tr,
    1,
    [
      'Trend',
      'Dimension',
      'Key',
      'Label',
      'Earlier phase',
      'Earlier lines',
      'Later phase',
      'Later lines',
      'Rate ratio',
      'CI low',
      'CI high',
      'p',
      'q',
    ],
    [...s.trends.rising, ...s.trends.falling].map((t) => [
      t.kind,
      t.dimension,
      t.key,
      keyLabel(t.dimension, t.key),
      // One phase stays a number (as before pooling); pooled phases read "1–2".
      (t.earlier.phases?.length ?? 1) > 1 ? basePhases(t.earlier, 'en').replace(/^phases /, '') : t.earlier.phase,
      t.earlier.lines,
      t.later.phase,
      t.later.lines,
      t.rateRatio ?? 'infinite',
      t.ci?.low ?? null,
      t.ci ? (t.ci.high ?? 'infinite') : null,
      t.p,
      t.q,
    ]),
    s.trends.comparedWith === null
      ? 'Phase over phase: no earlier phase compared'
      : `Phase ${s.phase.phase} against ${basePhases({ phase: s.trends.comparedWith, phases: s.trends.comparedWithPhases }, 'en')}${(s.trends.comparedWithPhases?.length ?? 1) > 1 ? ' pooled' : ''}: ${counted(s.trends.tested, 'en', 'key', 'keys')} tested`,
  );
  r = addTable(
    tr,
    r,
    ['Dimension', 'Key', 'Label', 'Week', 'Seizure lines', 'Expected', 'Bound', 'Score', 'Methods', 'Weeks that alarmed'],
    s.alarms.map((a) => [
      a.dimension,
      a.key,
      keyLabel(a.dimension, a.key),
      a.week,
      a.count,
      a.expected ?? null,
      a.upperBound,
      a.score,
      a.methods.join(','),
      (a.weeks ?? [a.week]).join(', '),
    ]),
    'Weekly alarms',
  );
  addTable(
    tr,
    r,
    ['Kind', 'Key', 'First seen (week)', 'Product', 'Concealment', 'Route', 'Origin', 'Transit', 'Member', 'Lines', 'Members'],
    s.newItems.map((n) => [n.novelty, n.key, n.week, n.product, n.concealment, n.route, n.origin, n.transit, n.member, n.lines, n.members]),
    'New items',
  );

  const rk = sheet(wb, 'Risk indicators');
  widths(rk, [8, 12, 16, 20, 22, 50, 10, 10, 14, 12, 10]);
  r = addTable(
    rk,
    1,
    [
      'Rank',
      'Origin',
      'Transport mode',
      'Concealment',
      'Product',
      'Profile',
      'Lines',
      'Members',
      'Previous lines',
      'Growth',
      'Growth low (95%)',
      'Growth high (95%)',
      'Score',
    ],
    s.riskProfiles.map((p) => [
      p.rank,
      p.origin,
      p.transport_mode,
      p.concealment,
      p.product,
      keyLabel('profile', p.key),
      p.lines,
      p.members,
      p.previousLines,
      p.rateRatio,
      p.ratioLow,
      p.ratioHigh === null ? 'infinite' : p.ratioHigh,
      p.score,
    ]),
    'Risk profiles',
  );
  addTable(
    rk,
    r,
    ['Product', 'Unit', 'Outlier seizures'],
    s.outliers.groups.map((g) => [g.product, g.unit, g.count]),
    `Unusually large seizures (robust z > ${s.thresholds.outlierScore})`,
  );

  if (s.version === 'analysts' && s.outliers.seizures) {
    const ol = sheet(wb, 'Outliers');
    widths(ol, [8, 24, 8, 28, 14, 8, 12, 20, 12, 10, 10]);
    addTable(
      ol,
      1,
      ['Member', 'Case reference', 'Line', 'File', 'Sheet', 'Row', 'Date', 'Product', 'Quantity', 'Unit', 'Score'],
      s.outliers.seizures.map((o) => [
        o.member,
        o.case_ref,
        o.line_no,
        o.source.file,
        o.source.sheet,
        o.source.row,
        o.seizure_date,
        o.product,
        o.quantity,
        o.unit,
        o.score,
      ]),
    );
  }

  return Buffer.from(await wb.xlsx.writeBuffer());
}
