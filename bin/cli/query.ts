/**
 * `seizures query "SQL" [--format text|csv|json] [--data-dir DIR]`: SQL over every seizure line the phase closes
 * counted (the lake, functions/core/lake), as the view `lines`. Locally DuckDB reads the local cloud's Parquet files in
 * place (no cloud needs to run); with `--aws` the query runs in the stack's Athena workgroup (lib/analysts-lake.ts).
 * Both print the same shapes: an aligned table, CSV, or a JSON array of row objects.
 *
 * Exit codes: 0 printed, 1 the SQL was refused (the engine's message, no stack trace), 64 wrong usage, 69 no lake
 * yet / no AWS credentials / no such stack, 75 the Athena query outlived --timeout.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { queryAthena, QueryTimeoutError } from '../../functions/core/lake/athena.ts';
import { queryLocal } from '../../functions/core/lake/duckdb.ts';
import { FORMATS, LakeUnavailableError, QueryError, type QueryResult } from '../../functions/core/lake/result.ts';
import { localLakeFiles } from '../../lib/local/lake.ts';
import { awsOptions, EXIT, localSettingsOf } from './cloud-flags.ts';
import { readStack, runCloudCommand, stackNameOf, wantsAws } from './cloud-connect.ts';
import { configOption, formatOf, parse, readConfig, UsageError } from './common.ts';
import { StackOutputMissingError } from './errors.ts';

export const usage =
  'seizures query "SQL" [--format text|csv|json] [--data-dir DIR | --aws [--stack NAME] [--timeout SECONDS]] [--config FILE]  (exit 0, 1 SQL refused)';

export const EXIT_QUERY_REFUSED = 1;

/** Where `--aws` finds the lake: stack outputs (lib/seizure-pipeline-stack.ts). */
export const LAKE_OUTPUTS = { workGroup: 'LakeWorkGroup', database: 'LakeDatabase' } as const;

export async function queryCommand(args: string[], o: { athena?: AthenaClient } = {}): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string' },
    'data-dir': { type: 'string' },
    timeout: { type: 'string' },
    ...awsOptions,
    ...configOption,
  });
  if (positionals.length === 0) throw new UsageError('give the SQL, e.g. seizures query "select count(*) from lines"');
  if (positionals.length > 1) throw new UsageError(`one SQL statement, quoted (got ${positionals.length} arguments)`);
  const sql = positionals[0]!;
  if (sql.trim() === '') throw new UsageError('the SQL is empty');
  const format = formatOf(values.format, ['text', 'csv', 'json'] as const, 'text');
  const aws = wantsAws(values);
  if (values.timeout !== undefined && !aws) throw new UsageError('--timeout applies to --aws (Athena) only');
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0))
    throw new UsageError(`--timeout takes seconds (got '${values.timeout}')`);

  return runCloudCommand('query', async () => {
    let result: QueryResult;
    try {
      if (aws) {
        const config = readConfig(values.config);
        const stack = await stackNameOf(values.stack, config);
        const { outputs } = await readStack(stack);
        const workGroup = outputs[LAKE_OUTPUTS.workGroup];
        const database = outputs[LAKE_OUTPUTS.database];
        if (!workGroup || !database)
          throw new StackOutputMissingError(
            `the stack ${stack} has no ${LAKE_OUTPUTS.workGroup}/${LAKE_OUTPUTS.database} outputs: deploy this version`,
          );
        const client = o.athena ?? new AthenaClient({});
        try {
          result = await queryAthena({ client, workGroup, database, ...(timeout ? { timeoutMs: timeout * 1000 } : {}) }, sql);
        } finally {
          if (!o.athena) client.destroy();
        }
      } else {
        const { dataDir } = localSettingsOf({ 'data-dir': values['data-dir'] });
        result = await queryLocal({ files: localLakeFiles(dataDir) }, sql);
      }
    } catch (e) {
      if (e instanceof QueryError) {
        process.stderr.write(`seizures query: the SQL was refused: ${e.message}\n`);
        return EXIT_QUERY_REFUSED;
      }
      if (e instanceof LakeUnavailableError) {
        process.stderr.write(`seizures query: ${e.message}\n`);
        return EXIT.unavailable;
      }
      if (e instanceof QueryTimeoutError) {
        process.stderr.write(`seizures query: ${e.message}\n`);
        return EXIT.timeout;
      }
      throw e;
    }
    process.stdout.write(FORMATS[format](result));
    return 0;
  });
}
