/**
 * The lake queried on this machine: DuckDB (native, so loaded with a dynamic import by the one caller that needs it,
 * never bundled into a Lambda) over the Parquet files of the local cloud, with a view `lines` over every partition.
 * The files carry `phase` and `member` as columns, so the view reads them from the files, not from the paths.
 */
import { LakeUnavailableError, QueryError, typedCell, type Cell, type QueryResult } from './result.ts';

export interface LocalLake {
  /** The Parquet files of the view `lines` (paths; a glob is allowed). */
  readonly files: readonly string[];
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Runs one SQL statement over `lines` and returns its rows. `params`: values of `$name` placeholders (bound, never
 * spliced into the SQL). Throws QueryError for SQL the engine refuses, LakeUnavailableError when there is no file.
 */
export async function queryLocal(lake: LocalLake, sql: string, params: Record<string, string | number> = {}): Promise<QueryResult> {
  if (lake.files.length === 0) throw new LakeUnavailableError('the lake has no file yet: a phase close writes it (seizures close-phase)');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  try {
    try {
      await c.run(
        `create view lines as select * from read_parquet([${lake.files.map(quote).join(', ')}], hive_partitioning = false, union_by_name = true)`,
      );
    } catch (e) {
      throw new LakeUnavailableError(`the lake's files cannot be read: ${firstLine(e)}`);
    }
    const run = () => (Object.keys(params).length ? c.runAndReadAll(sql, params) : c.runAndReadAll(sql));
    let reader: Awaited<ReturnType<typeof run>>;
    try {
      reader = await run();
    } catch (e) {
      throw new QueryError(String((e as Error)?.message ?? e).trim());
    }
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowsJson().map((row) => {
      const o: Record<string, Cell> = {};
      names.forEach((n, i) => {
        o[n] = typedCell(types[i]!, row[i]);
      });
      return o;
    });
    return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const firstLine = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .trim();
