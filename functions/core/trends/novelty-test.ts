/**
 * New items, tested (the rule behind every "new" signal; trends/novelty.ts lists first sightings untested).
 *
 * A window (a phase, or a week) against its baseline (every period of the operation before it), with exposures
 * E0, E1 (reporting Member-weeks). Candidates are the keys with no line in the baseline:
 * - route, origin, transit (a transit country of any route), concealment_for_product: with y1 lines in the window,
 *   p = (E1 / (E0 + E1))^y1 (rise from zero, trends/exact.ts noveltyP); tested when y1 >= minLines and at least
 *   minMembers Members report it (only what could be flagged enters the family);
 * - product_multi_member: k Members new to a product (none of its lines before) among N eligible (the window's
 *   reporting Members not seen with it), against the product's pooled rate per Member-week over baseline and window:
 *   p = P(K >= k), K ~ Bin(N, 1 - exp(-rate x windowWeeks)); tested when k >= minNewMembers;
 * - product_at_member (a Member's first line of a product): never tested, never a signal: annex only, analysts only.
 * Benjamini-Hochberg runs within two families: the rises from zero (route, origin, transit, concealment) together,
 * and the product_multi_member tests together. A candidate is flagged when q < level.
 * Everything else new is a weaker first sighting: the annex, which raises no alert.
 */
import { newMembersP, noveltyP } from './exact.ts';
import type { NoveltyKind } from './novelty.ts';
import { benjaminiHochberg } from './stats.ts';
import { compositeKey, splitKey, UNKNOWN, type Cell, type Counts, type DimensionCounts } from './types.ts';

export interface NoveltyWindow {
  /** Cells of every period before the window, Members as sets (product needs them). */
  readonly baseline: DimensionCounts;
  /** Cells of the window, Members as sets. */
  readonly window: DimensionCounts;
  readonly baselineExposure: number;
  readonly windowExposure: number;
  /** Weeks in the window (a reporting Member's exposure in it). */
  readonly windowWeeks: number;
  /** Members that reported in the window (submissions, nil returns included). */
  readonly windowReporters: ReadonlySet<string>;
}

export interface NoveltyThresholds {
  /** @default 0.001 */
  readonly q?: number;
  /** @default 3 */
  readonly minLines?: number;
  /** @default 2 */
  readonly minMembers?: number;
  /** @default 3 */
  readonly minNewMembers?: number;
}

export interface TestedNewItem {
  readonly kind: NoveltyKind;
  readonly key: string;
  readonly product?: string;
  readonly concealment?: string;
  readonly route?: string;
  readonly origin?: string;
  readonly transit?: string;
  /** product_at_member only. */
  readonly member?: string;
  /** Lines in the window (product_multi_member: all the product's lines in it; product_at_member: absent). */
  readonly lines?: number;
  /** Members reporting it in the window (product_multi_member: those new to it). */
  readonly members: number;
  /** product_multi_member: eligible Members and the number expected new at the pooled rate. */
  readonly eligible?: number;
  readonly expected?: number;
  /** Untested candidates have no p/q. */
  readonly p?: number;
  readonly q?: number;
  readonly flagged: boolean;
}

const setOf = (c: Cell | undefined): ReadonlySet<string> =>
  c === undefined ? new Set() : typeof c.members === 'number' ? new Set() : c.members;
const size = (c: Cell) => (typeof c.members === 'number' ? c.members : c.members.size);

/** Transit countries: the middle parts of each route, lines added and Members united. */
export function transitCounts(routes: Counts | undefined): Map<string, Cell> {
  const out = new Map<string, { lines: number; members: Set<string> }>();
  for (const [route, cell] of routes ?? []) {
    const parts = route.split('>');
    for (const c of new Set(parts.slice(1, -1))) {
      if (c === UNKNOWN) continue;
      const t = out.get(c) ?? { lines: 0, members: new Set<string>() };
      t.lines += cell.lines;
      for (const m of setOf(cell)) t.members.add(m);
      out.set(c, t);
    }
  }
  return out;
}

/** Every new item of the window, flagged or not, flagged first (by q), then the rest by kind and key. */
export function testNewItems(w: NoveltyWindow, th: NoveltyThresholds = {}): TestedNewItem[] {
  const level = th.q ?? 0.001;
  const minLines = th.minLines ?? 3;
  const minMembers = th.minMembers ?? 2;
  const minNew = th.minNewMembers ?? 3;
  if (!(w.windowExposure > 0)) return [];
  const items: Omit<TestedNewItem, 'q' | 'flagged'>[] = [];

  const fresh = (kind: 'route' | 'origin' | 'transit' | 'concealment_for_product', now: Counts | undefined, before: Counts | undefined) => {
    for (const [key, cell] of now ?? []) {
      if (before?.has(key)) continue;
      // A candidate at fewer than minMembers Members can never be flagged: testing it would only dilute the family
      // (a route names its destination, so nearly every new route is one Member's and untestable as such).
      const tested = cell.lines >= minLines && size(cell) >= minMembers;
      const extra =
        kind === 'concealment_for_product'
          ? (() => {
              const [product, concealment] = splitKey(key);
              return { product: product!, concealment: concealment! };
            })()
          : { [kind]: key };
      if (kind === 'concealment_for_product' && extra.concealment === UNKNOWN) continue;
      if (kind === 'route' && key.split('>').includes(UNKNOWN)) continue;
      items.push({
        kind,
        key,
        ...extra,
        lines: cell.lines,
        members: size(cell),
        ...(tested ? { p: noveltyP(cell.lines, w.baselineExposure, w.windowExposure) } : {}),
      });
    }
  };
  fresh('route', w.window.route, w.baseline.route);
  fresh('origin', w.window.origin, w.baseline.origin);
  fresh('transit', transitCounts(w.window.route), transitCounts(w.baseline.route));
  fresh('concealment_for_product', w.window.product_concealment, w.baseline.product_concealment);

  const totalE = w.baselineExposure + w.windowExposure;
  for (const [product, cell] of w.window.product ?? []) {
    const before = setOf(w.baseline.product?.get(product));
    const fresh = [...setOf(cell)].filter((m) => !before.has(m)).sort();
    for (const member of fresh) items.push({ kind: 'product_at_member', key: compositeKey(member, product), product, member, members: 1 });
    if (fresh.length === 0) continue;
    const eligible = [...w.windowReporters].filter((m) => !before.has(m)).length;
    const rate = ((w.baseline.product?.get(product)?.lines ?? 0) + cell.lines) / totalE;
    const expected = eligible * -Math.expm1(-rate * w.windowWeeks);
    const tested = fresh.length >= minNew;
    items.push({
      kind: 'product_multi_member',
      key: product,
      product,
      lines: cell.lines,
      members: fresh.length,
      eligible: Math.max(eligible, fresh.length),
      expected,
      ...(tested ? { p: newMembersP(fresh.length, Math.max(eligible, fresh.length), rate, w.windowWeeks) } : {}),
    });
  }

  // Two families: the rises from zero, and the several-new-Members tests. Nearly every product has a few Members new
  // to it each phase, so its tests (mostly p near 1) outnumbered the new origins and routes and set their bar.
  const qOf = new Map<number, number>();
  for (const family of [(k: NoveltyKind) => k !== 'product_multi_member', (k: NoveltyKind) => k === 'product_multi_member']) {
    const idx = items.map((x, i) => (x.p !== undefined && family(x.kind) ? i : -1)).filter((i) => i >= 0);
    const q = benjaminiHochberg(idx.map((i) => items[i]!.p!));
    idx.forEach((i, j) => qOf.set(i, q[j]!));
  }
  const out: TestedNewItem[] = items.map((x, i) => {
    const qi = qOf.get(i);
    // Only tested items have a q, and a rise from zero is tested only at minMembers Members or more (`fresh`).
    return { ...x, ...(qi !== undefined ? { q: qi } : {}), flagged: qi !== undefined && qi < level };
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => Number(b.flagged) - Number(a.flagged) || (a.q ?? 2) - (b.q ?? 2) || cmp(a.kind, b.kind) || cmp(a.key, b.key));
}
