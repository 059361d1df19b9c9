/**
 * DynamoDB on this machine: dynalite, its LevelDB on disk under the data directory (so records survive a restart),
 * and the table created from the definition the CDK stack also reads (functions/core/store/table.ts).
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { createTable } from '../../functions/core/store/create-table.ts';
import { dynamoClient } from '../../functions/core/platform/aws.ts';
import { close, listen, LOCAL_HOST } from './listen.ts';
import { DataDirInUseError } from './registry.ts';

// dynalite ships no types: its one function, as used here.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
// The LevelDB dynalite opens (its own dependency, resolved from it).
const { Level } = createRequire(require.resolve('dynalite'))('level') as {
  Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> };
};

/**
 * dynalite opens its LevelDB lazily and throws, uncaught, from a callback when another process holds it: checked
 * here first, so that the caller gets an error it can report.
 */
async function assertNotLocked(path: string): Promise<void> {
  const db = new Level(path);
  try {
    await db.open();
  } catch (e) {
    const err = e as { code?: string; cause?: { code?: string; message?: string } };
    if (err.cause?.code === 'LEVEL_LOCKED' || err.code === 'LEVEL_LOCKED') {
      throw new DataDirInUseError(
        `the DynamoDB data in ${path} is held by another process: is a \`seizures dev\` already running on this data directory?`,
      );
    }
    throw e;
  }
  await db.close();
}

export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1:port with its data in `path` and makes sure `tableName` exists.
 * @throws PortInUseError, DataDirInUseError
 */
export async function startDynamo(opts: { path: string; port: number; tableName: string }): Promise<LocalDynamo> {
  await assertNotLocked(opts.path);
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, opts.port, 'DynamoDB', 'Choose another with --dynamodb-port or SEIZURES_DYNAMODB_PORT.');
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const client = dynamoClient({ dynamodb: endpoint });
  try {
    await createTable(client, opts.tableName, { pollMs: 10 });
  } catch (e) {
    await close(server);
    throw e;
  } finally {
    client.destroy();
  }
  return { endpoint, port, close: () => close(server) };
}
