import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadedLineReader } from '../../../../functions/core/store/headed.ts';
import { keyDigest, versionDigest } from '../../../../functions/core/store/heads.ts';
import { HEADS_SK, NEWEST_SK, submissionPk } from '../../../../functions/core/store/keys.ts';
import { SeizureStore, type StoreOptions } from '../../../../functions/core/store/store.ts';
import {
  collect,
  injectFaults,
  line,
  noSleep,
  scanAll,
  submission,
  upload,
  useDynalite,
  type CallInfo,
  type FaultAction,
} from './local-dynamo.ts';

const local = useDynalite();

async function fixture(opts: Partial<StoreOptions> = {}, rule?: (c: CallInfo) => FaultAction) {
  const tableName = await local.table();
  const client = local.client();
  if (rule) injectFaults(client, rule);
  const store = new SeizureStore({ client, tableName, sleep: noSleep, concurrency: 1, ...opts });
  const again = (): SeizureStore => new SeizureStore({ client: local.client(), tableName, sleep: noSleep, concurrency: 1, ...opts });
  return { store, again, client, tableName };
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

const KEY = 'incoming/FR/seizures.xlsx';
const W1 = upload('w1', '2021-05-12T10:00:00.000Z#0001', 'FR', KEY);
const W2 = upload('w2', '2021-05-13T09:00:00.000Z#0002', 'FR', KEY);
/** Another file, between the two versions. */
const G = upload('g', '2021-05-12T18:00:00.000Z#0009');

const cases = (refs: string[], linesEach: number, quantity = 1): SeizureRecord[] =>
  refs.flatMap((case_ref) => Array.from({ length: linesEach }, (_, i) => line({ case_ref, line_no: i + 1, quantity })));
/** Every line item, and the lines a head names (what a phase close counts, headed.ts), as case/line:quantity. */
const tableOf = async (f: Fixture): Promise<{ all: string[]; headed: string[] }> => {
  const fmt = (rs: SeizureRecord[]): string[] => rs.map((r) => `${r.case_ref}/${r.line_no}:${r.quantity}`).sort();
  const headed = new HeadedLineReader({ client: f.client, tableName: f.tableName, sleep: noSleep });
  return { all: fmt(await collect(f.store.linesOf(1, 'FR'))), headed: fmt(await collect(headed.linesOf(1, 'FR'))) };
};
const quantities = async (s: SeizureStore): Promise<string[]> =>
  [...new Set((await collect(s.linesOf(1, 'FR'))).map((r) => `${r.case_ref}:${r.quantity}`))].sort();

test('a new version of a key withdraws the cases it no longer has; another file keeps the case it took', async () => {
  const f = await fixture();
  await f.store.applyUpload(W1, cases(['A', 'B', 'C', 'D'], 2, 1));
  await f.store.applyUpload(G, cases(['B'], 1, 9)); // another file replaces only B
  const r = await f.store.applyUpload(W2, cases(['A'], 3, 2));
  assert.deepEqual(await quantities(f.store), ['A:2', 'B:9']);
  assert.deepEqual(r, {
    written: 3,
    withdrawn: 4, // the 2 lines each of C and D
    supersededCases: 0,
    storedCases: 1,
    replacedCases: 1,
    withdrawnCases: 2,
    replaced: [versionDigest(KEY, 'w1')],
  });
  // The same version delivered again: same table, same counts.
  const once = await scanAll(f.client, f.tableName);
  assert.deepEqual(await f.store.applyUpload(W2, cases(['A'], 3, 2)), r);
  assert.deepEqual(await scanAll(f.client, f.tableName), once);
  // A withdrawn case comes back with a later file, as a new case.
  const back = await f.store.applyUpload(upload('h', '2021-05-14T00:00:00.000Z#0001'), cases(['C'], 1, 5));
  assert.equal(back.replacedCases, 0);
  assert.deepEqual(await quantities(f.store), ['A:2', 'B:9', 'C:5']);
});

test('other files replace only the cases they contain, and name the files they replaced', async () => {
  const f = await fixture();
  await f.store.applyUpload(W1, cases(['A', 'B'], 1, 1));
  const r = await f.store.applyUpload(G, cases(['B', 'X'], 1, 9));
  assert.deepEqual([r.storedCases, r.replacedCases, r.withdrawnCases], [2, 1, 0]);
  assert.deepEqual(r.replaced, [versionDigest(KEY, 'w1')]);
  assert.deepEqual(await quantities(f.store), ['A:1', 'B:9', 'X:9']);
});

test('an older version processed after the newer one changes nothing, even for cases only it has', async () => {
  const inOrder = await fixture();
  await inOrder.store.applyUpload(W1, cases(['A', 'B', 'C'], 2, 1));
  await inOrder.store.applyUpload(W2, cases(['A'], 1, 2));

  const late = await fixture();
  await late.store.applyUpload(W2, cases(['A'], 1, 2));
  const r = await late.store.applyUpload(W1, cases(['A', 'B', 'C'], 2, 1));
  assert.deepEqual([r.written, r.withdrawn, r.supersededCases, r.storedCases], [0, 0, 3, 0]);
  assert.deepEqual(await quantities(late.store), await quantities(inOrder.store));
  assert.deepEqual(await quantities(late.store), ['A:2']);
});

test('versions of one key are ordered by sequencer, not event time, whichever is processed first', async () => {
  // The later version (greater sequencer) has the earlier event time.
  const X1 = upload('x1', '2021-05-12T10:00:05.000Z#00000000000000000000000000000A0', 'FR', KEY);
  const X2 = upload('x2', '2021-05-12T10:00:04.000Z#00000000000000000000000000000B0', 'FR', KEY);
  const v1 = cases(['A', 'B'], 2, 1);
  const v2 = cases(['A'], 1, 2);
  const a = await fixture();
  await a.store.applyUpload(X1, v1);
  const forward = await a.store.applyUpload(X2, v2);
  assert.deepEqual([forward.storedCases, forward.replacedCases, forward.withdrawnCases, forward.supersededCases], [1, 1, 1, 0]);
  const b = await fixture();
  await b.store.applyUpload(X2, v2);
  const backward = await b.store.applyUpload(X1, v1);
  assert.deepEqual([backward.storedCases, backward.supersededCases], [0, 2]);
  assert.deepEqual(await quantities(a.store), ['A:2']);
  assert.deepEqual(await quantities(b.store), ['A:2']);
});

test('sequencers of different lengths compare as numbers', async () => {
  const Y1 = upload('y1', '2021-05-12T10:00:00.000Z#FF', 'FR', KEY);
  const Y2 = upload('y2', '2021-05-12T09:00:00.000Z#100', 'FR', KEY);
  const f = await fixture();
  await f.store.applyUpload(Y2, cases(['A'], 1, 2));
  assert.equal((await f.store.applyUpload(Y1, cases(['A', 'B'], 1, 1))).supersededCases, 2);
  assert.deepEqual(await quantities(f.store), ['A:2']);
});

/** W1 and G, then W2 (which replaces A, withdraws C and D, and leaves G's B). */
async function before(s: SeizureStore): Promise<void> {
  await s.applyUpload(W1, cases(['A', 'B', 'C', 'D'], 3, 1));
  await s.applyUpload(G, cases(['B'], 1, 9));
}
const w2Lines = (): SeizureRecord[] => cases(['A', 'E'], 2, 2);

test("a crash before any one of the new version's calls, then a rerun, ends as one clean run; an older version late changes nothing", async () => {
  const clean = await fixture();
  await before(clean.store);
  const log = injectFaults(clean.client, () => undefined);
  const cleanResult = await clean.store.applyUpload(W2, w2Lines());
  const calls = log.calls.length;
  const cleanTable = await scanAll(clean.client, clean.tableName);
  assert.deepEqual(await quantities(clean.store), ['A:2', 'B:9', 'E:2']);
  assert.ok(calls >= 8, `${calls} calls`);

  for (let n = 1; n <= calls; n++) {
    let armed = false;
    let seen = 0;
    const f = await fixture({}, () => (armed && ++seen === n ? { throw: new Error(`Lambda crashed at call ${n}`) } : undefined));
    await before(f.store);
    armed = true;
    // The last call is the lease's release, whose failure the upload survives; the lease is then left to lapse.
    const crashed = await f.store.applyUpload(W2, w2Lines()).then(
      () => false,
      () => true,
    );
    assert.ok(crashed || n === calls, `call ${n}`);
    // The dead run's lease lapses before the message comes back (the local cloud's start does the same).
    await f.again().removeLeases(['FR']);
    const rerun = await f.again().applyUpload(W2, w2Lines());
    assert.deepEqual(rerun, cleanResult, `counts after a crash at call ${n}`);
    assert.deepEqual(await scanAll(f.client, f.tableName), cleanTable, `table after a crash at call ${n}`);
    // The older version, processed late (a redelivery after the newer one): nothing changes.
    const late = await f.again().applyUpload(W1, cases(['A', 'B', 'C', 'D'], 3, 1));
    assert.equal(late.storedCases, 0, `call ${n}`);
    assert.deepEqual(await scanAll(f.client, f.tableName), cleanTable, `table after the late older version, call ${n}`);
  }
}, 60_000);

test('an older version processed while the newer one lies crashed midway does not undo it, and the rerun completes it', async () => {
  const clean = await fixture();
  await before(clean.store);
  await clean.store.applyUpload(W2, w2Lines());
  const cleanTable = await scanAll(clean.client, clean.tableName);

  let crash = false;
  const f = await fixture({}, (c) =>
    crash && c.command === 'BatchWriteItemCommand' ? { throw: new Error('Lambda crashed among the lines') } : undefined,
  );
  await before(f.store);
  crash = true;
  await assert.rejects(f.store.applyUpload(W2, w2Lines()), /Lambda crashed/);
  crash = false;
  const late = await f.again().applyUpload(W1, cases(['A', 'B', 'C', 'D'], 3, 1));
  assert.equal(late.written, 0);
  await f.again().applyUpload(W2, w2Lines());
  assert.deepEqual(await scanAll(f.client, f.tableName), cleanTable);
});

test('a withdrawal does not block a newer file of another key: {V1, U, V2} in every order give the event-order table', async () => {
  // K's V1 (10:00) has A and C; U, another key (18:00), sends C; K's V2 (next day) no longer has C.
  const steps: Record<string, [typeof W1, () => SeizureRecord[]]> = {
    V1: [W1, () => cases(['A', 'C'], 2, 1)],
    U: [G, () => cases(['C'], 1, 9)],
    V2: [W2, () => cases(['A'], 1, 2)],
  };
  const want = { all: ['A/1:2', 'C/1:9'], headed: ['A/1:2', 'C/1:9'] };
  const orders = [
    ['V1', 'U', 'V2'],
    ['V1', 'V2', 'U'],
    ['U', 'V1', 'V2'],
    ['U', 'V2', 'V1'],
    ['V2', 'V1', 'U'],
    ['V2', 'U', 'V1'],
  ];
  for (const order of orders) {
    const f = await fixture();
    for (const name of order) {
      const [u, lines] = steps[name]!;
      const r = await f.store.applyUpload(u, lines());
      if (name === 'U') assert.equal(r.supersededCases, 0, `U is never superseded (${order.join(',')})`);
    }
    assert.deepEqual(await tableOf(f), want, order.join(','));
  }
}, 60_000);

test("V2 crashed at any call, then another key's newer upload, then V2's rerun: the event-order table", async () => {
  const v1 = (): SeizureRecord[] => cases(['A', 'B', 'C'], 2, 1);
  const v2 = (): SeizureRecord[] => cases(['A'], 1, 2);
  const u = (): SeizureRecord[] => cases(['B', 'C'], 1, 9);
  const clean = await fixture();
  await clean.store.applyUpload(W1, v1());
  await clean.store.applyUpload(G, u());
  await clean.store.applyUpload(W2, v2());
  const want = await tableOf(clean);
  assert.deepEqual(want.headed, ['A/1:2', 'B/1:9', 'C/1:9']);

  const count = await fixture();
  await count.store.applyUpload(W1, v1());
  const log = injectFaults(count.client, () => undefined);
  await count.store.applyUpload(W2, v2());
  const calls = log.calls.length;
  for (let n = 1; n <= calls; n++) {
    let armed = false;
    let seen = 0;
    const f = await fixture({}, () => (armed && ++seen === n ? { throw: new Error(`Lambda crashed at call ${n}`) } : undefined));
    await f.store.applyUpload(W1, v1());
    armed = true;
    await f.store.applyUpload(W2, v2()).catch(() => undefined);
    armed = false;
    await f.again().removeLeases(['FR']);
    assert.equal((await f.again().applyUpload(G, u())).supersededCases, 0, `U superseded after a crash at call ${n}`);
    await f.again().applyUpload(W2, v2());
    assert.deepEqual(await tableOf(f), want, `crash at call ${n}`);
  }
}, 60_000);

test('cases the new version has only on invalid rows (presentCases) are not withdrawn', async () => {
  const f = await fixture();
  await f.store.applyUpload(W1, cases(['A', 'Café', 'D'], 2, 1));
  const r = await f.store.applyUpload(W2, cases(['A'], 1, 2), { presentCases: [' Cafe\u0301 '] });
  assert.deepEqual([r.withdrawnCases, r.withdrawn], [1, 3]); // D's 2 lines, and A's line 2
  assert.deepEqual(await quantities(f.store), ['A:2', 'Café:1']);
});

/** The table as the code before key digests left it: heads `{orderToken}#{version digest}`, and no NEWEST item. */
async function toOldFormat(f: Fixture): Promise<void> {
  const client = local.client();
  for (const item of await scanAll(f.client, f.tableName)) {
    if (item['sk']?.S !== HEADS_SK) continue;
    const heads = (JSON.parse(item['heads']!.S!) as unknown[][]).map(([ref, token, ...rest]) => [
      ref,
      String(token).replace(`#${keyDigest(KEY)}.`, '#'),
      ...rest,
    ]);
    await client.send(new PutItemCommand({ TableName: f.tableName, Item: { ...item, heads: { S: JSON.stringify(heads) } } }));
  }
  await client.send(new DeleteItemCommand({ TableName: f.tableName, Key: { pk: { S: submissionPk(KEY) }, sk: { S: NEWEST_SK } } }));
}

test('across the head-format change: a version applied or crashed before it is replaced by key by the next version', async () => {
  const v1 = (): SeizureRecord[] => cases(['A', 'D'], 3, 1);
  const v2 = (): SeizureRecord[] => cases(['A'], 1, 2);
  const clean = await fixture();
  await clean.store.applyUpload(W1, v1());
  await clean.store.applyUpload(W2, v2());
  const want = await tableOf(clean);
  assert.deepEqual(want, { all: ['A/1:2'], headed: ['A/1:2'] });

  for (const crashed of [false, true]) {
    let crash = false;
    // V1 crashes among its lines (4 of its 6 lines put), before the deploy; or completes.
    const f = await fixture({}, (c) =>
      crash && c.command === 'BatchWriteItemCommand' ? (c.n === 1 ? { keep: 4 } : { throw: new Error('Lambda crashed') }) : undefined,
    );
    crash = crashed;
    await f.store.applyUpload(W1, v1()).catch(() => undefined);
    crash = false;
    await toOldFormat(f);
    await f.again().removeLeases(['FR']);
    // The ingest records each version's submission (status processing) before storing it.
    for (const u of [W1, W2])
      await f.store.putSubmission(submission({ objectKey: KEY, versionId: u.versionId, orderToken: u.orderToken, status: 'processing' }));
    const r2 = await f.again().applyUpload(W2, v2());
    assert.deepEqual([r2.storedCases, r2.replacedCases, r2.withdrawnCases], [1, 1, 1], `crashed: ${crashed}`);
    assert.deepEqual(r2.replaced, [versionDigest(KEY, 'w1')]);
    // V1's rerun (or a redelivery) now finds V2 newer: superseded whole, and nothing of it is left counted.
    assert.equal((await f.again().applyUpload(W1, v1())).storedCases, 0);
    assert.deepEqual(await tableOf(f), want, `crashed: ${crashed}`);
  }
});
