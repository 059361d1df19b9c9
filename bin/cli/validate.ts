/** `seizures validate FILE [--member XX] [--format text|json] [--records OUT.ndjson] [--lang en|fr|es]` */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { formatReportText } from '../../functions/core/ingest/report-text.ts';
import { fileByteSource } from '../../functions/core/sheet/source.ts';
import { exitCodeOf, isRejected, printableReport, validateSpreadsheet } from '../../functions/core/validation/validate.ts';
import { configOption, formatOf, langOf, memberOf, parse, readConfig, UsageError } from './common.ts';

export const usage =
  'seizures validate FILE [--member XX] [--format text|json] [--records OUT.ndjson] [--lang en|fr|es] [--config FILE] [--today YYYY-MM-DD]';

export async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    member: { type: 'string' },
    format: { type: 'string' },
    records: { type: 'string' },
    lang: { type: 'string' },
    today: { type: 'string' },
    ...configOption,
  });
  if (positionals.length !== 1) throw new UsageError(`expected one FILE\nusage: ${usage}`);
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today)) throw new UsageError('--today must be YYYY-MM-DD');
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const lang = langOf(values.lang);
  const member = memberOf(values.member);
  const config = readConfig(values.config);
  const file = positionals[0]!;
  let source: Awaited<ReturnType<typeof fileByteSource>>;
  try {
    source = await fileByteSource(file);
  } catch (e) {
    throw new UsageError(`cannot open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }

  // Records go to a temporary file renamed at the end, so a rejected file never leaves a half-written output.
  const tmp = values.records ? `${values.records}.partial` : undefined;
  const out = tmp ? createWriteStream(tmp) : undefined;
  const report = await validateSpreadsheet(source, {
    config,
    ...(member ? { member } : {}),
    ...(lang ? { lang } : {}),
    ...(values.today ? { today: values.today } : {}),
    ...(out
      ? {
          onRecord: async (r) => {
            if (!out.write(JSON.stringify(r) + '\n')) await once(out, 'drain');
          },
        }
      : {}),
  });
  if (out && tmp && values.records) {
    out.end();
    await once(out, 'close');
    if (isRejected(report)) {
      await rm(tmp, { force: true });
      await writeFile(values.records, '');
    } else await rename(tmp, values.records);
  }
  const printable = printableReport(report);
  process.stdout.write(format === 'json' ? JSON.stringify(printable) + '\n' : formatReportText(report));
  return exitCodeOf(report);
}
