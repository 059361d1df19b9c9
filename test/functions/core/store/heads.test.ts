import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  compareSequencers,
  decide,
  decodeHeads,
  encodeHeads,
  isNewer,
  keyContextOf,
  keyDigest,
  parseToken,
  sameKey,
  sameUpload,
  tokenOf,
  versionDigest,
  withdrawCase,
  type Head,
} from '../../../../functions/core/store/heads.ts';
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
    head: { ...head(T2, [1, 4], 2, [2, 3, 7]), prev: '0001' },
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
    ['c', { ...head(T2, [], 3, [1, 2]), prev: 'abc' }],
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

test('versions of one key are ordered by sequencer (hex, any length); other uploads by orderToken', () => {
  const u = (key: string, version: string, orderToken: string): string =>
    tokenOf({ member: 'FR', objectKey: key, versionId: version, orderToken });
  const a = u('incoming/FR/a.xlsx', '1', '2021-05-12T10:00:05.000Z#0FF');
  const b = u('incoming/FR/a.xlsx', '2', '2021-05-12T10:00:04.000Z#100');
  const c = u('incoming/FR/c.xlsx', '1', '2021-05-12T10:00:04.500Z#001');
  assert.equal(isNewer(b, a), true);
  assert.equal(isNewer(a, b), false);
  assert.equal(isNewer(a, c), true);
  assert.equal(compareSequencers('FF', '0100'), -1);
  assert.equal(compareSequencers('00ff', 'FF'), 0);
  assert.deepEqual(parseToken(a), {
    orderToken: '2021-05-12T10:00:05.000Z#0FF',
    key: keyDigest('incoming/FR/a.xlsx'),
    version: versionDigest('incoming/FR/a.xlsx', '1'),
  });
});

test('a head written before key digests is the same upload as the new token of that version', () => {
  const ref = { member: 'FR', objectKey: 'incoming/FR/a.xlsx', versionId: 'v9', orderToken: T1 };
  const oldFormat = `${T1}#${versionDigest(ref.objectKey, ref.versionId)}`;
  assert.equal(sameUpload(oldFormat, tokenOf(ref)), true);
  assert.deepEqual(decide(head(oldFormat, [1], 0), tokenOf(ref), [1]), { kind: 'claimed', head: head(tokenOf(ref), [1]), withdrawn: 0 });
});

test('a newer version of the key withdraws a case it lacks; other keys, newer versions and tombstones are left', () => {
  const key = 'incoming/FR/a.xlsx';
  const v = (n: string, seq: string): string =>
    tokenOf({ member: 'FR', objectKey: key, versionId: n, orderToken: `2021-05-12T10:00:00.000Z#${seq}` });
  const other = tokenOf({ member: 'FR', objectKey: 'incoming/FR/b.xlsx', versionId: '1', orderToken: T1 });
  assert.deepEqual(withdrawCase(head(v('1', '01'), [1, 2], 0, [5]), v('2', '02')), {
    ...head(v('2', '02'), [], 2, [1, 2, 5]),
    prev: versionDigest(key, '1'),
    was: v('1', '01'),
  });
  assert.equal(withdrawCase(head(other, [1]), v('2', '02')), undefined);
  assert.equal(withdrawCase(head(v('3', '03'), [1]), v('2', '02')), undefined);
  assert.equal(withdrawCase(head(v('1', '01'), []), v('2', '02')), undefined);
});

test('a tombstone is, for another key, as new as the head it withdrew; for its own key, as new as itself', () => {
  const key = 'incoming/FR/a.xlsx';
  const v = (n: string, at: string): string => tokenOf({ member: 'FR', objectKey: key, versionId: n, orderToken: `${at}#0${n}` });
  const other = (at: string): string => tokenOf({ member: 'FR', objectKey: 'incoming/FR/b.xlsx', versionId: 'u', orderToken: `${at}#09` });
  const v1 = v('1', '2021-05-12T10:00:00.000Z');
  const v2 = v('2', '2021-05-13T09:00:00.000Z');
  const tomb = withdrawCase(head(v1, [1, 2]), v2)!;
  assert.equal(tomb.was, v1);
  assert.deepEqual(decodeHeads(encodeHeads(new Map([['C', tomb]]))).get('C'), tomb);
  // A file of another key sent after V1 (before V2) takes the case: in event order V2 would not have withdrawn it.
  const u = other('2021-05-12T18:00:00.000Z');
  assert.deepEqual(decide(tomb, u, [1]), { kind: 'claimed', head: head(u, [1], 0, [2]), withdrawn: 0 });
  // One sent before V1 does not: V1 replaced it, and V2 withdrew V1's lines.
  assert.deepEqual(decide(tomb, other('2021-05-11T00:00:00.000Z'), [1]), { kind: 'superseded' });
  // A version of the key older than the tombstone is superseded (NEWEST stops it before heads are read, too).
  assert.deepEqual(decide(tomb, v('0', '2021-05-12T12:00:00.000Z'), [1]), { kind: 'superseded' });
  // A tombstone written before `was` existed compares as itself.
  const { was: _, ...old } = tomb;
  assert.deepEqual(decide(old, u, [1]), { kind: 'superseded' });
});

test("a head written before key digests is of the upload's key when its version is one of the key's (KeyContext)", () => {
  const key = 'incoming/FR/a.xlsx';
  const ref = (versionId: string, orderToken: string) => ({ member: 'FR', objectKey: key, versionId, orderToken });
  // V1 has the later event time but the smaller sequencer: the earlier version.
  const v1 = ref('1', '2021-05-12T10:00:05.000Z#A0');
  const v2 = ref('2', '2021-05-12T10:00:04.000Z#B0');
  const oldV1 = `${v1.orderToken}#${versionDigest(key, '1')}`;
  const ctx = keyContextOf(key, ['1', '2']);
  assert.equal(sameKey(oldV1, tokenOf(v2)), false);
  assert.equal(sameKey(oldV1, tokenOf(v2), ctx), true);
  assert.equal(sameKey(oldV1, tokenOf(v2), keyContextOf(key, ['2'])), false);
  assert.equal(isNewer(tokenOf(v2), oldV1, ctx), true);
  assert.equal(withdrawCase(head(oldV1, [1]), tokenOf(v2)), undefined);
  assert.deepEqual(withdrawCase(head(oldV1, [1]), tokenOf(v2), ctx), {
    ...head(tokenOf(v2), [], 1, [1]),
    prev: versionDigest(key, '1'),
    was: oldV1,
  });
  assert.equal(decide(head(oldV1, [1]), tokenOf(v2), [1], ctx).kind, 'claimed');
});
