/**
 * New items: what the operation sees for the first time, and when.
 * - product_at_member: a product's first line at a Member (from the product cells' Member sets);
 * - route, origin: the first line with that route / origin country anywhere;
 * - concealment_for_product: the first line of a product hidden that way (the product_concealment dimension);
 * - product_multi_member: a period in which minNewMembers (default 2) or more Members each seize a product for
 *   their first time — a product spreading at once. Its `members` is the number of those Members, its `lines` all
 *   the product's lines in that period.
 * Periods are compared by their labels (weeks' Mondays, or phase labels that sort in time order). Every item is
 * listed once, at the period it first appears. With `reportFrom`, earlier periods only serve as history.
 * Outputs are aggregate: counts and numbers of Members; a Member code appears only in product_at_member, which is
 * that Member's own data.
 */
import { compositeKey, memberCount, splitKey, type Counts, type PeriodAggregate } from './types.ts';

export type NoveltyKind = 'product_at_member' | 'route' | 'origin' | 'concealment_for_product' | 'product_multi_member' | 'transit';

export const NOVELTY_KINDS: readonly NoveltyKind[] = ['product_at_member', 'product_multi_member', 'concealment_for_product', 'route', 'origin', 'transit'];

export interface NewItem {
  readonly kind: NoveltyKind;
  /** The period it was first seen in. */
  readonly firstSeen: string;
  /** product_at_member: compositeKey(member, product); concealment_for_product: the product_concealment key; else the value. */
  readonly key: string;
  readonly product?: string;
  readonly concealment?: string;
  readonly route?: string;
  readonly origin?: string;
  /** Only for product_at_member: the Member whose own lines these are. */
  readonly member?: string;
  /**
   * Lines of that key in that period. Absent for product_at_member: the product cells do not split lines by Member,
   * and the product's total would mix other Members' lines into one Member's item.
   */
  readonly lines?: number;
  /** Members reporting it in that period (product_multi_member: the Members new to the product). */
  readonly members: number;
}

export interface NoveltyOptions {
  /** Periods before this label are history: their items are not listed. @default every period is reported */
  readonly reportFrom?: string;
  /** Members new to a product in one period that make a product_multi_member item. @default 2 */
  readonly minNewMembers?: number;
}

function setOf(key: string, counts: Counts): ReadonlySet<string> {
  const m = counts.get(key)!.members;
  if (typeof m === 'number') throw new TypeError(`newItems: product '${key}' has a Member count, not a set; product_at_member needs the Members' codes`);
  return m;
}

/** Lists the new items of the periods, ordered by period, then kind (NOVELTY_KINDS order), then key. */
export function newItems(periods: readonly PeriodAggregate[], options: NoveltyOptions = {}): NewItem[] {
  const minNew = options.minNewMembers ?? 2;
  const sorted = [...periods].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.period === sorted[i - 1]!.period) throw new RangeError(`newItems: period '${sorted[i]!.period}' is given twice`);
  }
  const seen = { route: new Set<string>(), origin: new Set<string>(), concealment: new Set<string>(), memberProduct: new Set<string>() };
  const items: NewItem[] = [];

  for (const { period, counts } of sorted) {
    const found: NewItem[] = [];
    const firsts = (c: Counts | undefined, have: Set<string>) =>
      [...(c ?? new Map())].filter(([k]) => !have.has(k)).map(([k, cell]) => ({ key: k, lines: cell.lines, members: memberCount(cell.members) }));

    for (const x of firsts(counts.route, seen.route)) found.push({ kind: 'route', firstSeen: period, route: x.key, ...x });
    for (const x of firsts(counts.origin, seen.origin)) found.push({ kind: 'origin', firstSeen: period, origin: x.key, ...x });
    for (const x of firsts(counts.product_concealment, seen.concealment)) {
      const [product, concealment] = splitKey(x.key);
      found.push({ kind: 'concealment_for_product', firstSeen: period, product: product!, concealment: concealment!, ...x });
    }

    const products: Counts = counts.product ?? new Map();
    for (const [product, cell] of products) {
      const fresh = [...setOf(product, products)].filter((m) => !seen.memberProduct.has(compositeKey(m, product))).sort();
      for (const member of fresh) {
        found.push({ kind: 'product_at_member', firstSeen: period, key: compositeKey(member, product), product, member, members: 1 });
      }
      if (fresh.length >= minNew) {
        found.push({ kind: 'product_multi_member', firstSeen: period, key: product, product, lines: cell.lines, members: fresh.length });
      }
      for (const m of fresh) seen.memberProduct.add(compositeKey(m, product));
    }
    for (const k of counts.route?.keys() ?? []) seen.route.add(k);
    for (const k of counts.origin?.keys() ?? []) seen.origin.add(k);
    for (const k of counts.product_concealment?.keys() ?? []) seen.concealment.add(k);

    if (options.reportFrom !== undefined && period < options.reportFrom) continue;
    const rank = (k: NoveltyKind) => NOVELTY_KINDS.indexOf(k);
    found.sort((a, b) => rank(a.kind) - rank(b.kind) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    items.push(...found);
  }
  return items;
}
