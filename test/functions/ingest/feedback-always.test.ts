/**
 * Every upload ends with feedback (a busy Member, a run short of time, a request DynamoDB refuses), and an older version
 * of a file never writes over the feedback of a newer one, even when the newer one finishes while the older is writing.
 */
import '../../helpers/quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import type { Context, SQSEvent } from 'aws-lambda';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import type { SubmissionRecord } from '../../../functions/core/store/submission.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { dataRow, HEADER, lineTooLarge, twoUnicodeForms } from '../../fixtures/hostile/make-hostile.ts';
import { context, startIngestWorld, type IngestWorld } from './world.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let w: IngestWorld;
beforeAll(async () => void (w = await startIngestWorld('feedback-always')));
afterAll(() => w.close());

const dynamo = () => w.dyn.client();
/** The same message, received for the `n`th time. */
const receive = (ev: SQSEvent, n: number) =>
  ({ Records: [{ ...ev.Records[0]!, attributes: { ApproximateReceiveCount: String(n) } }] }) as unknown as SQSEvent;
const runWith = (remainingMs: () => number) => ({ ...context, getRemainingTimeInMillis: remainingMs }) as Context;
const submissionOf = async (store: SeizureStore, key: string) =>
  (await store.listSubmissions({ member: 'FR' })).find((s) => s.objectKey === key)!;

describe('every upload ends with feedback', () => {
  test('a Member busy on every receive: retried, and on the last receive told the system was busy, in its language', async () => {
    const { deps, tableName } = await w.world();
    const store = new SeizureStore({ client: dynamo(), tableName, lease: { waitMs: 100, pollMs: 20 } });
    const handler = createIngestHandler({ ...deps, store });
    await w.holdLease(tableName, 'FR');
    const ev = await w.upload('incoming/FR/busy.csv', lineTooLarge());
    assert.equal((await handler(receive(ev, 1), context)).batchItemFailures.length, 1);
    let sub = await submissionOf(store, 'incoming/FR/busy.csv');
    assert.equal(sub.status, 'processing', 'not a failure while retries remain');
    assert.deepEqual(sub.feedback, {});
    assert.equal((await handler(receive(ev, 3), context)).batchItemFailures.length, 1, 'the DLQ and its alarm still get it');
    sub = await submissionOf(store, 'incoming/FR/busy.csv');
    assert.equal(sub.status, 'failed');
    assert.equal(sub.failure!.type, 'MemberBusyError');
    assert.equal(sub.feedback.json, 'feedback/FR/busy.csv.report.json');
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.equal(report.errors[0].code, 'processing-failed');
    assert.deepEqual(report.errors[0].params, { reason: 'busy' });
    assert.match(report.errors[0].message, /trop chargé.*Les analystes ont été prévenus.*renvoyer le fichier/);
    assert.ok(await w.getText('feedback/FR/busy.csv.report.xlsx'));
  });

  test('a run with too little time left stops before validating: retried, and on the last receive the Member is told', async () => {
    const { deps, handler } = await w.world({ reserveMs: 60_000 });
    const short = runWith(() => 59_000);
    const ev = await w.upload('incoming/FR/late.csv', lineTooLarge());
    assert.equal((await handler(receive(ev, 1), short)).batchItemFailures.length, 1);
    let sub = await submissionOf(deps.store, 'incoming/FR/late.csv');
    // Like a busy Member: not a failure of the upload while retries remain, so the portal does not say "failed".
    assert.equal(sub.status, 'processing');
    assert.equal(sub.failure, undefined);
    assert.deepEqual(sub.feedback, {}, 'no feedback while retries remain');
    assert.equal((await handler(receive(ev, 3), short)).batchItemFailures.length, 1);
    sub = await submissionOf(deps.store, 'incoming/FR/late.csv');
    assert.equal(sub.status, 'failed');
    assert.equal(sub.failure!.type, 'DeadlineError');
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.deepEqual(report.errors[0].params, { reason: 'busy' });
  });

  test('lines stored, then the feedback fails on the last receive: the Member is told the lines were stored, with counts', async () => {
    const { deps, store } = await w.world();
    let failed = false;
    // The first PUT of the annotated copy times out, after the lines and the counts were stored.
    const s3 = new Proxy(deps.s3, {
      get(target, prop) {
        if (prop !== 'send') return Reflect.get(target, prop);
        return async (cmd: { constructor: { name: string }; input: { Key?: string } }) => {
          if (!failed && cmd.constructor.name === 'PutObjectCommand' && String(cmd.input.Key).endsWith('.report.xlsx')) {
            failed = true;
            throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
          }
          return (target.send as (c: unknown) => Promise<unknown>)(cmd);
        };
      },
    });
    const handler = createIngestHandler({ ...deps, s3 });
    const body = [HEADER, dataRow('FR', 'C1', 1), dataRow('FR', 'C2', 1)].map((r) => r.join(',')).join('\n');
    const ev = await w.upload('incoming/FR/applied.csv', body, { receiveCount: 3 });
    assert.equal((await handler(ev, context)).batchItemFailures.length, 1);
    const sub = await submissionOf(store, 'incoming/FR/applied.csv');
    assert.equal(sub.status, 'failed');
    assert.equal(sub.stored.written, 2);
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.equal(report.errors[0].code, 'processing-failed');
    assert.deepEqual(report.errors[0].params, { reason: 'stored' });
    assert.match(report.errors[0].message, /^Vos lignes ont été enregistrées, mais le retour/);
    assert.doesNotMatch(report.errors[0].message, /rien de cet envoi/);
    assert.equal(report.stored.written, 2);
    assert.equal(report.stored.storedCases, 2);
  });

  test("the wait for the Member's lease ends with the run's spare time, not after the usual two minutes", async () => {
    const { deps, tableName } = await w.world({ reserveMs: 60_000 });
    // The default lease timings: a 120 s wait.
    const store = new SeizureStore({ client: dynamo(), tableName });
    const handler = createIngestHandler({ ...deps, store });
    await w.holdLease(tableName, 'FR');
    const started = Date.now();
    const ev = await w.upload('incoming/FR/wait.csv', lineTooLarge());
    // A fake clock: the run has 62 s left when it starts, and counts down.
    const run = runWith(() => 62_000 - (Date.now() - started));
    assert.equal((await handler(receive(ev, 3), run)).batchItemFailures.length, 1);
    const took = Date.now() - started;
    assert.ok(took < 10_000, `stopped waiting after ${took} ms`);
    const sub = await submissionOf(store, 'incoming/FR/wait.csv');
    assert.equal(sub.failure!.type, 'MemberBusyError');
    assert.deepEqual(JSON.parse(await w.getText(sub.feedback.json!)).errors[0].params, { reason: 'busy' });
  }, 20_000);

  test("the validation budget ends with the run's spare time: a file that cannot be checked in time is a size-error", async () => {
    const { deps, handler } = await w.world({ reserveMs: 60_000 });
    const rows = Array.from({ length: 20_000 }, (_, i) => dataRow('FR', `B${i}`, 1).join(','));
    const ev = await w.upload('incoming/FR/budget.csv', [HEADER.join(','), ...rows].join('\n') + '\n');
    assert.deepEqual(
      await handler(
        ev,
        runWith(() => 60_020),
      ),
      { batchItemFailures: [] },
    );
    const sub = await submissionOf(deps.store, 'incoming/FR/budget.csv');
    assert.equal(sub.status, 'rejected');
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.equal(report.errors.at(-1).params.reason, 'over-budget');
    assert.ok(report.stats.rows < 20_000, `stopped after ${report.stats.rows} rows`);
  });

  test('the time opening the file took is off the validation budget: what is left after opening is what validation gets', async () => {
    const { deps } = await w.world({ reserveMs: 60_000 });
    // 140 s spare when the run starts; the object's GET (a slow one, as it were) leaves 20 ms of it.
    let fetched = false;
    const s3 = new Proxy(deps.s3, {
      get(target, prop) {
        if (prop !== 'send') return Reflect.get(target, prop);
        return async (cmd: { constructor: { name: string } }) => {
          const out = await (target.send as (c: unknown) => Promise<unknown>)(cmd);
          if (cmd.constructor.name === 'GetObjectCommand') fetched = true;
          return out;
        };
      },
    });
    const handler = createIngestHandler({ ...deps, s3 });
    const rows = Array.from({ length: 20_000 }, (_, i) => dataRow('FR', `O${i}`, 1).join(','));
    const ev = await w.upload('incoming/FR/opened.csv', [HEADER.join(','), ...rows].join('\n') + '\n');
    const run = runWith(() => (fetched ? 60_020 : 200_000));
    assert.deepEqual(await handler(ev, run), { batchItemFailures: [] });
    const sub = await submissionOf(deps.store, 'incoming/FR/opened.csv');
    assert.equal(sub.status, 'rejected');
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.equal(report.errors.at(-1).params.reason, 'over-budget');
  });

  test('a request DynamoDB refuses (an item over 400 KB) ends the upload on the first receive, with feedback', async () => {
    const { deps, tableName } = await w.world();
    // A final record DynamoDB refuses, as a 450,000-character sheet name once made one.
    class Oversized extends SeizureStore {
      override async putSubmission(s: SubmissionRecord): Promise<void> {
        const final = s.status !== 'processing' && s.status !== 'failed';
        await super.putSubmission(final ? { ...s, failure: { type: 'source-error', message: 'x'.repeat(450_000) } } : s);
      }
    }
    const store = new Oversized({ client: dynamo(), tableName });
    const handler = createIngestHandler({ ...deps, store });
    const ev = await w.upload('incoming/FR/huge-record.csv', lineTooLarge());
    assert.deepEqual(await handler(receive(ev, 1), context), { batchItemFailures: [] }, 'not retried');
    const sub = await submissionOf(store, 'incoming/FR/huge-record.csv');
    assert.equal(sub.status, 'failed');
    assert.equal(sub.failure!.type, 'ValidationException');
    const report = JSON.parse(await w.getText(sub.feedback.json!));
    assert.equal(report.errors[0].code, 'processing-failed');
  });
});

describe('an older version never writes over the feedback of a newer one', () => {
  test("an older version failing on its last receive after a newer one finished writes its feedback beside the newer's", async () => {
    const { deps, handler, tableName } = await w.world();
    const older = await w.upload('incoming/FR/old-fails.csv', lineTooLarge());
    const newer = await w.upload('incoming/FR/old-fails.csv', twoUnicodeForms());
    await handler(newer, context);
    const usual = 'feedback/FR/old-fails.csv.report.json';
    const before = await w.getText(usual);
    class Flaky extends SeizureStore {
      override async applyUpload(): Promise<never> {
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
    }
    const flaky = createIngestHandler({ ...deps, store: new Flaky({ client: dynamo(), tableName }) });
    assert.equal((await flaky(receive(older, 3), context)).batchItemFailures.length, 1);
    assert.equal(await w.getText(usual), before, 'the newer feedback stands');
    const late = (await deps.store.listSubmissions({ member: 'FR' })).find(
      (s) => s.objectKey === 'incoming/FR/old-fails.csv' && s.status === 'failed',
    )!;
    assert.match(late.feedback.json!, /^feedback\/FR\/old-fails\.csv\.seq_[0-9A-Za-z_]+\.report\.json$/);
    assert.equal(JSON.parse(await w.getText(late.feedback.json!)).errors[0].code, 'processing-failed');
  });

  test('a newer version finishing while the older one is about to write its feedback keeps its feedback', async () => {
    const { deps, handler, tableName } = await w.world();
    const older = await w.upload('incoming/FR/race.csv', lineTooLarge());
    const newer = await w.upload('incoming/FR/race.csv', twoUnicodeForms());
    let newerFeedback = '';
    // The older version checks the submissions first; the newer one finishes right after that check.
    class Racing extends SeizureStore {
      override async versionsOf(objectKey: string): Promise<SubmissionRecord[]> {
        const versions = await super.versionsOf(objectKey);
        if (!newerFeedback) {
          await handler(newer, context);
          newerFeedback = await w.getText('feedback/FR/race.csv.report.json');
        }
        return versions;
      }
    }
    const racing = createIngestHandler({ ...deps, store: new Racing({ client: dynamo(), tableName }) });
    assert.deepEqual(await racing(older, context), { batchItemFailures: [] });
    assert.equal(await w.getText('feedback/FR/race.csv.report.json'), newerFeedback, 'the newer feedback stands');
    const subs = (await deps.store.listSubmissions({ member: 'FR' })).filter((s) => s.objectKey === 'incoming/FR/race.csv');
    const late = subs.find((s) => s.feedback.json !== 'feedback/FR/race.csv.report.json');
    assert.ok(late, 'the older version wrote beside');
    assert.match(late.feedback.json!, /\.seq_[0-9A-Za-z_]+\.report\.json$/);
    assert.match(await w.getText(late.feedback.xlsx!), /^PK/);
  });
});
