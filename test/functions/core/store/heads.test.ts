import { test } from 'vitest';
import assert from 'node:assert/strict';
import { decide, decodeHeads, encodeHeads, type Head } from '../../../../functions/core/store/heads.ts';
import { HEAD_SHARDS, headShardOf } from '../../../../functions/core/store/keys.ts';

const T1 = '2021-05-12T10:00:00.000Z#0001';
const T2 = '2021-05-13T09:00:00.000Z#0002';
const head = (token: string, lines: number[], withdrawn = 0, garbage: number[] = []): Head => ({ token, lines, withdrawn, garbage });

test('a case without a head is claimed with nothing to delete', () => {
  assert.deepEqual(decide(undefined, T1, [1, 2]), { kind: 'claimed', head: head(T1, [1, 2]), withdrawn: 0 });
});

test('a case a newer upload owns is superseded', () => {
  assert.deepEqual(decide(head(T2, [1]), T1, [1, 2]), { kind: 'superseded' });
});

test("a newer upload withdraws the old owner's lines it lacks and deletes them with any old garbage", () => {
  assert.deepEqual(decide(head(T1, [1, 2, 3], 0, [7]), T2, [1, 4]), {
    kind: 'claimed',
    head: head(T2, [1, 4], 2, [2, 3, 7]),
    withdrawn: 2,
  });
});

test('a rerun of the same upload keeps the count its first run recorded and its garbage', () => {
  assert.deepEqual(decide(head(T2, [1, 4], 2, [2, 3]), T2, [1, 4]), { kind: 'claimed', head: head(T2, [1, 4], 2, [2, 3]), withdrawn: 2 });
  assert.deepEqual(decide(head(T2, [1, 4], 2), T2, [1, 4]), { kind: 'claimed', head: head(T2, [1, 4], 2), withdrawn: 2 });
});

test('heads encode sorted by case_ref, so equal heads give equal text, and decode to what was encoded', () => {
  const a = new Map([
    ['b', head(T1, [1])],
    ['__proto__', head(T2, [2, 3], 1, [4])],
    ['a', head(T1, [5])],
  ]);
  const b = new Map([...a].reverse());
  assert.equal(encodeHeads(a), encodeHeads(b));
  assert.deepEqual(decodeHeads(encodeHeads(a)), new Map([...a].sort(([x], [y]) => (x < y ? -1 : 1))));
});

test('malformed heads text is refused', () => {
  assert.throws(() => decodeHeads('{}'), TypeError);
  assert.throws(() => decodeHeads('[["a", 1, [], 0]]'), TypeError);
});

test('case refs spread over all shards, and a composed and a decomposed spelling share one', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) seen.add(headShardOf(`FR-2021-${i}`));
  assert.equal(seen.size, HEAD_SHARDS);
  assert.equal(headShardOf('Affaire é'), headShardOf('Affaire é'.normalize('NFD')));
});
