/**
 * One benchmark case in a child process of its own, so its peak RSS is its own: `tsx measure.ts CASE ARGS...`
 * prints one JSON line {seconds, maxRssMB, ...}. Only what the validation cases need is imported here, so their
 * RSS is not inflated by the emulators (those cases are in measure-cloud.ts).
 */
import { runCase, type Case } from './case.ts';
import { loadOperationConfig } from '../../functions/core/operation/config.ts';
import { fileByteSource } from '../../functions/core/sheet/source.ts';
import { scanFloor } from './scan-floor.ts';
import { validateSpreadsheet } from '../../functions/core/validation/validate.ts';
import { writeFeedbackWorkbook } from '../../functions/core/ingest/feedback.ts';
import { Writable } from 'node:stream';
import { MY_DATA_CASES } from './my-data.ts';

const CASES: Record<string, Case> = {
  ...MY_DATA_CASES,
  /** Floor: inflate the sheet entry and count '<' bytes, building nothing. */
  async 'xlsx-floor'([file]) {
    const r = await scanFloor(await fileByteSource(file!), 0);
    return { inflatedMB: r.inflatedBytes / 1e6 };
  },
  /** Parse + validate + records (serialised as NDJSON lines, as --records does). */
  async validate([file]) {
    let bytes = 0;
    const report = await validateSpreadsheet(await fileByteSource(file!), {
      config: loadOperationConfig(),
      member: 'FR',
      today: '2026-11-28',
      onRecord: (r) => void (bytes += JSON.stringify(r).length + 1),
    });
    if (report.stats.invalidRows || report.errors.length)
      throw new Error(`bench file did not validate: ${JSON.stringify(report.errors.slice(0, 3))}`);
    return { rows: report.stats.validRows, ndjsonMB: bytes / 1e6 };
  },
  /** What ingest does with a file, S3 and the table aside: validate, then write the annotated feedback workbook. */
  async 'validate-feedback'([file]) {
    const source = await fileByteSource(file!);
    const report = await validateSpreadsheet(source, {
      config: loadOperationConfig(),
      member: 'FR',
      today: '2026-11-28',
      onRecord: () => undefined,
    });
    let bytes = 0;
    const sink = new Writable({
      write: (c: Buffer, _e, done) => {
        bytes += c.length;
        done();
      },
    });
    await writeFeedbackWorkbook(source, report, sink);
    return { rows: report.stats.rows, warnings: report.stats.warnings, errors: report.stats.errors, feedbackKB: bytes / 1024 };
  },
};

await runCase(CASES);
