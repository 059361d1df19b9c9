/** Runs the case named on the command line and prints one JSON line {seconds, maxRssMB, ...its own figures}. */
import { performance } from 'node:perf_hooks';

export type Case = (args: string[]) => Promise<Record<string, number | string>>;

export async function runCase(cases: Record<string, Case>): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const run = cases[name!];
  if (!run) throw new Error(`unknown case ${name}; one of ${Object.keys(cases).join(', ')}`);
  const t0 = performance.now();
  const extra = await run(args);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra }) + '\n');
}
