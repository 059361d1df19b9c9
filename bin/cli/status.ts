/** `seizures status [--member XX] [--format text|json]`: the submissions, newest first, with status and counts. */
import type { SubmissionRecord } from '../../functions/core/submission.ts';
import { BUCKET_HINT, connect, type CloudTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { configOption, formatOf, memberOf, parse, readConfig, UsageError } from './common.ts';

export const usage = `seizures status [--member XX] [--format text|json] [--limit N] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]`;

export async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    member: { type: 'string' },
    format: { type: 'string' },
    limit: { type: 'string' },
    ...localOptions,
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const member = memberOf(values.member);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive integer (got '${values.limit}')`);
  const config = readConfig(values.config);

  return runCloudCommand('status', async () => {
    let target: CloudTarget | undefined;
    try {
      target = await connect({ values, operation: config, ingest: false, stackHint: BUCKET_HINT, log: (l) => process.stderr.write(`${l}\n`) });
      if (!target.store) throw new UsageError('status reads the submissions table: give --stack, not --bucket');
      const list = await target.store.listSubmissions({ ...(member ? { member } : {}), ...(limit ? { limit } : {}) });
      process.stdout.write(format === 'json' ? JSON.stringify(list) + '\n' : table(list, target));
      return 0;
    } finally {
      await target?.close();
    }
  });
}

function table(list: SubmissionRecord[], t: CloudTarget): string {
  if (list.length === 0) return `no submissions yet on ${t.where}\n`;
  const rows = list.map((s) => [
    s.receivedAt.replace('T', ' ').slice(0, 19),
    s.member,
    s.status,
    String(s.rows.total),
    String(s.rows.valid),
    String(s.rows.invalid),
    String(s.stored.written),
    s.objectKey,
  ]);
  const head = ['received (UTC)', 'member', 'status', 'rows', 'valid', 'invalid', 'stored', 'file'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n') + `\n${list.length} submission(s) on ${t.where}\n`;
}
