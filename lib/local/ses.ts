/**
 * SES v2 on this machine: aws-ses-v2-local. Sent mail is kept in memory (lost at restart) and shown by its web viewer
 * at the endpoint's root; `GET /store` returns it as JSON.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { close, keepAlive, LOCAL_HOST, PortInUseError } from './listen.ts';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
const sesServer = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;

export interface LocalSes {
  readonly endpoint: string;
  readonly port: number;
  /** The web page listing the mail sent. */
  readonly viewer: string;
  close(): Promise<void>;
}

/** @throws PortInUseError */
export async function startSes(opts: { port: number }): Promise<LocalSes> {
  // Its listen() hands a bind error to the callback it ignores and resolves anyway: a server not listening means the bind failed.
  const server = await sesServer({ host: LOCAL_HOST, port: opts.port });
  if (!server.listening) throw new PortInUseError('SES', opts.port, 'Choose another with --ses-port or SEIZURES_SES_PORT.');
  keepAlive(server);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  return { endpoint, port, viewer: `${endpoint}/`, close: () => close(server) };
}
