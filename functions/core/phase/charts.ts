/**
 * Charts of the HTML report: Vega-Lite specs compiled and rendered to SVG on the server (vega's headless View), so
 * the report carries them inline and needs nothing from the network. Data is always inline; the loader refuses any
 * fetch, so a spec can never pull anything in. Each SVG keeps its viewBox, so CSS can scale it to a phone's width.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  bar: { color: '#1f5f99' },
  line: { color: '#1f5f99' },
};

function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`charts are rendered offline: no data may be loaded (${uri})`);
  };
  return Object.assign(loader, { load: refuse, sanitize: refuse, http: refuse, file: refuse }) as vega.Loader;
}

/** Renders a Vega-Lite spec to an SVG element (text), without width/height attributes so that it scales. */
export async function renderChart(spec: TopLevelSpec, title: string): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader() });
  try {
    const svg = await view.toSVG();
    return svg
      .replace(/^<svg([^>]*?) width="[\d.]+" height="[\d.]+"/, '<svg$1')
      .replace(/^<svg/, `<svg role="img" aria-label="${title.replace(/[&<>"']/g, '')}"`);
  } finally {
    view.finalize();
  }
}

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars, largest first (labels on the left, readable on a phone). */
export function barSpec(bars: readonly Bar[], valueTitle: string, width = 520): TopLevelSpec {
  return {
    width,
    height: { step: 22 },
    data: { values: bars.map((b, i) => ({ label: b.label, value: b.value, order: i })) },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'order', order: 'ascending' }, title: null },
      x: { field: 'value', type: 'quantitative', title: valueTitle, axis: { format: '~s' } },
    },
  } as TopLevelSpec;
}

/** Seizure lines per week (UTC Mondays). */
export function weeklySpec(weeks: readonly { week: string; lines: number }[], width = 560): TopLevelSpec {
  return {
    width,
    height: 200,
    data: { values: weeks.map((w) => ({ week: w.week, lines: w.lines })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'week', type: 'temporal', scale: { type: 'utc' }, axis: { format: '%d %b %Y', labelAngle: -40, title: 'Week (Monday)' } },
      y: { field: 'lines', type: 'quantitative', title: 'Seizure lines' },
    },
  } as TopLevelSpec;
}

/** Earlier against later counts per key (rising products: lines in the previous and the closed phase). */
export function pairedSpec(
  rows: readonly { label: string; period: string; value: number }[],
  valueTitle: string,
  width = 480,
): TopLevelSpec {
  return {
    width,
    height: { step: 14 },
    data: { values: [...rows] },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null },
      yOffset: { field: 'period', type: 'nominal', sort: null },
      x: { field: 'value', type: 'quantitative', title: valueTitle },
      color: {
        field: 'period',
        type: 'nominal',
        sort: null,
        title: null,
        scale: { range: ['#9ab7d3', '#c0392b'] },
        legend: { orient: 'bottom' },
      },
    },
  } as TopLevelSpec;
}
