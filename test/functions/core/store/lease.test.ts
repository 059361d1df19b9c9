/**
 * The Member lease (store/lease.ts) as applyUpload uses it: one upload of a Member at a time, others of the same
 * Member wait (a rerun of the same upload too), other Members do not, a crashed run's lease lapses, a holder that
 * cannot renew stops before anyone else could write.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as keys from '../../../../functions/core/store/keys.ts';
import type { ApplyResult } from '../../../../functions/core/store/objects.ts';
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

const V1 = upload('v1', '2021-05-12T10:00:00.000Z#0001');
const V2 = upload('v2', '2021-05-13T09:00:00.000Z#0002');
const V3 = upload('v3', '2021-05-14T08:00:00.000Z#0003');

async function table(): Promise<{ tableName: string; client: DynamoDBClient }> {
  return { tableName: await local.table(), client: local.client() };
}

function store(tableName: string, opts: Partial<StoreOptions> = {}, rule?: (c: CallInfo) => FaultAction) {
  const client = local.client();
  const log = injectFaults(client, rule ?? (() => undefined));
  return { store: new SeizureStore({ client, tableName, sleep: noSleep, ...opts }), log };
}

/** A lease as a run that is not this test's left it. */
async function leaseHeldBy(client: DynamoDBClient, tableName: string, orderToken: string, expiresInMs: number, member = 'FR') {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: keys.lockPk(member) },
        sk: { S: keys.LOCK_SK },
        member: { S: member },
        orderToken: { S: orderToken },
        run: { S: 'another-run' },
        expiresAt: { N: String(Date.now() + expiresInMs) },
      },
    }),
  );
}

const lockItems = async (client: DynamoDBClient, tableName: string) =>
  (await scanAll(client, tableName)).filter((i) => i['pk']?.S?.startsWith('LOCK#'));

test('two uploads of one Member at once run one after the other and end as if applied in order; no lease is left', async () => {
  const { tableName, client } = await table();
  const t = store(tableName, { lease: { pollMs: 5 } });
  let second: Promise<ApplyResult> | undefined;
  const s = store(tableName, {}, (c) =>
    c.command === 'BatchWriteItemCommand' && second === undefined
      ? { before: async () => void (second = t.store.applyUpload(V2, manyLines(5, 2, { quantity: 2 }))) }
      : undefined,
  );
  const first = await s.store.applyUpload(V1, manyLines(5, 3, { quantity: 1 }));
  assert.deepEqual(counts(first), { written: 15, withdrawn: 0, supersededCases: 0 });
  assert.deepEqual(counts((await second)!), { written: 10, withdrawn: 5, supersededCases: 0 });
  // v2 asked for the lease while v1 held it, and got it only after v1 let it go.
  const leaseCalls = t.log.calls.filter((c) => c.command === 'PutItemCommand' && (c.input['Item'] as { sk: string }).sk === keys.LOCK_SK);
  assert.ok(leaseCalls.length >= 2, `${leaseCalls.length} lease call(s)`);
  assert.deepEqual(
    (await collect(s.store.linesOf(1, 'FR'))).map((r) => `${r.case_ref}/${r.line_no}:${r.quantity}`),
    manyLines(5, 2).map((r) => `${r.case_ref}/${r.line_no}:2`),
  );
  assert.deepEqual(await lockItems(client, tableName), []);
});

test("another Member's upload is not held up by a Member's lease", async () => {
  const { tableName } = await table();
  const other = store(tableName, { lease: { waitMs: 0 } });
  let de: ApplyResult | undefined;
  const fr = store(tableName, {}, (c) =>
    c.command === 'BatchWriteItemCommand' && de === undefined
      ? {
          before: async () =>
            void (de = await other.store.applyUpload(upload('d1', V2.orderToken, 'DE'), [
              line({ case_ref: 'K', line_no: 1, reporting_member: 'DE' }),
            ])),
        }
      : undefined,
  );
  await fr.store.applyUpload(V1, manyLines(2, 2));
  assert.deepEqual(counts(de!), { written: 1, withdrawn: 0, supersededCases: 0 });
});

test('an upload that waits longer than waitMs fails with MemberBusyError and writes nothing', async () => {
  const { tableName, client } = await table();
  await leaseHeldBy(client, tableName, V1.orderToken, 60_000);
  const before = await scanAll(client, tableName);
  const { store: s } = store(tableName, { lease: { waitMs: 200, pollMs: 20 } });
  await assert.rejects(
    s.applyUpload(V2, manyLines(2, 2)),
    (e: Error) => e.name === 'MemberBusyError' && /another upload of FR/.test(e.message),
  );
  assert.deepEqual(await scanAll(client, tableName), before);
});

test('a lease no longer renewed lapses, and the waiting upload goes ahead', async () => {
  const { tableName, client } = await table();
  await leaseHeldBy(client, tableName, V1.orderToken, 300);
  const { store: s, log } = store(tableName, { lease: { waitMs: 30_000, pollMs: 20 } });
  assert.deepEqual(counts(await s.applyUpload(V2, manyLines(2, 2))), { written: 4, withdrawn: 0, supersededCases: 0 });
  assert.ok(log.count('PutItemCommand') > 3, 'it had to wait');
});

test('a second delivery of an upload, processed while its first run is still writing, waits for it (no takeover)', async () => {
  const { tableName, client } = await table();
  const other = store(tableName, { lease: { pollMs: 5 } });
  const k = (quantity: number, ...lineNos: number[]) => lineNos.map((n) => line({ case_ref: 'K', line_no: n, quantity }));
  let later: Promise<ApplyResult> | undefined;
  const run1 = store(tableName, {}, (c) =>
    c.command === 'BatchWriteItemCommand' && later === undefined
      ? {
          before: async () => {
            // The duplicate of v2, then v3 (K line 1 only), both while run 1 has its lines in flight.
            later = other.store.applyUpload(V2, k(2, 1, 2)).then(() => other.store.applyUpload(V3, k(3, 1)));
            await new Promise((r) => setTimeout(r, 50));
          },
        }
      : undefined,
  );
  assert.deepEqual(counts(await run1.store.applyUpload(V2, k(2, 1, 2))), { written: 2, withdrawn: 0, supersededCases: 0 });
  assert.deepEqual(counts((await later)!), { written: 1, withdrawn: 1, supersededCases: 0 });
  assert.deepEqual(
    (await collect(run1.store.linesOf(1, 'FR'))).map((r) => `${r.line_no}:${r.quantity}`),
    ['1:3'],
  );
  assert.deepEqual(await lockItems(client, tableName), []);
});

test("removeLeases frees a dead process's lease at once (the local cloud does it at start)", async () => {
  const { tableName, client } = await table();
  await leaseHeldBy(client, tableName, V2.orderToken, 60_000);
  const { store: s } = store(tableName, { lease: { waitMs: 0 } });
  await assert.rejects(s.applyUpload(V2, manyLines(2, 2)), { name: 'MemberBusyError' });
  await s.removeLeases(['FR', 'DE']);
  assert.deepEqual(counts(await s.applyUpload(V2, manyLines(2, 2))), { written: 4, withdrawn: 0, supersededCases: 0 });
});

test('a holder whose renewals keep failing stops before its lease could lapse, without writing a line', async () => {
  const { tableName, client } = await table();
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  let slowed = false;
  const { store: s } = store(tableName, { lease: { leaseMs: 150 } }, (c) => {
    if (c.command === 'UpdateItemCommand') return { throw: throttled };
    if (c.command === 'PutItemCommand' && (c.input['Item'] as { sk: string }).sk === keys.HEADS_SK && !slowed) {
      slowed = true;
      return { before: () => new Promise((r) => setTimeout(r, 200)) }; // the intent is slow: the lease is no longer sure
    }
    return undefined;
  });
  await assert.rejects(
    s.applyUpload(V1, manyLines(2, 2)),
    (e: Error) => e.name === 'LeaseLostError' && /could not be renewed/.test(e.message),
  );
  assert.deepEqual(
    (await scanAll(client, tableName)).filter((i) => i['pk']?.S?.startsWith('CASE#')),
    [],
  );
});

test('a head write (or NEWEST write) that landed but whose response was lost is retried and accepted as its own', async () => {
  for (const lostSk of [keys.HEADS_SK, keys.NEWEST_SK]) {
    const { tableName, client } = await table();
    const c = local.client();
    let dropped = false;
    c.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const sk = (args.input as { Item?: { sk?: { S?: string } } }).Item?.sk?.S;
        if (context.commandName === 'PutItemCommand' && sk === lostSk && !dropped) {
          dropped = true;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return out;
      },
      { step: 'build', name: 'dropResponse' },
    );
    const s = new SeizureStore({ client: c, tableName, sleep: noSleep });
    assert.deepEqual(counts(await s.applyUpload(V1, [line({ case_ref: 'K', line_no: 1 })])), {
      written: 1,
      withdrawn: 0,
      supersededCases: 0,
    });
    assert.ok(dropped, lostSk);
    const shard = (await scanAll(client, tableName)).find((i) => i['sk']?.S === keys.HEADS_SK);
    assert.equal(shard?.['rev']?.N, '1');
  }
});

test('a run whose lease is taken over stops with LeaseLostError and leaves the new lease in place', async () => {
  const { tableName, client } = await table();
  let taken = false;
  // Not timed against the machine: the straddling write waits until a renewal sent after the takeover has been
  // answered (renewals run one after another, so that is when the next one is sent), however long that takes under
  // load; the lease is long enough (renewed every second, sure for 2.25 s) that a slow machine cannot lose it any
  // other way before the takeover.
  let renewalsAfterTakeover = 0;
  const { store: s } = store(tableName, { lease: { leaseMs: 3_000 }, lineWriteTimeoutMs: 60_000 }, (c) => {
    if (c.command === 'UpdateItemCommand' && taken) {
      return { before: async () => void renewalsAfterTakeover++ };
    }
    return c.command === 'BatchWriteItemCommand' && !taken
      ? {
          before: async () => {
            taken = true;
            await leaseHeldBy(client, tableName, V1.orderToken, 60_000); // as a rerun of v1 would
            while (renewalsAfterTakeover < 2) await new Promise((r) => setTimeout(r, 20)); // a renewal goes by
          },
        }
      : undefined;
  });
  await assert.rejects(s.applyUpload(V1, manyLines(2, 2)), { name: 'LeaseLostError' });
  assert.deepEqual(
    (await lockItems(client, tableName)).map((i) => i['run']?.S),
    ['another-run'],
  );
});

test('heads changed under an upload are never overwritten: its head write fails with LeaseLostError', async () => {
  const { tableName, client } = await table();
  const { store: first } = store(tableName);
  await first.applyUpload(V1, [line({ case_ref: 'K', line_no: 1 })]);
  const shard = { pk: keys.headsPk('FR', keys.headShardOf('K')), sk: keys.HEADS_SK };
  let meddled = false;
  const { store: s } = store(tableName, {}, (c) =>
    c.command === 'PutItemCommand' && (c.input['Item'] as { sk: string }).sk === keys.HEADS_SK && !meddled
      ? {
          before: async () => {
            meddled = true;
            await client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: { pk: { S: shard.pk }, sk: { S: shard.sk }, rev: { N: '7' }, heads: { S: '[]' } },
              }),
            );
          },
        }
      : undefined,
  );
  await assert.rejects(s.applyUpload(V2, [line({ case_ref: 'K', line_no: 1, quantity: 2 })]), { name: 'LeaseLostError' });
  const item = (await scanAll(client, tableName)).find((i) => i['pk']?.S === shard.pk);
  assert.equal(item?.['rev']?.N, '7');
});
