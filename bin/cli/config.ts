/**
 * `seizures config check [FILE] [--format text|json]`: checks an operation config before a deploy: by default the one
 * in cdk.json's context, else FILE (a cdk.json or the operation alone, as `cdk deploy -c operation=FILE` takes it).
 * The same check runs on every `cdk synth` (bin/app.ts).
 *
 * Exit codes: 0 valid (warnings may be printed), 1 invalid (every problem listed, each naming its field), 64 wrong
 * usage (unknown subcommand or flag, a FILE that cannot be read).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { operationOfFile, type ConfigCheck } from '../../functions/core/operation/config-check.ts';
import { checkDeployableConfig } from '../../functions/core/contracts/operation-env.ts';
import { formatOf, parse, UsageError } from './common.ts';

export const usage =
  'seizures config check [FILE] [--format text|json]  (exit 0 valid, 1 invalid, 64 usage; FILE: a cdk.json or an operation config, default cdk.json)';

export const EXIT_INVALID = 1;

/** What `--format json` prints. */
export interface ConfigCheckJson {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: ConfigCheck['errors'];
  readonly warnings: ConfigCheck['warnings'];
  /** When valid: the operation's id, phases and Member count (what a deploy would create). */
  readonly operation?: {
    readonly id: string;
    readonly name: string;
    readonly phases: number;
    readonly members: number;
    readonly smokeTests: boolean;
  };
}

/** Checks the file's JSON; a file that is not JSON is invalid (exit 1), one that cannot be read is wrong usage. */
export function checkFile(file: string): ConfigCheckJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { file, valid: false, errors: [{ field: '(file)', message: `not JSON: ${(e as Error).message}` }], warnings: [] };
  }
  const c = checkDeployableConfig(operationOfFile(json));
  return {
    file,
    valid: c.valid,
    errors: c.errors,
    warnings: c.warnings,
    ...(c.config
      ? {
          operation: {
            id: c.config.id,
            name: c.config.name,
            phases: c.config.phases.length,
            members: c.config.members.length,
            smokeTests: c.config.smokeTests === true,
          },
        }
      : {}),
  };
}

export async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check')
    throw new UsageError(sub === undefined ? 'expected a subcommand: check' : `unknown subcommand '${sub}' (expected: check)`);
  const { values, positionals } = parse(rest, { format: { type: 'string' } });
  if (positionals.length > 1) throw new UsageError(`expected at most one FILE (got ${positionals.length})`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const file = positionals[0] ?? resolve(PROJECT_ROOT, 'cdk.json');
  const out = checkFile(file);
  if (format === 'json') process.stdout.write(JSON.stringify(out) + '\n');
  else process.stdout.write(describe(out));
  return out.valid ? 0 : EXIT_INVALID;
}

function describe(o: ConfigCheckJson): string {
  const name = relative(process.cwd(), o.file) || o.file;
  const lines = o.valid
    ? [
        `${name}: valid${o.operation ? `: ${o.operation.name} (${o.operation.id}), ${o.operation.phases} phase(s), ${o.operation.members} Member(s)${o.operation.smokeTests ? ', smoke tests enabled' : ''}` : ''}`,
      ]
    : [`${name}: ${o.errors.length} problem(s):`, ...o.errors.map((e) => `  ${e.field}: ${e.message}`)];
  if (o.warnings.length) lines.push(`${o.warnings.length} warning(s):`, ...o.warnings.map((w) => `  ${w.field}: ${w.message}`));
  return lines.join('\n') + '\n';
}
