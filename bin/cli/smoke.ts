/**
 * `seizures smoke [--aws [--stack NAME]] [--format text|json]`: proves a deployment works end to end, as the test
 * Member XT (upload -> feedback -> stored lines -> interim phase close of a test phase -> reports -> alert email), then
 * deletes what it made. Each step is printed with its duration as it ends; exit 0 only when every step passed.
 *
 * Where: the local cloud running on the data directory (it must have been started with `smokeTests: true`: the step
 * `enabled` says how otherwise), else one started in this process with smoke tests enabled; with `--aws` the stack
 * (its SmokeTests output must be "true": deploy with `"smokeTests": true` in the operation config). The steps are
 * smoke-steps.ts, the same for both; only the phase close (in this process locally, the state machine on AWS) and the
 * extra proof of the email (locally the SES emulator's store) differ.
 *
 * Exit codes: 0 every step passed, 1 a step failed, 64 wrong usage, 69 no cloud / no credentials, 73 data directory
 * not writable.
 */
import { sfnClient } from '../../functions/core/platform/aws.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import type { PhaseCloseExecutionInput } from '../../functions/core/contracts/phase-close-spec.ts';
import { readDescriptor } from '../../lib/local/registry.ts';
import { closePhaseLocal } from '../../lib/local/stepfunctions.ts';
import { connect, withTable, type CloudTarget, type TableTarget } from './cloud.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { describeFailure, followAwsExecution } from './close-phase.ts';
import { configOption, formatOf, parse, readConfig, UsageError } from './common.ts';
import { runSmoke, type SmokeResult, type SmokeTarget, type StepResult } from './smoke-steps.ts';

export const usage = `seizures smoke [--format text|json] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]  (exit 0 every step passed, 1 a step failed, 64 usage, 69 no cloud)`;

export const EXIT_SMOKE_FAILED = 1;

export async function smokeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' }, ...localOptions, ...awsOptions, ...configOption });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const config = readConfig(values.config);

  return runCloudCommand('smoke', async () => {
    const log = (l: string) => process.stderr.write(`${l}\n`);
    let cloud: CloudTarget | undefined;
    try {
      // A cloud started in this process is this command's own: it runs with smoke tests enabled.
      cloud = await connect({ values, operation: { ...config, smokeTests: true }, ingest: true, log });
      const target = smokeTargetOf(withTable(cloud, 'smoke'), config);
      if (format === 'text') log(`smoke run on ${target.where}`);
      const result = await runSmoke(target, {
        config: { ...config, smokeTests: true },
        ...(format === 'text' ? { onStep: (s: StepResult) => void process.stdout.write(stepLine(s)) } : {}),
      });
      if (format === 'json') process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(verdict(result));
      return result.ok ? 0 : EXIT_SMOKE_FAILED;
    } finally {
      await cloud?.close();
    }
  });
}

/** One line per step: mark, name, duration, what it showed. */
export function stepLine(s: StepResult): string {
  const mark = s.ok ? 'ok  ' : s.skipped ? 'skip' : 'FAIL';
  return `${mark} ${s.name.padEnd(11)} ${`${(s.ms / 1000).toFixed(1)} s`.padStart(8)}  ${s.detail}\n`;
}

function verdict(r: SmokeResult): string {
  const total = r.steps.reduce((a, s) => a + s.ms, 0);
  const failed = r.steps.filter((s) => !s.ok && !s.skipped);
  return r.ok
    ? `smoke run ${r.runId}: every step passed in ${(total / 1000).toFixed(1)} s on ${r.where}\n`
    : `smoke run ${r.runId}: ${failed.map((s) => s.name).join(', ')} failed on ${r.where}\n`;
}

/** The smoke steps' target over the command's cloud target (a local cloud or the stack). */
export function smokeTargetOf(p: TableTarget, config: OperationConfig): SmokeTarget {
  const base = { kind: p.kind, where: p.where, s3: p.s3, dynamo: p.dynamo, bucket: p.bucket, tableName: p.tableName };
  if (p.kind === 'aws') {
    return {
      ...base,
      async smokeEnabled() {
        const v = p.aws?.outputs?.['SmokeTests'];
        if (v === 'true') return { ok: true };
        return {
          ok: false,
          how:
            v === undefined
              ? `the stack ${p.aws?.stackName} has no SmokeTests output: deploy the current version with "smokeTests": true in the operation config`
              : `the stack ${p.aws?.stackName} was deployed with smokeTests off: set "smokeTests": true in the operation config (cdk.json context.operation, or the -c operation=FILE) and run npx cdk deploy`,
        };
      },
      async closePhase(input) {
        const arn = p.aws?.stateMachineArn;
        if (!arn) throw new Error(`the stack ${p.aws?.stackName} has no PhaseCloseStateMachineArn output`);
        const sfn = sfnClient();
        try {
          const quiet = { step() {}, note() {}, done() {} };
          const out = await followAwsExecution(sfn, arn, input, quiet, { name: `smoke-${input.asOf}-${Date.now()}` });
          if (!out.ok)
            throw new Error(`the workflow failed: ${describeFailure(out.error, out.cause)}${out.where ? ` (${out.where})` : ''}`);
          return out.output;
        } finally {
          sfn.destroy();
        }
      },
    };
  }
  const local = p.local!;
  return {
    ...base,
    async smokeEnabled() {
      if (local.inProcess) return { ok: true };
      if (readDescriptor(local.dataDir)?.smokeTests) return { ok: true };
      return {
        ok: false,
        how:
          `the local cloud on ${local.dataDir} was started without smokeTests: stop it and start it again with "smokeTests": true ` +
          'in the operation config (cdk.json context.operation, or --config FILE), or run `seizures smoke --data-dir DIR` on another data directory (it then starts a cloud of its own)',
      };
    },
    async closePhase(input: PhaseCloseExecutionInput) {
      if (local.inProcess) return local.inProcess.closePhase(input);
      return closePhaseLocal({
        endpoints: local.endpoints,
        bucket: p.bucket,
        tableName: p.tableName,
        operation: { ...config, smokeTests: true },
        input,
        ...(local.portalUrl ? { portalUrl: local.portalUrl } : {}),
      });
    },
    async mailSent(messageId, to) {
      const res = await fetch(`${local.endpoints.ses}/store`);
      const store = (await res.json()) as { emails?: { messageId?: string; subject?: string; destination?: { to?: string[] } }[] };
      const mail = (store.emails ?? []).find((e) => e.messageId === messageId);
      if (!mail) throw new Error(`the SES emulator has no email ${messageId}`);
      if (!(mail.destination?.to ?? []).includes(to))
        throw new Error(`the SES emulator's email ${messageId} went to ${mail.destination?.to?.join(', ')}, not ${to}`);
      return `in the SES emulator's store: "${mail.subject}"`;
    },
  };
}
