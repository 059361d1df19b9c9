/**
 * `seizures preflight [--cdk-out DIR] [--format text|json]`: what can be proven offline about a first deploy
 * (lib/preflight/): every recorded AWS call allowed by its caller's role, every resource valid CloudFormation, every
 * Control Tower proactive control met or accepted with a reason, the workflows valid ASL. Without --cdk-out the app is
 * synthesized first, as `npx cdk synth` does (offline). Exit 0 when all holds, 1 when anything fails, 64 wrong usage.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { preflight, synthesize, type PreflightReport } from '../../lib/preflight/index.ts';
import { formatOf, parse, UsageError } from './common.ts';

export const usage = 'seizures preflight [--cdk-out DIR] [--format text|json]';

export async function preflightCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const { values, positionals } = parse(args, { 'cdk-out': { type: 'string' }, format: { type: 'string' } });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  let dir = values['cdk-out'] === undefined ? undefined : resolve(values['cdk-out']);
  if (dir !== undefined && !existsSync(join(dir, 'manifest.json')))
    throw new UsageError(`--cdk-out ${values['cdk-out']}: no manifest.json there (give the directory \`cdk synth\` wrote, e.g. cdk.out)`);
  const temp = dir === undefined ? mkdtempSync(join(tmpdir(), 'seizures-preflight-')) : undefined;
  try {
    if (temp) {
      process.stderr.write('synthesizing the app (cdk synth, offline; a minute or two)...\n');
      await synthesize(PROJECT_ROOT, temp);
      dir = temp;
    }
    process.stderr.write('checking calls, schemas, controls and workflows...\n');
    const report = await preflight({ cdkOut: dir! });
    out(format === 'json' ? `${JSON.stringify(report)}\n` : text(report));
    return report.ok ? 0 : 1;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

export function text(r: PreflightReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const lines: string[] = [`preflight of ${r.stacks.join(', ')}`];
  const c = r.calls;
  lines.push(
    `${mark(c.denied.length === 0)} calls: ${c.checked} checked against their roles, ${c.denied.length} denied` +
      (c.operator ? ` (${c.operator} sent with an operator's own credentials, not checked)` : ''),
  );
  for (const d of c.denied) lines.push(`       ${d.function}: ${d.action} on ${d.resource}, from ${d.from}${d.why ? `: ${d.why}` : ''}`);
  const s = r.schema;
  lines.push(`${mark(s.problems.length === 0)} schema: ${s.resources} resources checked, ${s.problems.length} problem(s)`);
  for (const p of s.problems) lines.push(`       ${p.resource}${p.property ? ` ${p.property}` : ''}: ${p.problem}`);
  const k = r.controls;
  lines.push(
    `${mark(k.unexplained.length === 0)} controls: ${k.findings} Control Tower finding(s), ${k.accepted.length} accepted with a reason, ${k.unexplained.length} unexplained`,
  );
  for (const u of k.unexplained)
    lines.push(`       ${u.rule} on ${u.resource}: ${u.control} (fix: ${u.fix}; or accept it in lib/preflight/accepted-controls.json)`);
  for (const a of k.stale)
    lines.push(`       no longer found, remove from lib/preflight/accepted-controls.json: ${a.rule} on ${a.resource}`);
  const w = r.asl;
  lines.push(`${mark(w.problems.length === 0)} workflows: ${w.checked} state machine(s) validated, ${w.problems.length} problem(s)`);
  for (const p of w.problems) lines.push(`       ${p.stateMachine}: ${p.problem}`);
  lines.push(r.ok ? 'preflight passed' : 'preflight FAILED');
  return `${lines.join('\n')}\n`;
}
