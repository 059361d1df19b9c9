/**
 * The lake queried on AWS: Athena, in the stack's workgroup (lib/analysts-lake.ts: engine v3, its configuration
 * enforced, results encrypted with the stack's key, a cap on the bytes a query scans), over the Glue table `lines`.
 * Returns the same shape as the local DuckDB query (result.ts), so the CLI and the portal print and serve both alike.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { QueryError, typedCell, type Cell, type QueryResult } from './result.ts';

export interface AthenaLake {
  readonly client: AthenaClient;
  readonly workGroup: string;
  /** The Glue database holding the table `lines`. */
  readonly database: string;
  /** Between polls of the query's state. @default 500 ms, doubling to 4 s */
  readonly pollMs?: number;
  /** Gives up after this long (the query keeps running in Athena). @default 5 minutes */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The query ran out of its time here (it may still finish in Athena). */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs one SQL statement in the workgroup. `params`: positional values of `?` placeholders (Athena execution
 * parameters, never spliced into the SQL). A FAILED query is a QueryError with Athena's reason.
 */
export async function queryAthena(lake: AthenaLake, sql: string, params: readonly string[] = []): Promise<QueryResult> {
  const sleep = lake.sleep ?? wait;
  const started = await lake.client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: lake.workGroup,
      QueryExecutionContext: { Database: lake.database },
      ...(params.length ? { ExecutionParameters: [...params] } : {}),
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error('Athena started no query (no QueryExecutionId)');
  const deadline = Date.now() + (lake.timeoutMs ?? 300_000);
  let delay = lake.pollMs ?? 500;
  for (;;) {
    const ex = await lake.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = ex.QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = ex.QueryExecution?.Status?.StateChangeReason ?? ex.QueryExecution?.Status?.AthenaError?.ErrorMessage;
      throw new QueryError(`${state === 'CANCELLED' ? 'cancelled' : 'failed'}: ${reason ?? 'no reason given'} (query ${id})`);
    }
    if (Date.now() > deadline) throw new QueryTimeoutError(`query ${id} still ${state ?? 'pending'} after ${lake.timeoutMs ?? 300_000} ms`);
    await sleep(delay);
    delay = Math.min(delay * 2, 4000);
  }
  let columns: { name: string; type: string }[] | undefined;
  const rows: Record<string, Cell>[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await lake.client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
    );
    columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'varchar' }));
    const data = page.ResultSet?.Rows ?? [];
    // The first row of a SELECT's first page is its header.
    for (const [i, r] of data.entries()) {
      if (first && i === 0 && r.Data?.every((d, j) => d.VarCharValue === columns![j]?.name)) continue;
      const o: Record<string, Cell> = {};
      columns.forEach((c, j) => {
        o[c.name] = typedCell(c.type, r.Data?.[j]?.VarCharValue);
      });
      rows.push(o);
    }
    first = false;
    token = page.NextToken;
  } while (token);
  return { columns: columns ?? [], rows };
}
