/**
 * The steps of `seizures smoke`, the same on the local cloud and on AWS: only the target differs (how the phase close
 * is run, how smoke tests are known to be enabled, what more proves the mail left), so the local test
 * (test/lib/local/smoke.test.ts) runs the logic an AWS run uses.
 *
 * As the test Member XT of the smoke operation (functions/core/operation/smoke.ts): upload a small generated CSV under
 * incoming/XT/, wait for its submission and feedback report, count its stored lines, run an interim phase close of
 * the smoke operation's test phase, check the six report objects, the summary item and the sent-alert marker (and,
 * locally, the SES emulator's store), then delete everything it created: the upload, its feedback, the smoke
 * operation's reports and work files and contacts file, the lines, case heads, submission, summary and alert items.
 */
import { randomBytes } from 'node:crypto';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { addDays } from '../../functions/core/operation/days.ts';
import { SMOKE_RECIPIENT, smokeOperation, smokeOperationId, TEST_MEMBER } from '../../functions/core/operation/smoke.ts';
import type { PhaseCloseExecutionInput, PhaseCloseOutput } from '../../functions/core/contracts/phase-close-spec.ts';
import * as io from './smoke-io.ts';
import { SmokeStepError, type SmokeTarget } from './smoke-io.ts';

export { SmokeStepError, type SmokeTarget };

export interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  /** Not run, because an earlier step failed. */
  readonly skipped?: boolean;
  readonly ms: number;
  readonly detail: string;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly where: string;
  readonly operation: string;
  readonly runId: string;
  readonly steps: StepResult[];
}

export const SMOKE_STEPS = ['enabled', 'upload', 'feedback', 'stored', 'close-phase', 'summary', 'mail', 'cleanup'] as const;

export interface SmokeOptions {
  /** The deployment's operation config (smokeTests on, or the run stops at the first step). */
  readonly config: OperationConfig;
  /** Lines in the generated file. @default 5 */
  readonly rows?: number;
  /** How long to wait for the ingestion. @default 120 s locally, 600 s on AWS */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** Called as each step ends. */
  readonly onStep?: (s: StepResult) => void;
}

const CSV_HEADER = 'Reporting Member,Case reference,Seizure date,Category,Product,Quantity,Unit,Mode of transport,Infringement type';

/**
 * The generated file: `rows` valid lines of XT, each its own case, seized on the Wednesday of the last complete week
 * before `today`: the week an interim run reports, so its first seizures are news and the run sends an alert.
 */
export function smokeCsv(runId: string, today: string, rows: number): { text: string; day: string; caseRefs: string[] } {
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  const day = addDays(today, -weekday - 5);
  const caseRefs = Array.from({ length: rows }, (_, i) => `SMOKE-${runId}-${i + 1}`);
  const lines = caseRefs.map((ref, i) => `${TEST_MEMBER},${ref},${day},Medicines,Ivermectin,${100 + i},Pieces,Air cargo,Falsified`);
  return { text: [CSV_HEADER, ...lines].join('\n') + '\n', day, caseRefs };
}

const poll = async <T>(what: string, timeoutMs: number, intervalMs: number, f: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new SmokeStepError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

/** Runs every step, then the cleanup whatever happened; never throws for a failed step. */
export async function runSmoke(t: SmokeTarget, o: SmokeOptions): Promise<SmokeResult> {
  const now = o.now ?? (() => new Date());
  const today = now().toISOString().slice(0, 10);
  const runId = `${today.replaceAll('-', '')}${randomBytes(3).toString('hex')}`;
  const rows = o.rows ?? 5;
  const timeoutMs = o.timeoutMs ?? (t.kind === 'aws' ? 600_000 : 120_000);
  const pollMs = t.kind === 'aws' ? 2_000 : 100;
  const smoke = smokeOperation(o.config, today);
  const file = smokeCsv(runId, today, rows);
  const key = `incoming/${TEST_MEMBER}/smoke-${runId}.csv`;
  const input: PhaseCloseExecutionInput = { operation: smokeOperationId(o.config), phase: 1, mode: 'interim', asOf: today };
  const steps: StepResult[] = [];
  let failed = false;
  let output: PhaseCloseOutput | undefined;

  const step = async (name: (typeof SMOKE_STEPS)[number], f: () => Promise<string>, always = false): Promise<void> => {
    if (failed && !always) {
      const r = { name, ok: false, skipped: true, ms: 0, detail: 'skipped: an earlier step failed' };
      steps.push(r);
      o.onStep?.(r);
      return;
    }
    const start = Date.now();
    let r: StepResult;
    try {
      r = { name, ok: true, ms: Date.now() - start, detail: await f() };
      r = { ...r, ms: Date.now() - start };
    } catch (e) {
      failed = true;
      r = {
        name,
        ok: false,
        ms: Date.now() - start,
        detail: e instanceof SmokeStepError ? e.message : `${(e as Error).name}: ${(e as Error).message}`,
      };
    }
    steps.push(r);
    o.onStep?.(r);
  };

  await step('enabled', async () => {
    const e = await t.smokeEnabled();
    if (!e.ok) throw new SmokeStepError(`smoke tests are not enabled on ${t.where}: ${e.how}`);
    return `smoke tests enabled on ${t.where}; test Member ${TEST_MEMBER}, operation ${smoke.id}`;
  });
  let uploaded = false;
  await step('upload', async () => {
    await io.putContacts(t, smoke);
    await io.putText(t, key, file.text, 'text/csv');
    uploaded = true;
    return `s3://${t.bucket}/${key}: ${rows} line(s) seized on ${file.day}`;
  });
  let feedbackKey: string | undefined;
  await step('feedback', async () => {
    const s = await poll(`the submission of ${key}`, timeoutMs, pollMs, () => io.finishedSubmission(t, key));
    if (s.status !== 'accepted' || s.rows.valid !== rows) {
      throw new SmokeStepError(
        `${key} was ${s.status} (${s.rows.valid}/${s.rows.total} valid${s.failure ? `; ${s.failure.type}: ${s.failure.message}` : ''}), expected accepted with ${rows} valid rows`,
      );
    }
    feedbackKey = s.feedback.json;
    if (!feedbackKey) throw new SmokeStepError(`${key} has no feedback report`);
    const report = JSON.parse(await io.getText(t, feedbackKey)) as { valid?: boolean; stats?: { validRows?: number } };
    if (report.valid !== true || report.stats?.validRows !== rows)
      throw new SmokeStepError(`the feedback report ${feedbackKey} says valid=${report.valid}, ${report.stats?.validRows} valid rows`);
    return `accepted, ${rows}/${rows} rows valid; feedback at ${feedbackKey}`;
  });
  await step('stored', async () => {
    const n = await io.countLines(t, file.caseRefs);
    if (n !== rows) throw new SmokeStepError(`${n} of ${rows} line(s) stored`);
    return `${n} line(s) stored for ${TEST_MEMBER} in the test phase`;
  });
  await step('close-phase', async () => {
    output = await t.closePhase(input);
    if (output.lines < rows) throw new SmokeStepError(`the run read ${output.lines} line(s), fewer than the ${rows} uploaded`);
    return `interim run of ${smoke.id} phase 1 as of ${today}: ${output.lines} line(s), ${output.signalCount} signal(s), alert ${output.alert ? 'yes' : 'no'}`;
  });
  await step('summary', async () => io.checkSummary(t, smoke, output!, rows));
  await step('mail', async () => {
    if (!output!.alert)
      throw new SmokeStepError('the run found no signal to alert on, so no email was sent (expected the new seizures of the last week)');
    const marker = await io.sentMarker(t, smoke, output!.runLabel, SMOKE_RECIPIENT);
    if (!marker) throw new SmokeStepError(`no sent-alert marker for ${SMOKE_RECIPIENT} in the run ${output!.runLabel}`);
    const more = t.mailSent ? `; ${await t.mailSent(marker.messageId, SMOKE_RECIPIENT)}` : '';
    return `alert to ${SMOKE_RECIPIENT} recorded as sent (SES message ${marker.messageId || '?'})${more}`;
  });
  await step(
    'cleanup',
    async () => {
      const removed = await io.cleanup(t, { smoke, key, feedbackKey, caseRefs: file.caseRefs, runLabel: `interim-${today}`, uploaded });
      return `deleted ${removed.objects} object(s) and ${removed.items} table item(s)`;
    },
    true,
  );
  return { ok: steps.every((s) => s.ok), where: t.where, operation: smoke.id, runId, steps };
}
