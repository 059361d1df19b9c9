/**
 * `seizures`: the command line for people — Member officers, analysts and engineers.
 * Exit codes: 0 success, 1 some rows invalid, 2 file rejected, 64 wrong usage, 70 internal error.
 */
import { ConfigError } from '../functions/core/config.ts';
import { EXIT_USAGE, UsageError } from './cli/common.ts';
import * as demo from './cli/demo.ts';
import * as closePhase from './cli/close-phase.ts';
import * as dev from './cli/dev.ts';
import * as status from './cli/status.ts';
import * as summary from './cli/summary.ts';
import * as template from './cli/template.ts';
import * as trends from './cli/trends.ts';
import * as upload from './cli/upload.ts';
import * as users from './cli/users.ts';
import * as validate from './cli/validate.ts';

type Command = { run: (args: string[]) => Promise<number>; usage: string; summary: string };

const COMMANDS: Record<string, Command> = {
  validate: { run: validate.validateCommand, usage: validate.usage, summary: 'check a spreadsheet and print what to fix' },
  template: { run: template.templateCommand, usage: template.usage, summary: 'write the upload template (en, fr or es)' },
  trends: { run: (args) => trends.trendsCommand(args), usage: trends.usage, summary: 'run the weekly EARS detector on a count series' },
  dev: { run: dev.devCommand, usage: dev.usage, summary: 'run the whole pipeline on this machine (npm start)' },
  upload: { run: upload.uploadCommand, usage: upload.usage, summary: "upload a file to a Member's folder and wait for the outcome" },
  status: { run: status.statusCommand, usage: status.usage, summary: 'list submissions with status and counts' },
  'close-phase': { run: closePhase.closePhaseCommand, usage: closePhase.usage, summary: 'run the phase-close workflow by hand (locally, or on AWS with --aws)' },
  summary: { run: summary.summaryCommand, usage: summary.usage, summary: 'print a stored phase-close summary' },
  demo: { run: demo.demoCommand, usage: demo.usage, summary: 'run a STOP II-shaped demo operation through the local pipeline' },
  users: { run: users.usersCommand, usage: users.usage, summary: "add or list the portal's users (local Cognito, or the stack's pool with --aws)" },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: seizures <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : EXIT_USAGE;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`seizures: unknown command '${name}'\n\n${help()}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`seizures ${name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`seizures ${name}: ${e.message}\n`);
      return 78; // EX_CONFIG
    }
    process.stderr.write(`seizures ${name}: ${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
