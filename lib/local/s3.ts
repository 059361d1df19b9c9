/**
 * S3 on this machine: s3rver storing objects as files under the data directory, the bucket created at start. Every
 * object event s3rver emits is handed to `onEvent` synchronously, before s3rver answers the request, so a client that
 * got its 200 knows the notification has been queued (see index.ts).
 */
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { close, listen, LOCAL_HOST } from './listen.ts';
import type { S3rverEvent } from './notifications.ts';
import { conditionalPuts, type ObjectStore } from './s3-conditions.ts';
import { durablePuts, type FileStore } from './s3-store.ts';

interface S3rverApp {
  callback(): Parameters<typeof createServer>[1];
  configureBuckets(): Promise<void>;
  on(event: 'event', listener: (ev: S3rverEvent) => void): void;
  logger: { exceptions: { unhandle(): void }; close(): void };
  /** Koa's middleware, in order (s3rver is a Koa app). */
  middleware: unknown[];
  store: ObjectStore & FileStore & { deleteSubresource(bucket: string, key: undefined, resource: 'cors'): Promise<void> };
}

// s3rver ships no types: the part used here.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (opts: {
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string; configs?: string[] }>;
  allowMismatchedSignatures?: boolean;
}) => S3rverApp;

export interface LocalS3 {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The portal's browser app POSTs uploads (presigned POST) and downloads feedback (presigned GET) straight to the
 * bucket, from another origin: the bucket answers CORS as the stack's bucket does (lib/portal-web.ts), for the
 * portal's origin only. Started without any CORS rule; the portal sets it once its port is known (lib/local/portal.ts,
 * PutBucketCors with these rules).
 */
export function localCorsRules(origins: readonly string[]) {
  return [
    {
      AllowedOrigins: [...origins],
      AllowedMethods: ['GET', 'POST', 'HEAD'],
      AllowedHeaders: ['*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 3000,
    },
  ];
}

/**
 * Starts s3rver on 127.0.0.1:port with its files in `directory` and the bucket `bucket`.
 * @throws PortInUseError
 */
export async function startS3(opts: {
  directory: string;
  port: number;
  bucket: string;
  onEvent: (ev: S3rverEvent) => void;
}): Promise<LocalS3> {
  const app = new S3rver({ directory: opts.directory, silent: true, configureBuckets: [{ name: opts.bucket, configs: [] }] });
  app.on('event', opts.onEvent);
  await app.configureBuckets();
  // No cross-origin access until the portal says from where (a data directory of an earlier version allowed any).
  await app.store.deleteSubresource(opts.bucket, undefined, 'cors');
  app.middleware.unshift(conditionalPuts(app.store));
  durablePuts(app.store);
  const server: Server = createServer(app.callback());
  let port: number;
  try {
    port = await listen(server, opts.port, 'S3', 'Choose another with --s3-port or SEIZURES_S3_PORT.');
  } catch (e) {
    app.logger.close();
    throw e;
  }
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    port,
    async close() {
      await close(server);
      app.logger.exceptions.unhandle();
      app.logger.close();
    },
  };
}
