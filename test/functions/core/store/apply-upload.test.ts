import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { UnprocessedItemsError } from '../../../../functions/core/store/batch.ts';
import * as keys from '../../../../functions/core/store/keys.ts';
import { SeizureStore, type StoreOptions } from '../../../../functions/core/store/store.ts';
import {
  collect,
  counts,
  injectFaults,
  line,
  manyLines,
  noSleep,
  scanAll,
  upload,
  useDynalite,
  type CallInfo,
  type FaultAction,
} from './local-dynamo.ts';

const local = useDynalite();

interface Fixture {
  readonly store: SeizureStore;
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** A store on a fresh table; `rule` injects faults on its client. */
async function fixture(opts: Partial<StoreOptions> = {}, rule?: (c: CallInfo) => FaultAction): Promise<Fixture> {
  const tableName = await local.table();
  const client = local.client();
  if (rule) injectFaults(client, rule);
  return { store: new SeizureStore({ client, tableName, sleep: noSleep, ...opts }), client, tableName };
}

/** Another store on the same table, as a second Lambda would have; optionally with faults of its own. */
function sibling(f: Fixture, rule?: (c: CallInfo) => FaultAction, opts: Partial<StoreOptions> = {}): SeizureStore {
  const client = local.client();
  if (rule) injectFaults(client, rule);
  return new SeizureStore({ client, tableName: f.tableName, sleep: noSleep, ...opts });
}

const V1 = upload('v1', '2021-05-12T10:00:00.000Z#0001');
const V2 = upload('v2', '2021-05-13T09:00:00.000Z#0002');
const V3 = upload('v3', '2021-05-14T08:00:00.000Z#0003');
/** Versions of one object key, sequencers in the order of their event times. */
const KEY = 'incoming/FR/week 12.xlsx';
const W1 = upload('w1', '2021-05-12T10:00:00.000Z#0001', 'FR', KEY);
const W2 = upload('w2', '2021-05-13T09:00:00.000Z#0002', 'FR', KEY);

const byKey = (a: SeizureRecord, b: SeizureRecord): number =>
  a.case_ref < b.case_ref ? -1 : a.case_ref > b.case_ref ? 1 : a.line_no - b.line_no;
const sorted = (rs: readonly SeizureRecord[]): SeizureRecord[] => [...rs].sort(byKey);

/** v1: 10 cases of 5 lines. */
const v1Lines = (): SeizureRecord[] => manyLines(10, 5);
/** v2: new quantities everywhere, line 5 gone from cases 1-3, a line 6 added to case 4. */
const v2Lines = (): SeizureRecord[] => [
  ...manyLines(10, 5, { quantity: 7 }).filter((r) => !(r.line_no === 5 && ['C0001', 'C0002', 'C0003'].includes(r.case_ref))),
  line({ case_ref: 'C0004', line_no: 6, quantity: 7 }),
];

test('lines read back through byPhase are the stored records exactly', async () => {
  const { store } = await fixture();
  const full: SeizureRecord = {
    reporting_member: 'FR',
    case_ref: 'FR-2021-0042',
    line_no: 1,
    seizure_date: '2021-05-10',
    phase: 1,
    location: 'Roissy-CDG',
    location_type: 'airport',
    direction: 'import',
    category: 'vaccine',
    product: 'COVID-19 vaccine',
    description: '',
    brand: 'Acme',
    hs_code: '300220',
    quantity: 12.5,
    unit: 'doses',
    estimated_value: 1234.56,
    currency: 'EUR',
    origin_country: 'IN',
    departure_country: 'AE',
    destination_country: 'FR',
    transit_countries: ['AE', 'TR'],
    transport_mode: 'air',
    concealment_method: 'false bottom',
    detection_method: 'x-ray',
    infringement_type: 'counterfeit',
    remarks: 'line one',
    source: { file: 'week 12.xlsx', sheet: 'Seizures', row: 7 },
  };
  const minimal: SeizureRecord = { ...line({ case_ref: 'FR-2021-0042', line_no: 2 }), brand: undefined };
  await store.applyUpload(V1, [full, minimal]);
  const { brand: _dropped, ...minimalStored } = minimal;
  assert.deepEqual(await collect(store.linesOf(1, 'FR')), [full, minimalStored]);
});

test('the first upload of cases writes every line and withdraws nothing', async () => {
  const { store } = await fixture();
  assert.deepEqual(counts(await store.applyUpload(V1, v1Lines())), { written: 50, withdrawn: 0, supersededCases: 0 });
  assert.deepEqual(sorted(await collect(store.linesOf(1, 'FR'))), sorted(v1Lines()));
});

test('the same upload delivered twice leaves the table and the counts as one delivery', async () => {
  const f = await fixture();
  await f.store.applyUpload(V1, v1Lines());
  const first = await f.store.applyUpload(V2, v2Lines());
  const once = await scanAll(f.client, f.tableName);
  const second = await f.store.applyUpload(V2, v2Lines());
  assert.deepEqual(await scanAll(f.client, f.tableName), once);
  assert.deepEqual(second, first);
  assert.deepEqual(counts(first), { written: 48, withdrawn: 3, supersededCases: 0 });
});

test('a crash after some put batches, then a retry, ends as a clean run', async () => {
  const clean = await fixture({ concurrency: 2 });
  const v1 = manyLines(40, 8);
  const v2 = manyLines(40, 7, { quantity: 3 }); // every case loses line 8
  await clean.store.applyUpload(V1, v1);
  const cleanCounts = await clean.store.applyUpload(V2, v2);

  let v2Batches = 0;
  const crashing = await fixture({ concurrency: 2 }, (c) => {
    const batch = (c.input as { RequestItems?: Record<string, { PutRequest?: { Item: { versionId: string } } }[]> }).RequestItems;
    const ofV2 = Object.values(batch ?? {})
      .flat()
      .some((r) => r.PutRequest?.Item.versionId === V2.versionId);
    // v2's 280 lines make 12 put batches; the 5th of them fails
    return ofV2 && ++v2Batches === 5 ? { throw: new Error('Lambda crashed') } : undefined;
  });
  await crashing.store.applyUpload(V1, v1);
  await assert.rejects(crashing.store.applyUpload(V2, v2), /Lambda crashed/);
  assert.notDeepEqual(await scanAll(crashing.client, crashing.tableName), await scanAll(clean.client, clean.tableName));

  const retried = await crashing.store.applyUpload(V2, v2);
  assert.deepEqual(await scanAll(crashing.client, crashing.tableName), await scanAll(clean.client, clean.tableName));
  assert.deepEqual(retried, cleanCounts);
  assert.deepEqual(counts(cleanCounts), { written: 280, withdrawn: 40, supersededCases: 0 });
});

test('crashes among the deletes, then retries, report the withdrawn count of a clean run', async () => {
  // concurrency 1: one batch at a time, each case's line 5 deleted right after its puts. The first run dies at the
  // batch deleting case 26's (cases 1-25 are done); the retry, whose deletes of cases 1-25 find nothing, dies there
  // again; the third run finishes.
  let crashes = 0;
  const f = await fixture({ concurrency: 1 }, (c) => {
    const batch = (c.input as { RequestItems?: Record<string, { DeleteRequest?: { Key: { pk: string } } }[]> }).RequestItems;
    const pks = Object.values(batch ?? {})
      .flat()
      .map((r) => r.DeleteRequest?.Key.pk);
    if (c.command === 'BatchWriteItemCommand' && pks.includes('CASE#FR#C0026') && crashes < 2) {
      crashes++;
      return { throw: new Error('Lambda crashed') };
    }
    return undefined;
  });
  await f.store.applyUpload(V1, manyLines(30, 5));
  await assert.rejects(f.store.applyUpload(V2, manyLines(30, 4)), /Lambda crashed/);
  await assert.rejects(f.store.applyUpload(V2, manyLines(30, 4)), /Lambda crashed/);
  const got = await f.store.applyUpload(V2, manyLines(30, 4));
  assert.deepEqual(counts(got), { written: 120, withdrawn: 30, supersededCases: 0 });
  assert.deepEqual(sorted(await collect(f.store.linesOf(1, 'FR'))), sorted(manyLines(30, 4)));
});

test('an older version applied after a newer one changes nothing and counts its cases as superseded', async () => {
  const f = await fixture();
  await f.store.applyUpload(W2, v2Lines());
  const after2 = await scanAll(f.client, f.tableName);
  assert.deepEqual(counts(await f.store.applyUpload(W1, v1Lines())), { written: 0, withdrawn: 0, supersededCases: 10 });
  assert.deepEqual(await scanAll(f.client, f.tableName), after2);
});

test('an older version supersedes only the cases a newer upload holds', async () => {
  const f = await fixture();
  await f.store.applyUpload(V2, manyLines(2, 3, { quantity: 2 })); // cases 1-2
  const result = await f.store.applyUpload(V1, manyLines(4, 3, { quantity: 1 })); // cases 1-4
  assert.deepEqual(counts(result), { written: 6, withdrawn: 0, supersededCases: 2 });
  const quantities = (await collect(f.store.linesOf(1, 'FR'))).map((r) => `${r.case_ref}:${r.quantity}`);
  assert.deepEqual([...new Set(quantities)], ['C0001:2', 'C0002:2', 'C0003:1', 'C0004:1']);
});

test('a re-upload without a line withdraws it from its case and from byPhase', async () => {
  const f = await fixture();
  await f.store.applyUpload(V1, [line({ case_ref: 'K1', line_no: 1 }), line({ case_ref: 'K1', line_no: 2 })]);
  const result = await f.store.applyUpload(V2, [line({ case_ref: 'K1', line_no: 1 })]);
  assert.deepEqual(counts(result), { written: 1, withdrawn: 1, supersededCases: 0 });
  assert.deepEqual(await collect(f.store.linesOf(1, 'FR')), [line({ case_ref: 'K1', line_no: 1 })]);
  const inCase = (await scanAll(f.client, f.tableName)).filter((i) => i['pk']?.S === keys.casePk('FR', 'K1'));
  assert.deepEqual(
    inCase.map((i) => i['sk']?.S),
    ['LINE#000001'],
  );
});

test('cases absent from a newer upload keep their lines', async () => {
  const f = await fixture();
  await f.store.applyUpload(V1, [line({ case_ref: 'A', line_no: 1 }), line({ case_ref: 'B', line_no: 1 })]);
  await f.store.applyUpload(V2, [line({ case_ref: 'B', line_no: 1, quantity: 9 })]);
  const lines = await collect(f.store.linesOf(1, 'FR'));
  assert.deepEqual(lines, [line({ case_ref: 'A', line_no: 1 }), line({ case_ref: 'B', line_no: 1, quantity: 9 })]);
});

test('a corrected date moves the lines of a case to another phase', async () => {
  const f = await fixture();
  const inPhase1 = [1, 2].map((n) => line({ case_ref: 'K7', line_no: n, seizure_date: '2021-09-30', phase: 1 }));
  const inPhase2 = [1, 2].map((n) => line({ case_ref: 'K7', line_no: n, seizure_date: '2021-10-01', phase: 2 }));
  await f.store.applyUpload(V1, inPhase1);
  await f.store.applyUpload(V2, inPhase2);
  assert.deepEqual(await collect(f.store.linesOf(1, 'FR')), []);
  assert.deepEqual(await collect(f.store.linesOf(2, 'FR')), inPhase2);
});

test('a case_ref with spaces and non-ASCII characters is stored, replaced and read back as given', async () => {
  const f = await fixture();
  const ref = 'Dossier n° 12 / Zoll Köln – 東京';
  await f.store.applyUpload(V1, [line({ case_ref: ref, line_no: 1 }), line({ case_ref: ref, line_no: 2 })]);
  const result = await f.store.applyUpload(V2, [line({ case_ref: ref, line_no: 1, quantity: 5 })]);
  assert.deepEqual(counts(result), { written: 1, withdrawn: 1, supersededCases: 0 });
  assert.deepEqual(await collect(f.store.linesOf(1, 'FR')), [line({ case_ref: ref, line_no: 1, quantity: 5 })]);
});

test('a case_ref spelled with combining accents addresses the same case as its composed spelling', async () => {
  const f = await fixture();
  const composed = 'Affaire é';
  const decomposed = composed.normalize('NFD');
  assert.notEqual(composed, decomposed);
  await f.store.applyUpload(V1, [line({ case_ref: composed, line_no: 1 }), line({ case_ref: composed, line_no: 2 })]);
  const result = await f.store.applyUpload(V2, [line({ case_ref: decomposed, line_no: 1 })]);
  assert.deepEqual(counts(result), { written: 1, withdrawn: 1, supersededCases: 0 });
});

test('records of another Member are refused before anything is written', async () => {
  const f = await fixture();
  const records = [line({ case_ref: 'A', line_no: 1 }), line({ case_ref: 'B', line_no: 1, reporting_member: 'DE' })];
  await assert.rejects(f.store.applyUpload(V1, records), RangeError);
  assert.deepEqual(await scanAll(f.client, f.tableName), []);
});

test('a repeated (case_ref, line_no) is refused before anything is written', async () => {
  const f = await fixture();
  const records = [line({ case_ref: 'A', line_no: 1 }), line({ case_ref: 'A', line_no: 1, quantity: 2 })];
  await assert.rejects(f.store.applyUpload(V1, records), /appears twice/);
  assert.deepEqual(await scanAll(f.client, f.tableName), []);
});

test('lines still unwritten after the retry budget reach the caller as UnprocessedItemsError', async () => {
  const f = await fixture({ maxAttempts: 3 }, (c) => (c.command === 'BatchWriteItemCommand' ? { keep: 1 } : undefined));
  await assert.rejects(f.store.applyUpload(V1, manyLines(1, 10)), (e: unknown) => e instanceof UnprocessedItemsError && e.count === 7);
});

test('unprocessed items and keys, and throttled lease and head writes along the way still end in the full upload', async () => {
  const f = await fixture({}, (c) => {
    if (c.command === 'BatchWriteItemCommand' && c.n % 2 === 1) return { keep: 3 };
    if (c.command === 'BatchGetItemCommand' && c.n % 2 === 1) return { keep: 1 };
    if ((c.command === 'PutItemCommand' || c.command === 'DeleteItemCommand') && c.n % 3 === 0) {
      const e = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { throw: e };
    }
    return undefined;
  });
  await f.store.applyUpload(V1, v1Lines());
  assert.deepEqual(counts(await f.store.applyUpload(V2, v2Lines())), { written: 48, withdrawn: 3, supersededCases: 0 });
  assert.deepEqual(sorted(await collect(f.store.linesOf(1, 'FR'))), sorted(v2Lines()));
});

test('an upload never has more than `concurrency` requests in flight', async () => {
  const f = await fixture({ concurrency: 3 });
  const log = injectFaults(f.client, () => undefined);
  await f.store.applyUpload(V1, manyLines(60, 5));
  await f.store.applyUpload(V2, manyLines(60, 3)); // head reads, intents, puts and deletes, clears
  assert.ok(log.count('BatchGetItemCommand') > 0 && log.count('PutItemCommand') > 3 && log.count('BatchWriteItemCommand') > 0);
  assert.equal(log.maxInFlight, 3);
});

test('an empty orderToken is refused before anything is written', async () => {
  const f = await fixture();
  await assert.rejects(f.store.applyUpload({ ...V1, orderToken: '' }, v1Lines()), RangeError);
  assert.deepEqual(await scanAll(f.client, f.tableName), []);
});

test('lines of an upload that died midway and never ran again are removed by the next upload of the case', async () => {
  // v1 declares lines 1-30 of K; its second batch (lines 26-30) never lands, and the process dies without releasing
  // the lease (its DeleteItem fails), which then lapses.
  const f = await fixture({ lease: { leaseMs: 2_000 } }, (c) => {
    if (c.command === 'BatchWriteItemCommand' && c.n === 2) return { throw: new Error('Lambda crashed') };
    if (c.command === 'DeleteItemCommand') return { throw: new Error('Lambda crashed') };
    return undefined;
  });
  const v1 = Array.from({ length: 30 }, (_, i) => line({ case_ref: 'K', line_no: i + 1 }));
  await assert.rejects(f.store.applyUpload(V1, v1), /Lambda crashed/);
  assert.equal((await collect(f.store.linesOf(1, 'FR'))).length, 25);

  const next = sibling(f, undefined, { lease: { waitMs: 0 } });
  await assert.rejects(next.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 2 })]), { name: 'MemberBusyError' });
  const waiting = sibling(f, undefined, { lease: { waitMs: 30_000, pollMs: 20 } });
  // The count is of the lines v1 declared without the one v2 keeps, whether or not they had landed.
  assert.deepEqual(counts(await waiting.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 2 })])), {
    written: 1,
    withdrawn: 29,
    supersededCases: 0,
  });
  assert.deepEqual(await collect(f.store.linesOf(1, 'FR')), [line({ case_ref: 'K', line_no: 1, quantity: 2 })]);
});

test('the heads cost a few calls per upload, not one per case: 1,000 cases of 2 lines', async () => {
  const f = await fixture();
  const log = injectFaults(f.client, () => undefined);
  const lines = manyLines(1000, 2);
  const shards = new Set(lines.map((r) => keys.headShardOf(r.case_ref))).size;
  assert.ok(shards > 200 && shards <= keys.HEAD_SHARDS, `${shards} shards`);
  await f.store.applyUpload(V1, lines);
  assert.equal(log.count('BatchWriteItemCommand'), 2000 / 25);
  assert.equal(log.count('BatchGetItemCommand'), Math.ceil(shards / 100));
  assert.equal(log.count('PutItemCommand'), 2 + shards); // the lease, the key's newest version, one intent per shard
  assert.equal(log.count('DeleteItemCommand'), 1); // the lease
  assert.equal(log.count('GetItemCommand'), 0);
  assert.equal(log.count('QueryCommand'), 1); // the key's OBJECT# partition: its newest version and its submissions
  assert.equal(log.count('UpdateItemCommand'), 0);
});

test('a shard whose cases had lines to delete is written again once they are gone, so they are not deleted again', async () => {
  const f = await fixture();
  await f.store.applyUpload(V1, manyLines(3, 3));
  await f.store.applyUpload(V2, manyLines(3, 2));
  const log = injectFaults(f.client, () => undefined);
  assert.deepEqual(counts(await f.store.applyUpload(V3, manyLines(3, 2, { quantity: 5 }))), {
    written: 6,
    withdrawn: 0,
    supersededCases: 0,
  });
  const deletes = log.calls
    .filter((c) => c.command === 'BatchWriteItemCommand')
    .flatMap((c) => Object.values((c.input as { RequestItems: Record<string, Array<{ DeleteRequest?: unknown }>> }).RequestItems).flat())
    .filter((r) => r.DeleteRequest !== undefined);
  assert.deepEqual(deletes, []);
});
