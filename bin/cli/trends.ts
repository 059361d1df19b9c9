/**
 * `seizures trends weekly FILE.csv [--method c1|c2|c3] [--alpha A] [--min-sigma S] [--format text|json]`
 *
 * Runs the weekly EARS detector on any count series: a CSV whose header names the columns week_start and count
 * (in any order; other columns are ignored, so the shared reference vectors read as they are), one week per row,
 * in time order. Defaults are R surveillance::earsC's: C1, alpha 0.001, min sigma 0.
 * Exit 0 on success, 2 when the file cannot be read or has bad rows (each named by line), 64 on wrong usage.
 */
import { readFile } from 'node:fs/promises';
import { earsC, type EarsMethod } from '../../functions/core/trends/ears.ts';
import { formatOf, parse, UsageError } from './common.ts';

export const usage = 'seizures trends weekly FILE.csv [--method c1|c2|c3] [--alpha A] [--min-sigma S] [--format text|json]';

export const EXIT_BAD_FILE = 2;

interface Io {
  readonly out: { write(s: string): unknown };
  readonly err: { write(s: string): unknown };
}

interface Week {
  readonly week_start: string;
  readonly count: number;
}

/** Splits one CSV line on commas, honouring double-quoted fields ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields.map((f) => f.trim());
}

/** The weeks of the CSV text, or the problems found, each naming its line (1-based, the header is line 1). */
export function parseWeeklyCsv(text: string): { weeks: Week[]; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
  const wi = header.indexOf('week_start');
  const ci = header.indexOf('count');
  if (wi < 0 || ci < 0) return { weeks: [], problems: ['line 1: the header must name the columns week_start and count'] };
  const weeks: Week[] = [];
  const problems: string[] = [];
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    if (line.trim() === '') return;
    const f = splitCsvLine(line);
    const week = f[wi] ?? '';
    const count = f[ci] ?? '';
    if (week === '') problems.push(`line ${n}: week_start is empty`);
    else if (!/^\d+$/.test(count)) problems.push(`line ${n}: count '${count}' is not a whole number >= 0`);
    else weeks.push({ week_start: week, count: Number(count) });
  });
  return { weeks, problems };
}

function numberOption(v: string | undefined, flag: string, ok: (x: number) => boolean, rule: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`${flag} must be ${rule} (got '${v}')`);
  return x;
}

function methodOf(v: string | undefined): EarsMethod {
  if (v === undefined) return 'c1';
  const m = v.toLowerCase();
  if (m !== 'c1' && m !== 'c2' && m !== 'c3') throw new UsageError(`--method must be c1, c2 or c3 (got '${v}')`);
  return m;
}

function fmt(x: number | undefined): string {
  return x === undefined ? '-' : Number.isNaN(x) ? 'NaN' : x.toFixed(3);
}

export async function trendsCommand(args: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const { values, positionals } = parse(args, {
    method: { type: 'string' },
    alpha: { type: 'string' },
    'min-sigma': { type: 'string' },
    format: { type: 'string' },
  });
  const [sub, file, ...rest] = positionals;
  if (sub !== 'weekly') throw new UsageError(sub === undefined ? 'expected a subcommand: weekly' : `unknown subcommand '${sub}' (expected weekly)`);
  if (file === undefined || rest.length > 0) throw new UsageError('expected one FILE.csv');
  const method = methodOf(values.method);
  const alpha = numberOption(values.alpha, '--alpha', (x) => x > 0 && x < 1, 'a number between 0 and 1') ?? 0.001;
  const minSigma = numberOption(values['min-sigma'], '--min-sigma', (x) => x >= 0, 'a number >= 0') ?? 0;
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err.write(`seizures trends: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return EXIT_BAD_FILE;
  }
  const { weeks, problems } = parseWeeklyCsv(text);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `seizures trends: ${file} ${p}\n`);
    const more = problems.length > 20 ? [`seizures trends: ... and ${problems.length - 20} more bad rows\n`] : [];
    io.err.write([...shown, ...more].join(''));
    return EXIT_BAD_FILE;
  }

  const result = earsC(
    weeks.map((w) => w.count),
    { method, alpha, minSigma },
  );
  if (format === 'json') {
    const rows = weeks.map((w, i) => {
      const ub = result[i]!.upperBound;
      return { week_start: w.week_start, count: w.count, upperBound: ub === undefined || Number.isNaN(ub) ? null : ub, alarm: result[i]!.alarm };
    });
    io.out.write(JSON.stringify(rows) + '\n');
    return 0;
  }
  const table = [['week_start', 'count', 'upper_bound', 'alarm'], ...weeks.map((w, i) => [w.week_start, String(w.count), fmt(result[i]!.upperBound), result[i]!.alarm ? 'ALARM' : ''])];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
  const lines = table.map(([w, c, ub, a]) => `${w!.padEnd(widths[0]!)}  ${c!.padStart(widths[1]!)}  ${ub!.padStart(widths[2]!)}  ${a}`.trimEnd());
  const alarms = result.filter((r) => r.alarm).length;
  lines.push('', `${method.toUpperCase()}, alpha ${alpha}, min sigma ${minSigma}: ${alarms} alarm${alarms === 1 ? '' : 's'} in ${weeks.length} weeks`);
  io.out.write(lines.join('\n') + '\n');
  return 0;
}
