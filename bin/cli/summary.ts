/**
 * `seizures summary --phase N [--cumulative] [--interim DATE] [--format json]`: prints a stored phase-close summary
 * (what `close-phase` or a schedule wrote): the run's item in the table says where its reports are; the text shows
 * the headline figures (the phase's, or since the operation started with --cumulative) and the signals; JSON is
 * summary.json as written (the analysts' version with --analysts).
 *
 * Exit codes: 0 printed, 1 no such summary stored, 64 wrong usage, 69 no cloud / no credentials.
 */
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { isIsoDay } from '../../functions/core/operation/days.ts';
import { PhaseTable, type SummaryItem } from '../../functions/core/phase/items.ts';
import { getText } from '../../functions/core/phase/io.ts';
import type { Figures, SummaryJson } from '../../functions/core/phase/summary.ts';
import { awsOptions, LOCAL_USAGE, localOptions } from './cloud-flags.ts';
import { phaseOfFlag } from './close-phase.ts';
import { configOption, formatOf, parse, readConfig, UsageError } from './common.ts';
import { connect, withTable, type CloudTarget } from './cloud.ts';
import { runCloudCommand } from './cloud-connect.ts';

export const usage = `seizures summary --phase N [--cumulative] [--interim YYYY-MM-DD] [--analysts] [--format text|json] [--aws [--stack NAME]] ${LOCAL_USAGE} [--config FILE]  (exit 0, 1 no such summary)`;

export const EXIT_NOT_FOUND = 1;

export async function summaryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    phase: { type: 'string' },
    cumulative: { type: 'boolean' },
    interim: { type: 'string' },
    analysts: { type: 'boolean' },
    format: { type: 'string' },
    ...localOptions,
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const config = readConfig(values.config);
  const phase = phaseOfFlag(config, values.phase);
  if (values.interim !== undefined && !isIsoDay(values.interim)) {
    throw new UsageError(`--interim takes the run's as-of date, YYYY-MM-DD (got '${values.interim}')`);
  }
  const runLabel = values.interim === undefined ? 'final' : `interim-${values.interim}`;
  const what =
    values.interim === undefined
      ? `final summary of phase ${phase.phase}`
      : `interim summary of phase ${phase.phase} as of ${values.interim}`;

  return runCloudCommand('summary', async () => {
    let target: CloudTarget | undefined;
    try {
      target = await connect({ values, operation: config, ingest: false, log: (l) => process.stderr.write(`${l}\n`) });
      const { dynamo, tableName } = withTable(target, 'summary');
      const table = new PhaseTable({ client: dynamo, tableName });
      const item = await table.getSummary(config.id, phase.phase, runLabel);
      if (!item) {
        const others = (await table.listSummaries(config.id)).filter((s) => s.phase === phase.phase).map((s) => s.runLabel);
        process.stderr.write(
          `seizures summary: no ${what} is stored on ${target.where}` +
            (others.length ? ` (stored for phase ${phase.phase}: ${others.join(', ')})` : '') +
            `; \`seizures close-phase --phase ${phase.phase}${values.interim ? ` --interim --as-of ${values.interim}` : ''}\` makes it\n`,
        );
        return EXIT_NOT_FOUND;
      }
      const key = values.analysts ? item.keys.analystsJson : item.keys.json;
      const text = await getText(target.s3, target.bucket, key);
      if (format === 'json') {
        process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return 0;
      }
      process.stdout.write(
        describeSummary(JSON.parse(text) as SummaryJson, item, { cumulative: values.cumulative ?? false, bucket: target.bucket, config }),
      );
      return 0;
    } finally {
      await target?.close();
    }
  });
}

const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 3 });

function top(rows: Figures['byProduct'], k = 5): string {
  return rows
    .slice(0, k)
    .map((r) => `${r.label ?? r.key} ${n(r.lines)}`)
    .join(', ');
}

/** The summary for people: run, figures, the strongest signals, where the reports are. */
export function describeSummary(
  s: SummaryJson,
  item: Pick<SummaryItem, 'keys' | 'prefix' | 'storedAt'>,
  o: { cumulative: boolean; bucket: string; config: Pick<OperationConfig, 'name'> },
): string {
  const f = o.cumulative ? s.figures.cumulative : s.figures.phase;
  const run = s.mode === 'final' ? 'final close' : `interim summary as of ${s.asOf}`;
  const lines = [
    `${s.operation.name ?? o.config.name}, phase ${s.phase.phase} (${s.phase.start} to ${s.phase.end}): ${run}, stored ${item.storedAt}`,
    o.cumulative ? `since the start of the operation (to ${s.counted.to}):` : `in the phase (${s.counted.from} to ${s.counted.to}):`,
    `  seizure lines ${n(f.lines)}, cases ${n(f.cases)}, reporting Members ${f.reportingMembers} of ${f.participatingMembers}`,
    `  units ${n(f.units.total)} (pieces ${n(f.units.pieces)}, doses ${n(f.units.doses)}, packs ${n(f.units.packs)}), kg ${n(f.kg)}, litres ${n(f.litres)}`,
  ];
  if (f.value.length) lines.push(`  estimated value ${f.value.map((v) => `${n(v.amount)} ${v.currency}`).join(', ')}`);
  if (f.byProduct.length) lines.push(`  top products: ${top(f.byProduct)}`);
  if (f.byMember.length) lines.push(`  top Members: ${top(f.byMember)}`);
  lines.push(`signals: ${s.signalCount}${s.alert ? ' (alert)' : ''}`);
  for (const e of s.signals.slice(0, 10)) lines.push(`  - ${e.text}`);
  if (s.signals.length > 10) lines.push(`  ... and ${s.signals.length - 10} more (--format json, or the reports)`);
  lines.push(`reports: s3://${o.bucket}/${item.prefix}`);
  return lines.join('\n') + '\n';
}
