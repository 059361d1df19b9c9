import { test } from 'vitest';
import assert from 'node:assert/strict';
import { newItems } from '../../../../functions/core/trends/novelty.ts';
import { compositeKey, type Cell, type PeriodAggregate } from '../../../../functions/core/trends/types.ts';

type Spec = Record<string, [lines: number, members: string[]]>;
const counts = (s: Spec = {}) => new Map<string, Cell>(Object.entries(s).map(([k, [lines, m]]) => [k, { lines, members: new Set(m) }]));

function period(p: string, c: { product?: Spec; route?: Spec; origin?: Spec; product_concealment?: Spec }): PeriodAggregate {
  return { period: p, counts: Object.fromEntries(Object.entries(c).map(([d, s]) => [d, counts(s)])) };
}

test('a route and an origin are listed once, at the period they first appear, with lines and Member count', () => {
  const items = newItems([
    period('2021-05-03', { route: { 'CN>FR': [2, ['FR']] }, origin: { CN: [2, ['FR']] } }),
    period('2021-05-10', { route: { 'CN>FR': [1, ['FR']], 'IN>AE>DE': [3, ['DE', 'NL']] }, origin: { CN: [5, ['FR', 'DE']] } }),
  ]);
  assert.deepEqual(
    items.map((i) => [i.kind, i.firstSeen, i.key, i.lines, i.members]),
    [
      ['route', '2021-05-03', 'CN>FR', 2, 1],
      ['origin', '2021-05-03', 'CN', 2, 1],
      ['route', '2021-05-10', 'IN>AE>DE', 3, 2],
    ],
  );
});

test("a product's first line at each Member is an item naming that Member, without other Members' lines", () => {
  const items = newItems([
    period('2021-05-03', { product: { ivermectin: [4, ['FR']] } }),
    period('2021-05-10', { product: { ivermectin: [6, ['FR', 'DE']] } }),
  ]).filter((i) => i.kind === 'product_at_member');
  assert.deepEqual(
    items.map((i) => [i.firstSeen, i.member, i.product]),
    [
      ['2021-05-03', 'FR', 'ivermectin'],
      ['2021-05-10', 'DE', 'ivermectin'],
    ],
  );
  assert.ok(items.every((i) => i.lines === undefined));
});

test('a product newly seized by two Members in the same week is a product_multi_member item', () => {
  const items = newItems([
    period('2021-05-03', { product: { a: [1, ['FR']] } }),
    // b: new at DE and NL this week; a: new at DE only (FR had it).
    period('2021-05-10', { product: { a: [3, ['FR', 'DE']], b: [5, ['DE', 'NL']] } }),
  ]).filter((i) => i.kind === 'product_multi_member');
  assert.deepEqual(
    items.map((i) => [i.firstSeen, i.product, i.members, i.lines]),
    [['2021-05-10', 'b', 2, 5]],
  );
  assert.ok(items.every((i) => i.member === undefined));
});

test('a concealment method new for a product is an item with both parts', () => {
  const pc = (p: string, c: string) => compositeKey(p, c);
  const items = newItems([
    period('2021-05-03', { product_concealment: { [pc('a', 'luggage')]: [1, ['FR']] } }),
    period('2021-05-10', {
      product_concealment: { [pc('a', 'luggage')]: [1, ['FR']], [pc('a', 'on_body')]: [2, ['FR']], [pc('b', 'luggage')]: [1, ['DE']] },
    }),
  ]).filter((i) => i.firstSeen === '2021-05-10');
  assert.deepEqual(
    items.map((i) => [i.kind, i.product, i.concealment]),
    [
      ['concealment_for_product', 'a', 'on_body'],
      ['concealment_for_product', 'b', 'luggage'],
    ],
  );
});

test('with reportFrom, earlier periods are history only', () => {
  const items = newItems(
    [period('2021-05-03', { origin: { CN: [1, ['FR']] } }), period('2021-05-10', { origin: { CN: [1, ['FR']], IN: [1, ['FR']] } })],
    { reportFrom: '2021-05-10' },
  );
  assert.deepEqual(
    items.map((i) => i.key),
    ['IN'],
  );
});

test('periods are taken in label order whatever order they are given in, and a repeated label is refused', () => {
  const a = period('2021-05-03', { origin: { CN: [1, ['FR']] } });
  const b = period('2021-05-10', { origin: { CN: [1, ['FR']] } });
  assert.equal(newItems([b, a])[0]!.firstSeen, '2021-05-03');
  assert.throws(() => newItems([a, a]), /given twice/);
});

test('product cells with a bare Member count are refused (Member-level novelty needs the codes)', () => {
  assert.throws(() => newItems([{ period: 'w1', counts: { product: new Map([['a', { lines: 1, members: 1 }]]) } }]), TypeError);
});
