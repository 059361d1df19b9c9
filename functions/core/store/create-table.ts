/**
 * Creates the table from TABLE (table.ts) for the local cloud and the tests; in AWS the CDK storage construct does it.
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE } from './table.ts';

export interface CreateTableOptions {
  /** Give up waiting for ACTIVE after this long. @default 60000 */
  timeoutMs?: number;
  /** @default 100 */
  pollMs?: number;
}

/**
 * Creates the table (PAY_PER_REQUEST, every index projected ALL) unless it exists, then waits until the table and its
 * indexes are ACTIVE. Idempotent: an existing table (ResourceInUseException) is fine, whatever its state.
 */
export async function createTable(client: DynamoDBClient, tableName: string, opts: CreateTableOptions = {}): Promise<void> {
  const attrs = new Map<string, 'S' | 'N'>();
  for (const k of [TABLE.partitionKey, TABLE.sortKey]) attrs.set(k.name, k.type);
  for (const g of TABLE.globalSecondaryIndexes) {
    attrs.set(g.partitionKey.name, g.partitionKey.type);
    attrs.set(g.sortKey.name, g.sortKey.type);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
        KeySchema: [
          { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (e) {
    if ((e as { name?: unknown }).name !== 'ResourceInUseException') throw e;
  }

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table: t } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) {
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error(`table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${t?.TableStatus})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
