/**
 * `seizures nil-return --member XX --phase N`: records that a Member has nothing to report for a phase
 * (functions/core/operation/nil-return.ts). The Member then counts among the phase's reporters, whose Member-weeks are the
 * exposure behind every rate of the phase close. Recording it twice is no error: the first one is kept.
 * Exit 0 recorded (or already recorded), 1 refused (the Member has seizures stored for the phase), 64 wrong usage (an
 * unknown Member or phase), 69 no cloud. JSON when refused: {"created": false, "refused": "phase-has-seizures", "message"}.
 */
import {
  checkNilReturn,
  NilReturnConflictError,
  nilReturnConflictMessage,
  NilReturnError,
  NilReturnStore,
} from '../../functions/core/operation/nil-return.ts';
import { connect } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { configOption, formatOf, memberOf, parse, readConfig, UsageError } from './common.ts';

export const usage = `seizures nil-return --member XX --phase N [--by NAME] [--format text|json] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]`;

export async function nilReturnCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    member: { type: 'string' },
    phase: { type: 'string' },
    by: { type: 'string' },
    format: { type: 'string' },
    ...localOptions,
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const member = memberOf(values.member);
  if (!member) throw new UsageError('--member XX is required (the ISO alpha-2 code of the Member)');
  const phase = Number(values.phase);
  if (values.phase === undefined || !Number.isInteger(phase))
    throw new UsageError(`--phase N is required, a phase number (got '${values.phase ?? ''}')`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const config = readConfig(values.config);
  const request = { member, phase, source: 'cli' as const, ...(values.by ? { by: values.by } : {}) };
  try {
    checkNilReturn(config, request);
  } catch (e) {
    if (e instanceof NilReturnError) throw new UsageError(e.message);
    throw e;
  }

  return runCloudCommand('nil-return', async () => {
    const target = await connect({ values, operation: config, ingest: false, log: (l) => process.stderr.write(`${l}\n`) });
    try {
      if (!target.dynamo || !target.tableName) throw new UsageError('nil-return writes to the seizures table: give --stack, not --bucket');
      const store = new NilReturnStore({ client: target.dynamo, tableName: target.tableName });
      let recorded: Awaited<ReturnType<NilReturnStore['record']>>;
      try {
        recorded = await store.record(config, request);
      } catch (e) {
        if (!(e instanceof NilReturnConflictError)) throw e;
        const lang = config.members.find((m) => m.code === member)?.language ?? 'en';
        const text = nilReturnConflictMessage(lang, phase);
        if (format === 'json')
          process.stdout.write(`${JSON.stringify({ created: false, refused: NilReturnConflictError.code, message: text })}\n`);
        else process.stderr.write(`${member}, phase ${phase}: ${text}\n`);
        return 1;
      }
      const { created, nilReturn } = recorded;
      if (format === 'json') process.stdout.write(`${JSON.stringify({ created, nilReturn })}\n`);
      else
        process.stdout.write(
          created
            ? `nil return recorded: ${member} has nothing to report for phase ${phase} of ${config.name} (on ${target.where})\n`
            : `already recorded on ${nilReturn.recordedAt}: ${member} has nothing to report for phase ${phase} (kept; on ${target.where})\n`,
        );
      return 0;
    } finally {
      await target.close();
    }
  });
}
