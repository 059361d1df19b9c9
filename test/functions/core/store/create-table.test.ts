import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createTable } from '../../../../functions/core/store/create-table.ts';
import { useDynalite } from './local-dynamo.ts';

const local = useDynalite();

test('createTable makes an ACTIVE on-demand table with both indexes, and may be called again', async () => {
  const client = local.client();
  await createTable(client, 'twice');
  await createTable(client, 'twice');
  const { Table: t } = await client.send(new DescribeTableCommand({ TableName: 'twice' }));
  assert.equal(t?.TableStatus, 'ACTIVE');
  assert.equal(t?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  assert.deepEqual(
    t?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`),
    ['pk:HASH', 'sk:RANGE'],
  );
  assert.deepEqual(t?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType, g.IndexStatus]).sort(), [
    ['byMember', 'ALL', 'ACTIVE'],
    ['byPhase', 'ALL', 'ACTIVE'],
  ]);
});
