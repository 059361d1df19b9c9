/**
 * `seizures status [--member XX] [--format text|json]`: the submissions, newest first, with status and counts, then
 * the contacts SES reported unreachable (permanent bounce or complaint: the alerts skip them). JSON: the records as
 * stored, each of a Member whose NCP is unreachable with `ncpUnreachable` added. `--unreachable`: only those
 * contacts (JSON: an array of them, with their Member or analyst role).
 */
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { UnreachableContacts, type UnreachableItem } from '../../functions/core/mail/unreachable.ts';
import type { SubmissionRecord } from '../../functions/core/store/submission.ts';
import { BUCKET_HINT, connect, type CloudTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { configOption, formatOf, memberOf, parse, readConfig, UsageError } from './common.ts';

export const usage = `seizures status [--member XX] [--format text|json] [--limit N] [--unreachable] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]`;

export async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    member: { type: 'string' },
    format: { type: 'string' },
    limit: { type: 'string' },
    unreachable: { type: 'boolean' },
    ...localOptions,
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const member = memberOf(values.member);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UsageError(`--limit must be a positive integer (got '${values.limit}')`);
  const config = readConfig(values.config);

  return runCloudCommand('status', async () => {
    let target: CloudTarget | undefined;
    try {
      target = await connect({
        values,
        operation: config,
        ingest: false,
        stackHint: BUCKET_HINT,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      if (!target.store) throw new UsageError('status reads the submissions table: give --stack, not --bucket');
      const contacts = (await unreachableOf(target, config)).filter((c) => !member || c.member === member);
      if (values.unreachable) {
        process.stdout.write(format === 'json' ? JSON.stringify(contacts) + '\n' : unreachableText(contacts, target));
        return 0;
      }
      const list = await target.store.listSubmissions({ ...(member ? { member } : {}), ...(limit ? { limit } : {}) });
      if (format === 'json') {
        const byMember = new Map(contacts.filter((c) => c.role === 'ncp').map((c) => [c.member, c]));
        const withContacts = list.map((s) => {
          const c = byMember.get(s.member);
          return c ? { ...s, ncpUnreachable: { email: c.email, reason: c.reason, detail: c.detail, at: c.at } } : s;
        });
        process.stdout.write(JSON.stringify(withContacts) + '\n');
      } else {
        process.stdout.write(table(list, target) + (contacts.length ? `\n${unreachableText(contacts, target)}` : ''));
      }
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
    r
      .map((c, i) => (i === r.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n') + `\n${list.length} submission(s) on ${t.where}\n`;
}

/** An unreachable contact, with who it is in the operation. */
export interface UnreachableStatus extends UnreachableItem {
  readonly role: 'ncp' | 'analyst' | 'other';
  /** The Member whose NCP it is. */
  readonly member?: string;
}

async function unreachableOf(t: CloudTarget, config: OperationConfig): Promise<UnreachableStatus[]> {
  if (!t.dynamo || !t.tableName) return [];
  const list = await new UnreachableContacts({ client: t.dynamo, tableName: t.tableName }).list();
  const ncp = new Map(config.members.filter((m) => m.ncpEmail).map((m) => [m.ncpEmail!.toLowerCase(), m.code]));
  const analysts = new Set(config.analysts.map((a) => a.toLowerCase()));
  return list.map((c) => {
    const member = ncp.get(c.email.toLowerCase());
    return { ...c, role: member ? 'ncp' : analysts.has(c.email.toLowerCase()) ? 'analyst' : 'other', ...(member ? { member } : {}) };
  });
}

function unreachableText(list: UnreachableStatus[], t: CloudTarget): string {
  if (list.length === 0) return `no contact is unreachable on ${t.where}\n`;
  const rows = list.map((c) => [
    c.member ?? (c.role === 'analyst' ? 'analyst' : '-'),
    c.email,
    c.reason,
    c.detail,
    c.at.replace('T', ' ').slice(0, 16),
    c.diagnostic ?? '',
  ]);
  const head = ['member', 'address', 'reason', 'detail', 'since (UTC)', 'diagnostic'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return (
    [
      `${list.length} contact(s) unreachable (SES reported a permanent bounce or a complaint; alerts skip them until the item is removed):`,
      fmt(head),
      ...rows.map(fmt),
    ].join('\n') + '\n'
  );
}
