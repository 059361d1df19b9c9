/** Binding the emulators' HTTP servers to 127.0.0.1, with errors that say what to do. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const LOCAL_HOST = '127.0.0.1';

/** A port the local cloud needs is taken by another process. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly service: string,
    readonly port: number,
    readonly hint: string,
  ) {
    super(`port ${port} on ${LOCAL_HOST} (${service}) is already in use: is another \`seizures dev\` running? ${hint}`);
  }
}

/** Listens on 127.0.0.1:port (0: a free port) and resolves with the port, or rejects with PortInUseError. */
export async function listen(server: Server, port: number, service: string, hint: string): Promise<number> {
  keepAlive(server);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(service, port, hint) : e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOCAL_HOST);
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Node closes idle keep-alive connections after 5 s; a client that reuses one just then gets ECONNRESET, which the SDK
 * cannot retry for a streamed body (the feedback workbook's PutObject). The SDK's agents keep sockets open, so the
 * emulators keep them longer than any pause in a test or a session; close() ends them.
 */
export function keepAlive(server: Server): void {
  server.keepAliveTimeout = 10 * 60_000;
  server.headersTimeout = 10 * 60_000 + 1_000;
}

/** Closes a server and the keep-alive connections clients hold to it. */
export async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  server.closeAllConnections();
  await closed;
}
