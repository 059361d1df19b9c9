/**
 * What the handlers write to their logs when something fails: every byte Powertools writes to stdout and stderr (as
 * CloudWatch would receive it), read for a case reference and an address that the failing input carried. Logs are
 * read by more people than the table or the contacts file, so neither may appear; the error's name must.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import type { Context, SNSEvent } from 'aws-lambda';

// Before any handler module creates its Logger: the other handler tests silence Powertools (test/helpers/quiet.ts).
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

import type { SeizureRecord } from '../../../functions/core/vocabulary/record.ts';
import { workPrefixOf } from '../../../functions/core/phase/input.ts';
import { createPortalApi, type PortalDeps } from '../../../functions/core/portal/router.ts';
import { SeizureStore } from '../../../functions/core/store/store.ts';
import { createIngestHandler } from '../../../functions/ingest/app.ts';
import { createMailEventsHandler } from '../../../functions/mail-events/app.ts';
import { createAggregateHandler } from '../../../functions/phase-aggregate/app.ts';
import { createFailureHandler } from '../../../functions/phase-failure/app.ts';
import { CONFIG, FINAL_2, L } from '../core/phase/fixtures.ts';
import { lineTooLarge } from '../../fixtures/hostile/make-hostile.ts';
import { startIngestWorld, type IngestWorld } from '../ingest/world.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CASE_REF = 'FR-2021-SECRET-0042';
const ADDRESS = 'ncp.fr@customs.example.org';

const context = (functionName: string): Context =>
  ({ functionName, awsRequestId: `req-${functionName}`, getRemainingTimeInMillis: () => 300_000 }) as unknown as Context;

let written: string;
function capture(stream: NodeJS.WriteStream): void {
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
}
beforeEach(() => {
  written = '';
  capture(process.stdout);
  capture(process.stderr);
});
afterEach(() => vi.restoreAllMocks());

const logLines = (): Record<string, unknown>[] =>
  written
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function assertClean(what: string): void {
  assert.ok(!written.includes(CASE_REF), `${what}: the case reference is in the logs:\n${written}`);
  assert.ok(!written.toLowerCase().includes(ADDRESS), `${what}: the address is in the logs:\n${written}`);
}

const errorLine = (message: string) => {
  const line = logLines().find((l) => l.message === message);
  assert.ok(line, `no '${message}' line in:\n${written}`);
  return line.error as { name: string; messageSha256: string; frames?: string[] };
};

describe('failures are logged by name, code and digest, never with the case reference or the address', () => {
  let w: IngestWorld;
  beforeAll(async () => {
    w = await startIngestWorld('logs');
  });
  afterAll(async () => w?.close());

  test('ingest: a store error quoting a case reference', async () => {
    const { deps, tableName } = await w.world();
    class Broken extends SeizureStore {
      override async applyUpload(): Promise<never> {
        throw new Error(`case ${CASE_REF} line 1 could not be written for ${ADDRESS}`);
      }
    }
    const handler = createIngestHandler({ ...deps, store: new Broken({ client: w.dyn.client(), tableName }) });
    const ev = await w.upload('incoming/FR/logs.csv', lineTooLarge(), { receiveCount: 1 });
    await handler(ev, context('ingest'));
    const error = errorLine('ingest failed; the message will be retried');
    assert.equal(error.name, 'Error');
    assert.match(error.messageSha256, /^[0-9a-f]{16}$/);
    assertClean('ingest');
  });

  test('phase-aggregate: lines out of order (LineOrderError), and the error it throws to the workflow', async () => {
    const line = (case_ref: string) => L({ reporting_member: 'FR', case_ref, line_no: 1, seizure_date: '2021-07-01' });
    const outOfOrder: SeizureRecord[] = [line(`${CASE_REF}-B`), line(CASE_REF)];
    const handler = createAggregateHandler({
      config: CONFIG,
      s3: { send: async () => assert.fail('nothing is written') } as never,
      bucket: 'submissions',
      lines: {
        async *linesOf(phase) {
          if (phase === 2) yield* outOfOrder;
        },
      },
    });
    const thrown = await handler(
      { input: FINAL_2, slice: { member: 'FR', phase: 2 }, workPrefix: workPrefixOf(FINAL_2) },
      context('phase-aggregate'),
    ).then(
      () => assert.fail('the slice was aggregated'),
      (e: Error) => e,
    );
    assert.equal(thrown.name, 'LineOrderError');
    // Lambda writes the thrown error to the function's log, and Step Functions keeps its message as the Cause.
    assert.ok(!thrown.message.includes(CASE_REF), thrown.message);
    assert.match(thrown.message, /Member FR, all phases: line 2 of the input/);
    const error = errorLine('phase-aggregate failed');
    assert.equal(error.name, 'LineOrderError');
    assert.ok(
      error.frames?.some((f) => f.includes('case-counter')),
      JSON.stringify(error.frames),
    );
    assertClean('phase-aggregate');
  });

  test("phase-failure: the workflow's Cause is emailed to the analysts and logged as a digest", async () => {
    const sent: string[] = [];
    const handler = createFailureHandler({
      config: CONFIG,
      mailer: { send: async (_from: string, _to: string, content: { text: string }) => void sent.push(content.text) } as never,
    });
    const Cause = JSON.stringify({ errorType: 'Error', errorMessage: `case ${CASE_REF} for ${ADDRESS}` });
    await handler({ input: FINAL_2, error: { Error: 'Error', Cause } }, context('phase-failure'));
    assert.ok(sent.length > 0 && sent.every((t) => t.includes(CASE_REF)), 'the analysts get the Cause');
    const done = logLines().find((l) => l.message === 'phase-failure done');
    assert.ok(done, written);
    const logged = (done.input as { error: { Error: string; causeSha256: string } }).error;
    assert.equal(logged.Error, 'Error');
    assert.match(logged.causeSha256, /^[0-9a-f]{16}$/);
    assertClean('phase-failure');
  });

  test('mail-events: a permanent bounce names the recipient by its id', async () => {
    const handler = createMailEventsHandler({ contacts: { mark: async () => undefined } });
    const bounce = JSON.stringify({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        timestamp: '2027-03-08T06:00:03.000Z',
        bouncedRecipients: [{ emailAddress: ADDRESS.toUpperCase(), diagnosticCode: `smtp; 550 5.1.1 <${ADDRESS}> unknown` }],
      },
      mail: { messageId: 'm-1', source: 'alerts@stop-ii.example.org', destination: [ADDRESS] },
    });
    const event = { Records: [{ Sns: { MessageId: 'sns-1', Message: bounce } }] } as unknown as SNSEvent;
    assert.deepEqual(await handler(event, context('mail-events')), { marked: 1 });
    const marked = logLines().find((l) => l.message === 'contact marked unreachable: later alerts skip it');
    assert.ok(marked, written);
    assert.match(String(marked.recipient), /^to-[0-9a-f]{12}$/);
    assertClean('mail-events');
  });

  test('portal API: an unexpected error is logged by name and digest, the caller gets a 500', async () => {
    const lines: string[] = [];
    const api = createPortalApi(
      {
        config: CONFIG,
        verify: async () => {
          throw new TypeError(`no case ${CASE_REF} for ${ADDRESS}`);
        },
      } as unknown as PortalDeps,
      { error: (message, extra) => void lines.push(JSON.stringify({ message, ...extra })) },
    );
    const res = await api({ method: 'GET', path: '/api/submissions', query: {}, headers: {}, body: undefined });
    assert.equal(res.status, 500);
    assert.equal(lines.length, 1);
    written = lines.join('\n');
    assert.equal(errorLine('portal API failed').name, 'TypeError');
    assertClean('portal');
  });
});
