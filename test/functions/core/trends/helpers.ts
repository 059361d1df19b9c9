/**
 * Test-only helpers over the trend detectors' shapes (moved out of functions/core/trends: production counts lines
 * in functions/core/phase/accumulate.ts, whose key table lineKeys is the one keysOf reads here).
 * - keysOf: the key of every dimension for one line; countLines: cells per key; mergeCounts: unite partial cells;
 * - sizeOutliers: the outlier rule of trends/outliers.ts on a list of seizures (the reference analyse.ts must equal).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { BREAKDOWNS } from '../../../../functions/core/phase/aggregate-types.ts';
import { lineKeys } from '../../../../functions/core/phase/accumulate.ts';
import { DEFAULT_THRESHOLDS } from '../../../../functions/core/operation/config.ts';
import { mad, median } from '../../../../functions/core/trends/stats.ts';
import type { OutlierOptions, SeizureSize, SizeOutlier } from '../../../../functions/core/trends/outliers.ts';
import type { AggregateDimension, Counts } from '../../../../functions/core/trends/types.ts';

/** The key of every dimension for one line (functions/core/phase/accumulate.ts lineKeys). */
export function keysOf(r: SeizureRecord): Record<AggregateDimension, string | undefined> {
  const k = lineKeys(r);
  const at = (b: (typeof BREAKDOWNS)[number]) => {
    const v = k[BREAKDOWNS.indexOf(b)];
    return v === '' ? undefined : v;
  };
  return {
    product: at('product'),
    origin: at('origin'),
    route: at('route'),
    transport_mode: at('transport_mode'),
    concealment: at('concealment'),
    product_concealment: at('product_concealment'),
    profile: at('profile'),
  };
}

/** A mutable cell while counting; members are always a set here. */
export interface CountingCell {
  lines: number;
  members: Set<string>;
}

/** Counts lines per key of each requested dimension (one Member's partial, or any set of lines). */
export function countLines(
  records: Iterable<SeizureRecord>,
  dimensions: readonly AggregateDimension[],
): Record<AggregateDimension, Map<string, CountingCell>> {
  const out = {} as Record<AggregateDimension, Map<string, CountingCell>>;
  for (const d of dimensions) out[d] = new Map();
  for (const r of records) {
    const keys = keysOf(r);
    for (const d of dimensions) {
      const k = keys[d];
      if (k === undefined) continue;
      const cell = out[d].get(k) ?? { lines: 0, members: new Set<string>() };
      cell.lines += 1;
      cell.members.add(r.reporting_member);
      out[d].set(k, cell);
    }
  }
  return out;
}

/**
 * Merges partial counts of one dimension (e.g. one per Member): lines add up, Members are united. Throws when a
 * cell's Members are a bare number, since a count cannot be united without double counting.
 */
export function mergeCounts(...parts: Counts[]): Map<string, CountingCell> {
  const out = new Map<string, CountingCell>();
  for (const part of parts) {
    for (const [k, c] of part) {
      if (typeof c.members === 'number')
        throw new TypeError(`mergeCounts: cell '${k}' has a Member count, not a set; merge before counting`);
      const cell = out.get(k) ?? { lines: 0, members: new Set<string>() };
      cell.lines += c.lines;
      for (const m of c.members) cell.members.add(m);
      out.set(k, cell);
    }
  }
  return out;
}

/** The outliers, largest |score| first (then product, unit, id). */
export function sizeOutliers(seizures: Iterable<SeizureSize>, options: OutlierOptions = {}): SizeOutlier[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS.outlierScore;
  const groups = new Map<string, SeizureSize[]>();
  for (const s of seizures) {
    if (!(s.quantity > 0) || !Number.isFinite(s.quantity)) continue;
    const k = JSON.stringify([s.product, s.unit]);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const out: SizeOutlier[] = [];
  for (const g of groups.values()) {
    const logs = g.map((s) => Math.log10(s.quantity));
    const med = median(logs);
    const spread = mad(logs);
    if (spread === 0) continue; // score undefined: no outlier for this product and unit
    g.forEach((s, i) => {
      const score = (0.6745 * (logs[i]! - med)) / spread;
      if (score > threshold || (options.twoSided && score < -threshold)) {
        out.push({
          id: s.id,
          product: s.product,
          unit: s.unit,
          quantity: s.quantity,
          score,
          medianLog10: med,
          madLog10: spread,
          n: g.length,
        });
      }
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || cmp(a.product, b.product) || cmp(a.unit, b.unit) || cmp(a.id, b.id));
}

/**
 * A file of the shared reference data (`shared/testdata/...`), which sits beside the repository: the first ancestor
 * of this file that holds `shared/testdata` (a worktree may sit one level deeper than the main clone).
 */
export function sharedTestdata(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = resolve(dir, 'shared/testdata', rel);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`shared test data not found: shared/testdata/${rel} beside any parent of the repository`);
    dir = up;
  }
}
