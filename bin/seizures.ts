/**
 * `seizures`: the command line for people — Member officers, analysts and engineers.
 * Exit codes: 0 success, 1 some rows invalid, 2 file rejected, 64 wrong usage, 70 internal error.
 */
import { ConfigError } from '../functions/core/operation/config.ts';
import { EXIT_USAGE, UsageError } from './cli/common.ts';

/** A command's module as the dispatcher loads it: its entry point and its usage line. */
type Loaded = { run: (args: string[]) => Promise<number>; usage: string };
type Command = { summary: string; load: () => Promise<Loaded> };

/**
 * The commands, each loaded only when it runs: `seizures validate` never loads the emulators or the SDK clients that
 * `dev` or `close-phase` need. Each command module imports what it uses statically.
 */
const COMMANDS: Record<string, Command> = {
  validate: {
    summary: 'check a spreadsheet and print what to fix',
    load: async () => import('./cli/validate.ts').then((m) => ({ run: m.validateCommand, usage: m.usage })),
  },
  template: {
    summary: 'write the upload template (en, fr or es)',
    load: async () => import('./cli/template.ts').then((m) => ({ run: m.templateCommand, usage: m.usage })),
  },
  trends: {
    summary: 'run the weekly EARS detector on a count series',
    load: async () => import('./cli/trends.ts').then((m) => ({ run: (args: string[]) => m.trendsCommand(args), usage: m.usage })),
  },
  dev: {
    summary: 'run the whole pipeline on this machine (npm start)',
    load: async () => import('./cli/dev.ts').then((m) => ({ run: (args: string[]) => m.devCommand(args), usage: m.usage })),
  },
  upload: {
    summary: "upload a file to a Member's folder and wait for the outcome",
    load: async () => import('./cli/upload.ts').then((m) => ({ run: m.uploadCommand, usage: m.usage })),
  },
  status: {
    summary: 'list submissions with status and counts',
    load: async () => import('./cli/status.ts').then((m) => ({ run: m.statusCommand, usage: m.usage })),
  },
  'nil-return': {
    summary: 'record that a Member has nothing to report for a phase',
    load: async () => import('./cli/nil-return.ts').then((m) => ({ run: m.nilReturnCommand, usage: m.usage })),
  },
  'close-phase': {
    summary: 'run the phase-close workflow by hand (locally, or on AWS with --aws)',
    load: async () => import('./cli/close-phase.ts').then((m) => ({ run: m.closePhaseCommand, usage: m.usage })),
  },
  summary: {
    summary: 'print a stored phase-close summary',
    load: async () => import('./cli/summary.ts').then((m) => ({ run: m.summaryCommand, usage: m.usage })),
  },
  demo: {
    summary: 'run a STOP II-shaped demo operation through the local pipeline',
    load: async () => import('./cli/demo.ts').then((m) => ({ run: m.demoCommand, usage: m.usage })),
  },
  smoke: {
    summary: 'prove a deployment end to end as the test Member XT, then clean up (locally, or on AWS with --aws)',
    load: async () => import('./cli/smoke.ts').then((m) => ({ run: m.smokeCommand, usage: m.usage })),
  },
  query: {
    summary: 'SQL over every seizure line the phase closes counted (the lake: DuckDB locally, Athena with --aws)',
    load: async () => import('./cli/query.ts').then((m) => ({ run: (args: string[]) => m.queryCommand(args), usage: m.usage })),
  },
  config: {
    summary: 'check an operation config before a deploy (cdk synth runs the same check)',
    load: async () => import('./cli/config.ts').then((m) => ({ run: m.configCommand, usage: m.usage })),
  },
  preflight: {
    summary: 'prove offline that a deploy cannot fail on permissions, the template or Control Tower controls',
    load: async () => import('./cli/preflight.ts').then((m) => ({ run: (args: string[]) => m.preflightCommand(args), usage: m.usage })),
  },
  users: {
    summary: "add or list the portal's users (local Cognito, or the stack's pool with --aws)",
    load: async () => import('./cli/users.ts').then((m) => ({ run: m.usersCommand, usage: m.usage })),
  },
};

/** Every command with its summary, then every usage line (the one place that loads all the command modules). */
async function help(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const loaded = await Promise.all(Object.values(COMMANDS).map((c) => c.load()));
  return [
    'usage: seizures <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    ...loaded.map((c) => `  ${c.usage}`),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await help());
    return name ? 0 : EXIT_USAGE;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`seizures: unknown command '${name}'\n\n${await help()}`);
    return EXIT_USAGE;
  }
  // Who the preflight's recording says sent a call of this process (functions/core/platform/aws.ts).
  process.env.PREFLIGHT_CALLER ??= `cli:${name}`;
  const cmd = await entry.load();
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
