/**
 * The phase close end to end on the local cloud: CSV uploads by three Members in phases 1 and 2 are ingested, then
 * workflows/phase-close.asl.json runs on aws-local-stepfunctions with the real functions/phase-* handlers; the
 * reports land in S3, the summary item in the table, one alert email per recipient in aws-ses-v2-local, and a rerun
 * sends nothing new. Then `seizures close-phase` and `seizures summary` as people run them (child processes) against
 * the same running cloud.
 */
import './quiet.ts';
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseOperationConfig, type OperationConfig } from '../../../functions/core/operation/config.ts';
import { PhaseTable } from '../../../functions/core/phase/items.ts';
import { WorkflowFailedError } from '../../../lib/local/stepfunctions.ts';
import { contactsKeyFor, type PhaseCloseOutput } from '../../../functions/core/contracts/phase-close-spec.ts';
import { OPERATION } from '../helpers.ts';
import { CSV_HEADER, getText, seizures, tempDir, testCloud, type TestCloud } from './helpers.ts';

// This suite starts local clouds (emulators, child processes): its own timeouts, above the runner's defaults.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** STOP II's phases with three Members (each with an NCP address) and one analyst: small enough to read every email. */
const OP: OperationConfig = parseOperationConfig({
  ...OPERATION,
  members: OPERATION.members.filter((m) => ['FR', 'DE', 'ES'].includes(m.code)),
  analysts: ['analyst@stop-ii.example.org'],
});
const RECIPIENTS = [
  'analyst@stop-ii.example.org',
  'ncp.de@customs.example.org',
  'ncp.es@customs.example.org',
  'ncp.fr@customs.example.org',
];
const FINAL_2 = { operation: 'stop-ii', phase: 2, mode: 'final', asOf: '2022-02-01' } as const;

/** `n` valid lines of one Member, all seized on `date`, one case each. */
const csvOf = (member: string, n: number, date: string): string =>
  [
    CSV_HEADER,
    ...Array.from(
      { length: n },
      (_, i) => `${member},${member}-${date}-${i},${date},Medicines,Ivermectin,${100 + i},Pieces,Air cargo,Falsified`,
    ),
  ].join('\n') + '\n';

/** Lines per Member: [phase 1, phase 2]. */
const UPLOADS: [string, number, number][] = [
  ['FR', 3, 12],
  ['DE', 2, 4],
  ['ES', 0, 5],
];

type Mail = { destination?: { to?: string[] }; subject?: string; body?: { text?: string; html?: string } };
async function mails(t: TestCloud): Promise<Mail[]> {
  const res = await fetch(`${t.cloud.endpoints.ses}/store`);
  return ((await res.json()) as { emails?: Mail[] }).emails ?? [];
}
const recipientsOf = (list: Mail[]) => list.flatMap((m) => m.destination?.to ?? []).sort();

describe('phase close on the local cloud', () => {
  let t: TestCloud;
  let first: PhaseCloseOutput;
  let configFile: string;

  beforeAll(async () => {
    t = await testCloud({ operation: OP });
    for (const [member, p1, p2] of UPLOADS) {
      if (p1)
        await t.s3.send(
          new PutObjectCommand({ Bucket: t.cloud.bucket, Key: `incoming/${member}/phase1.csv`, Body: csvOf(member, p1, '2021-06-15') }),
        );
      await t.s3.send(
        new PutObjectCommand({ Bucket: t.cloud.bucket, Key: `incoming/${member}/phase2.csv`, Body: csvOf(member, p2, '2021-11-15') }),
      );
    }
    await t.cloud.waitForIdle(60_000);
    first = await t.cloud.closePhase(FINAL_2);
    const dir = await tempDir('phase-close-config-');
    configFile = join(dir, 'operation.json');
    await writeFile(configFile, JSON.stringify(OP));
  });
  afterAll(() => t?.close());

  test('the local cloud put the contacts file at its start', async () => {
    const contacts = JSON.parse(await getText(t.s3, t.cloud.bucket, contactsKeyFor(OP)));
    assert.deepEqual(contacts.analysts, ['analyst@stop-ii.example.org']);
    assert.deepEqual(contacts.members.map((m: { code: string }) => m.code).sort(), ['DE', 'ES', 'FR']);
  });

  test('phase 2 final: the reports are in S3 under the run prefix', async () => {
    assert.equal(first.prefix, 'summaries/stop-ii/phase-2/final/');
    // The six of both versions, and the NCP version's html and xlsx in en, fr and es (issue 17).
    assert.equal(Object.keys(first.keys).length, 12);
    for (const key of Object.values(first.keys)) {
      assert.ok(key.startsWith(first.prefix), key);
      await t.s3.send(new HeadObjectCommand({ Bucket: t.cloud.bucket, Key: key }));
    }
    const summary = JSON.parse(await getText(t.s3, t.cloud.bucket, first.keys.json!));
    assert.equal(summary.figures.phase.lines, 12 + 4 + 5);
    assert.equal(summary.figures.cumulative.lines, 3 + 2 + 12 + 4 + 5);
  });

  test('phase 2 final: the summary item is stored with the counts and where the reports are', async () => {
    const item = await new PhaseTable({ client: t.dynamo, tableName: t.cloud.tableName }).getSummary('stop-ii', 2, 'final');
    assert.ok(item);
    assert.equal(item.prefix, first.prefix);
    assert.deepEqual(item.keys, first.keys);
    assert.equal(item.counts.lines, 21);
    assert.equal(item.cumulative.lines, 26);
    assert.equal(item.signalCount, first.signalCount);
  });

  test('phase 2 final: one alert email per recipient (each NCP and the analyst) reached SES', async () => {
    assert.equal(first.alert, true);
    assert.deepEqual(first.alerts, { sent: 4, skipped: 0 });
    assert.deepEqual(recipientsOf(await mails(t)), RECIPIENTS);
  });

  test('a rerun of the same run sends no new email', async () => {
    const again = await t.cloud.closePhase(FINAL_2);
    assert.deepEqual(again.alerts, { sent: 0, skipped: 4 });
    assert.deepEqual(again.keys, first.keys);
    assert.deepEqual(recipientsOf(await mails(t)), RECIPIENTS);
  });

  test('a failing step: the run fails with its error and the analyst gets the failure email', async () => {
    const before = (await mails(t)).length;
    const run = t.cloud.closePhase(
      { operation: 'stop-ii', phase: 2, mode: 'interim', asOf: '2021-12-06' },
      { wrap: { 'phase-analyse': () => () => Promise.reject(new RangeError('analysis broke')) } },
    );
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      assert.equal(e.error, 'RangeError');
      assert.equal(JSON.parse(e.cause).errorMessage, 'analysis broke');
      return true;
    });
    const after = await mails(t);
    assert.equal(after.length, before + 1);
    assert.deepEqual(after.at(-1)!.destination?.to, ['analyst@stop-ii.example.org']);
    assert.match(after.at(-1)!.subject ?? '', /failed/);
  });

  test('seizures close-phase uses the running cloud, prints progress state by state and where the reports are', async () => {
    const r = await seizures(['close-phase', '--phase', '1', '--data-dir', t.dataDir, '--config', configFile]);
    assert.equal(r.code, 0, r.stderr);
    for (const state of ['Plan', 'Merge', 'Analyse', 'Render', 'StoreSummary', 'SendAlerts'])
      assert.match(r.stderr, new RegExp(`${state}: done`), state);
    assert.match(r.stderr, /Aggregate: 3\/3 slice\(s\) aggregated/);
    assert.match(r.stdout, /final close of phase 1, as of 2021-10-01: 5 seizure line\(s\) read/);
    assert.match(r.stdout, /s3:\/\/submissions\/summaries\/stop-ii\/phase-1\/final\//);
    assert.match(r.stdout, /summary\.xlsx/);
  });

  test('seizures summary --format json prints summary.json as written; the text shows the phase or the cumulative figures', async () => {
    const json = await seizures(['summary', '--phase', '2', '--format', 'json', '--data-dir', t.dataDir, '--config', configFile]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout.trimEnd(), (await getText(t.s3, t.cloud.bucket, first.keys.json!)).trimEnd());
    const text = await seizures(['summary', '--phase', '2', '--data-dir', t.dataDir, '--config', configFile]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /seizure lines 21,/);
    const cumulative = await seizures(['summary', '--phase', '2', '--cumulative', '--data-dir', t.dataDir, '--config', configFile]);
    assert.match(cumulative.stdout, /seizure lines 26,/);
  });

  test('seizures summary: exit 1 for a run never made, 64 for a phase the operation does not have', async () => {
    const missing = await seizures(['summary', '--phase', '3', '--data-dir', t.dataDir, '--config', configFile]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no final summary of phase 3 is stored/);
    const usage = await seizures(['close-phase', '--phase', '9', '--data-dir', t.dataDir, '--config', configFile]);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /--phase must be one of 1, 2, 3/);
  });

  // Issue 17: the local cloud passes its portal's URL; the emails link there (plain http on loopback, locally only),
  // never to a presigned S3 URL; a Member that reported nothing is nudged with the upload page.
  test("the emails link to the local portal's pages, never to S3; NCPs of Members that reported nothing are nudged", async () => {
    const before = (await mails(t)).length;
    const portal = 'http://127.0.0.1:8080';
    // Phase 1 again (closed above by the CLI, on a cloud without a portal: emails without a link): ES reported nothing.
    const out = await t.cloud.closePhase({ operation: 'stop-ii', phase: 1, mode: 'final', asOf: '2021-10-01' }, { portalUrl: portal });
    assert.deepEqual(out.alerts, { sent: 4, skipped: 0 });
    const sent = (await mails(t)).slice(before);
    for (const m of sent) {
      const body = `${m.body?.text}\n${m.body?.html}`;
      assert.doesNotMatch(body, /X-Amz-|s3:\/\/|:4569/);
      assert.ok(body.includes(`${portal}/summaries/1/final?lang=`), m.destination?.to?.[0]);
      for (const u of body.match(/https?:\/\/[^\s"<)]+/g) ?? []) assert.ok(u.startsWith(`${portal}/`), u);
    }
    const es = sent.find((m) => m.destination?.to?.[0] === 'ncp.es@customs.example.org')!;
    assert.match(es.body!.text!, /^Su Miembro \(España\) no declaró ninguna incautación en la fase 1\./);
    assert.ok(es.body!.text!.includes(`${portal}/?lang=es`));
    const fr = sent.find((m) => m.destination?.to?.[0] === 'ncp.fr@customs.example.org')!;
    assert.match(fr.body!.text!, /Votre Membre \(France\) dans cette phase\u00a0: 3 saisies dans 3 cas/);
  });
});
