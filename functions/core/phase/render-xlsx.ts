/**
 * summary.xlsx (and summary.{lang}.xlsx), a workbook a person can read and print, in the reader's language:
 * sheets Overview (for NCPs with the weekly series beside the figures), Signals, Breakdowns, Trends (with the weaker
 * first sightings), Risk indicators (and Weeks and Outliers in the analysts' version). Each
 * sheet is one table whose header row is row 1, frozen on screen and repeated on every printed page; pages are A4
 * landscape, one page wide; text wraps in columns wide enough for it. Labels are words, never codes or JSON; counts
 * are number cells with digit grouping (`#,##0`), ratios rounded to 2 significant digits, intervals as "2.7–10", weeks
 * as date cells in the reader's locale. The NCP version has no p-value or evidence score; the analysts' keep them,
 * labelled, with each key's code beside its label. Every text is a string cell, and a text that a spreadsheet could
 * take for a formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe, so that neither
 * Excel nor a CSV export of the sheet can run it.
 */
import ExcelJS from 'exceljs';
import type { Lang } from '../operation/config.ts';
import { dateRange, dateText, dimensionName, intervalText, newLabel, rowLabel, signalIn } from './labels.ts';
import { W } from './report-words.ts';
import { basePhases } from './sentences.ts';
import type { BreakdownRow, Figures, SummaryJson } from './summary.ts';
import { keyLabel, type LabelDimension } from './text.ts';

/** Text safe in a cell: control characters removed, 32,767 characters at most, a leading apostrophe before = + - @. */
export function safeCellText(s: string): string {
  let t = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return t.length > 32_767 ? t.slice(0, 32_767) : t;
}

type Value = string | number | Date | null | undefined;

function cell(v: Value): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : safeCellText(String(v));
  return safeCellText(v);
}

/** Number formats: counts grouped, quantities with one decimal, ratios as rounded, dates in the reader's locale. */
const INT = '#,##0';
/** One decimal; zero left blank (kg and litres are zero on most rows, and a column of 0.0 hides the few that are not). */
const DEC = '#,##0.0;-#,##0.0;""';
const LCID: Readonly<Record<Lang, string>> = { en: '[$-809]', fr: '[$-40C]', es: '[$-C0A]' };
const dateFormat = (lang: Lang) => `${LCID[lang]}d mmm yyyy`;

/** A ratio to 2 significant digits (a number cell: 3.3, 0.21, 12). */
const ratio2 = (r: number | null | undefined): number | null =>
  r === null || r === undefined || !Number.isFinite(r) ? null : Number(r.toPrecision(2));

/** Text size of every cell (points) and the height of one line of it: a printed page holds about 40 rows. */
const FONT = 10;
const FONT_NAME = 'Arial';
const LINE_PT = 12.75;
/** Lines of 10 pt text an A4 landscape page holds between its margins, at 100%. */
const PAGE_LINES = 38;

const utcDate = (iso: string) => new Date(`${iso}T00:00:00Z`);

interface Column {
  readonly head: string;
  /** Width in characters. */
  readonly width: number;
  readonly format?: string;
  /** Text that wraps (the row grows). */
  readonly wrap?: boolean;
}

/** One sheet, one table: its header in row 1 (frozen, repeated on each printed page), A4 landscape, one page wide. */
function tableSheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: readonly Column[],
  rows: readonly (readonly Value[])[],
  footer: string,
  header: string,
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
      horizontalCentered: false,
      margins: { left: 0.4, right: 0.4, top: 0.55, bottom: 0.55, header: 0.25, footer: 0.25 },
    },
    headerFooter: { oddHeader: `&L&8${escapeHf(header)}&R&8${escapeHf(name)}`, oddFooter: `&C&8${footer}` },
  });
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = c.width;
  });
  const h = ws.getRow(1);
  columns.forEach((c, i) => {
    const x = h.getCell(i + 1);
    x.value = cell(c.head);
    x.font = { name: FONT_NAME, bold: true, size: FONT };
    x.alignment = { wrapText: true, vertical: 'top', ...(c.format ? { horizontal: 'right' } : {}) };
    x.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF3F8' } };
    x.border = { bottom: { style: 'thin', color: { argb: 'FF9AB7D3' } } };
  });
  let printedLines = 1;
  rows.forEach((row, r) => {
    const xr = ws.getRow(r + 2);
    row.forEach((v, i) => {
      const c = columns[i]!;
      const x = xr.getCell(i + 1);
      x.value = cell(v);
      x.font = { name: FONT_NAME, size: FONT };
      if (c.format && (typeof v === 'number' || v instanceof Date)) x.numFmt = c.format;
      x.alignment = { vertical: 'top', ...(c.wrap ? { wrapText: true } : {}) };
    });
    // Rows of wrapped text get the height their lines need (no spreadsheet sizes a row on opening).
    const lines = Math.max(
      1,
      ...row.map((v, i) => (columns[i]!.wrap && typeof v === 'string' ? Math.ceil(v.length / (columns[i]!.width * 1.15)) : 1)),
    );
    if (lines > 1) xr.height = lines * LINE_PT + 2;
    printedLines += lines;
  });
  const hl = Math.max(1, ...columns.map((c) => Math.ceil(c.head.length / c.width)));
  if (hl > 1) h.height = hl * LINE_PT + 2;
  // A table that would spill a few rows onto a second page is printed on one, a little smaller.
  if (printedLines > PAGE_LINES && printedLines <= PAGE_LINES * 1.3) ws.pageSetup.fitToHeight = 1;
  return ws;
}

const cap = (x: string) => x.charAt(0).toUpperCase() + x.slice(1);

/** `&` starts a code in a header or footer: written twice to be itself. */
const escapeHf = (s: string) => s.replaceAll('&', '&&');

function overviewRows(f: Figures, lang: Lang): [string, number, string?][] {
  const w = W[lang];
  const units = lang === 'en' ? 'Units' : w.head.units;
  return [
    [w.head.lines, f.lines, INT],
    [w.head.cases, f.cases, INT],
    [w.reportingMembers, f.reportingMembers, INT],
    [w.participating, f.participatingMembers, INT],
    [`${units} (${w.pieces} + ${w.doses} + ${w.packs})`, f.units.total, INT],
    [`   ${w.pieces}`, f.units.pieces, INT],
    [`   ${w.doses}`, f.units.doses, INT],
    [`   ${w.packs}`, f.units.packs, INT],
    [w.head.kg, f.kg, DEC],
    [w.head.litres, f.litres, DEC],
    ...f.value.map((v): [string, number, string] => [`${cap(w.cards.value(v.lines))}, ${v.currency}`, v.amount, INT]),
  ];
}

const BREAKDOWNS: readonly [keyof Figures & `by${string}`, LabelDimension, (lang: Lang) => string][] = [
  ['byCategory', 'category', (l) => W[l].head.category],
  ['byProduct', 'product', (l) => W[l].head.product],
  ['byMember', 'member', (l) => W[l].head.member],
  ['byRoute', 'route', (l) => W[l].head.route],
  ['byOrigin', 'origin', (l) => W[l].head.origin],
  ['byTransportMode', 'transport_mode', (l) => W[l].head.transport],
  ['byConcealment', 'concealment', (l) => W[l].head.concealment],
  ['byDetection', 'detection', (l) => W[l].head.detection],
  ['byInfringement', 'infringement', (l) => W[l].head.infringement],
];

/** The workbook of a summary (either version) in a language (the analysts' is English), as bytes. */
export async function renderXlsx(s: SummaryJson, lang: Lang = 'en'): Promise<Buffer> {
  const w = W[lang];
  const h = w.head;
  const analysts = s.version === 'analysts';
  const min = s.thresholds.minCellMembers;
  const wb = new ExcelJS.Workbook();
  wb.creator = s.operation.name;
  const f = s.figures.phase;
  const c = s.figures.cumulative;
  const title = w.title(s.operation.name, s.phase.phase, s.mode, dateText(s.asOf, lang));
  const page = (n: string) => `${escapeHf(n)} — ${lang === 'es' ? 'página' : 'page'} &P / &N`;
  const sheet = (name: string, columns: readonly Column[], rows: readonly (readonly Value[])[]) =>
    tableSheet(wb, name, columns, rows, page(name), title);

  // Weeks: a sheet of one column in the analysts' version; for NCPs, blocks side by side at the right of the
  // Overview (the series of a year fits beside the figures, on the same printed page).
  const weeks = c.weekly;
  const weekCols: Column[] = [];
  const weekRows: Value[][] = [];
  if (analysts) {
    sheet(
      w.sheets.weeks,
      [
        { head: h.week, width: 16, format: dateFormat(lang) },
        { head: h.lines, width: 14, format: INT },
      ],
      weeks.map((x) => [utcDate(x.week), x.lines]),
    );
  } else if (weeks.length) {
    const blocks = Math.max(1, Math.ceil(weeks.length / 30));
    const per = Math.ceil(weeks.length / blocks);
    for (let b = 0; b < blocks; b++)
      weekCols.push(
        { head: '', width: 3 },
        { head: h.week, width: 16, format: dateFormat(lang) },
        { head: h.lines, width: 12, format: INT },
      );
    for (let i = 0; i < per; i++) {
      const row: Value[] = [];
      for (let b = 0; b < blocks; b++) {
        const x = weeks[b * per + i];
        row.push(null, x ? utcDate(x.week) : null, x ? x.lines : null);
      }
      weekRows.push(row);
    }
  }

  // Overview: what the run is, then the figures of the phase and since the start (NCPs: the weeks beside them).
  const cum = overviewRows(c, lang);
  const figures: Value[][] = [
    [w.operation, s.operation.name, null],
    [w.version, analysts ? w.analystsBadge : w.ncpBadge, null],
    [w.phaseDates, dateRange(s.phase.start, s.phase.end, lang), null],
    [w.counted, dateRange(s.counted.from, s.counted.to, lang), null],
    [w.sheets.signals, s.signalCount, null],
    ...overviewRows(f, lang).map(([label, v], i) => [label, v, cum[i]?.[1] ?? null]),
  ];
  const ovRows = Array.from({ length: Math.max(figures.length, weekRows.length) }, (_, i) => [
    ...(figures[i] ?? [null, null, null]),
    ...(weekRows[i] ?? []),
  ]);
  const ov = sheet(
    w.sheets.overview,
    [
      { head: title, width: 46, wrap: true },
      { head: w.phase(s.phase.phase), width: 24, format: INT, wrap: true },
      { head: h.sinceStart, width: 20, format: INT },
      ...weekCols,
    ],
    ovRows,
  );
  // Quantities with decimals where they are kg or litres.
  overviewRows(f, lang).forEach(([, , fmt], i) => {
    if (fmt === DEC) for (const col of [2, 3]) ov.getRow(i + 7).getCell(col).numFmt = DEC;
  });

  // Signals, strongest first (the weaker first sightings are on the Trends sheet).
  const kindName = (k: string) => w.kinds[k as keyof typeof w.kinds] ?? k;
  sheet(
    w.sheets.signals,
    [
      { head: '#', width: 5, format: INT },
      { head: h.kind, width: 18, wrap: true },
      { head: h.signal, width: 120, wrap: true },
      ...(analysts ? [{ head: 'Evidence (−log10 q, at most 10)', width: 12, format: '0.0' }] : []),
    ],
    [
      ...s.signals.map((x, i) => [
        i + 1,
        kindName(x.signal.kind),
        signalIn(s, x, lang),
        ...(analysts ? [x.signal.evidence === undefined ? null : Math.round(x.signal.evidence * 10) / 10] : []),
      ]),
    ],
  );

  // Breakdowns: one table, each row named by what it breaks down.
  const bd: Value[][] = [];
  for (const [field, dim, name] of BREAKDOWNS) {
    for (const r of f[field] as BreakdownRow[]) {
      bd.push([
        // The NCP version's Members are shown by WCO region (disclosure.ts): the row says so, not "Member".
        field === 'byMember' && r.level === 'region' ? W[lang].head.region : name(lang),
        rowLabel(dim, r, lang, min),
        ...(analysts ? [r.key] : []),
        field === 'byProduct' && r.category && r.category !== 'unknown' ? keyLabel('category', r.category, lang) : null,
        r.lines,
        field === 'byMember' ? (r.cases ?? 0) : null,
        r.units,
        r.kg,
        r.litres,
        r.members,
      ]);
    }
  }
  sheet(
    w.sheets.breakdowns,
    [
      { head: h.breakdown, width: 16, wrap: true },
      { head: h.label, width: 44, wrap: true },
      ...(analysts ? [{ head: 'Code', width: 22, wrap: true }] : []),
      { head: h.category, width: 21, wrap: true },
      { head: h.lines, width: 11, format: INT },
      { head: h.cases, width: 9, format: INT },
      { head: h.units, width: 14, format: INT },
      { head: h.kg, width: 11, format: DEC },
      { head: h.litres, width: 11, format: DEC },
      { head: h.members, width: 10, format: INT },
    ],
    bd,
  );

  // Trends, weekly alarms, new items and unusually large seizures: one table of what changed.
  const base =
    s.trends.comparedWith === null ? '' : basePhases({ phase: s.trends.comparedWith, phases: s.trends.comparedWithPhases }, lang);
  const newRow = (n: SummaryJson['newItems'][number]): Value[] => [
    w.novelty[n.novelty],
    null,
    newLabel(n, lang),
    dateText(n.week, lang),
    null,
    n.lines ?? null,
    n.members,
    null,
    null,
    ...(analysts ? [n.p ?? null, n.q ?? null] : []),
  ];
  // The weaker first sightings (no alert), under a row that says so.
  const annexRows = (xs: readonly SummaryJson['signals'][number][]): Value[][] =>
    xs.length ? [[null, null, w.annex(xs.length)], ...xs.map((x) => newRow(x.signal as SummaryJson['newItems'][number]))] : [];
  const changed: Value[][] = [
    ...[...s.trends.rising, ...s.trends.falling].map((t) => [
      t.kind === 'rising' ? w.rising : w.falling,
      dimensionName(t.dimension, lang),
      keyLabel(t.dimension, t.key, lang),
      null,
      t.earlier.lines,
      t.later.lines,
      t.later.members,
      ratio2(t.rateRatio) ?? '∞',
      t.ci ? intervalText(t.ci.low, t.ci.high, lang) : null,
      ...(analysts ? [t.p, t.q] : []),
    ]),
    ...s.alarms.map((a) => [
      w.kinds.alarm,
      dimensionName(a.dimension, lang),
      keyLabel(a.dimension, a.key, lang),
      (a.weeks ?? [a.week]).map((x) => dateText(x, lang)).join(', '),
      null,
      a.count,
      a.members ?? null,
      null,
      null,
      ...(analysts ? [a.p ?? null, a.q ?? null] : []),
    ]),
    ...s.newItems.map(newRow),
    ...annexRows(s.annex ?? []),
    ...s.outliers.groups.map((g) => [
      w.kinds.outlier,
      dimensionName('product', lang),
      `${keyLabel('product', g.product, lang)} (${keyLabel('unit', g.unit, lang)})`,
      null,
      null,
      g.count,
      null,
      null,
      null,
    ]),
  ];
  const tr = sheet(
    w.sheets.trends,
    [
      { head: h.kind, width: 40, wrap: true },
      { head: h.what, width: 22, wrap: true },
      { head: h.label, width: 44, wrap: true },
      { head: h.firstSeen, width: 18, wrap: true },
      { head: base ? `${h.lines}, ${base}` : h.lines, width: 13, format: INT },
      { head: `${h.lines}, ${w.phase(s.phase.phase).toLocaleLowerCase()}`, width: 13, format: INT },
      { head: h.members, width: 10, format: INT },
      { head: h.ratio, width: 9, format: 'General' },
      { head: h.interval, width: 14 },
      ...(analysts
        ? [
            { head: 'p', width: 10, format: '0.00E+00' },
            { head: 'q (Benjamini-Hochberg)', width: 12, format: '0.00E+00' },
          ]
        : []),
    ],
    changed,
  );
  const annexAt = changed.findIndex((r) => r.length === 3);
  if (annexAt >= 0) tr.getRow(annexAt + 2).getCell(3).font = { name: FONT_NAME, bold: true, size: FONT };

  sheet(
    w.sheets.risk,
    [
      { head: h.rank, width: 7, format: INT },
      { head: h.origin, width: 18, wrap: true },
      { head: h.transport, width: 14, wrap: true },
      { head: h.concealment, width: 22, wrap: true },
      { head: h.product, width: 26, wrap: true },
      { head: h.lines, width: 11, format: INT },
      { head: h.members, width: 10, format: INT },
      { head: h.previous, width: 12, format: INT },
      { head: h.growth, width: 11, format: 'General' },
      { head: h.interval, width: 14 },
      ...(analysts ? [{ head: 'Score', width: 10, format: '0.00' }] : []),
    ],
    s.riskProfiles.map((p) => [
      p.rank,
      keyLabel('origin', p.origin, lang),
      keyLabel('transport_mode', p.transport_mode, lang),
      keyLabel('concealment', p.concealment, lang),
      keyLabel('product', p.product, lang),
      p.lines,
      p.members,
      p.previousLines ?? null,
      ratio2(p.rateRatio) ?? (p.rateRatio === undefined ? null : '∞'),
      intervalText(p.ratioLow, p.ratioHigh, lang) || null,
      ...(analysts ? [p.score] : []),
    ]),
  );

  if (analysts && s.outliers.seizures) {
    sheet(
      w.sheets.outliers,
      [
        { head: 'Member', width: 16, wrap: true },
        { head: 'Case reference', width: 22, wrap: true },
        { head: 'Line', width: 6, format: INT },
        { head: 'File', width: 28, wrap: true },
        { head: 'Sheet', width: 12, wrap: true },
        { head: 'Row', width: 7, format: INT },
        { head: 'Date', width: 13, format: dateFormat(lang) },
        { head: 'Product', width: 20, wrap: true },
        { head: 'Quantity', width: 12, format: INT },
        { head: 'Unit', width: 10 },
        { head: 'Robust z-score', width: 10, format: '0.0' },
      ],
      s.outliers.seizures.map((o) => [
        keyLabel('member', o.member, lang),
        o.case_ref,
        o.line_no,
        o.source.file,
        o.source.sheet,
        o.source.row,
        /^\d{4}-\d{2}-\d{2}$/.test(o.seizure_date) ? utcDate(o.seizure_date) : o.seizure_date,
        keyLabel('product', o.product, lang),
        o.quantity,
        keyLabel('unit', o.unit, lang),
        o.score,
      ]),
    );
  }

  return Buffer.from(await wb.xlsx.writeBuffer());
}
