/**
 * A fake web push service on 127.0.0.1 for the tests: it hands out subscriptions (a P-256 key pair and an auth secret
 * per device, as a browser makes them), receives the pushes the fan-out sends to their endpoints, checks each one's
 * VAPID JWT (ES256, signed by the key it names, audience the service's origin) and decrypts its payload
 * (aes128gcm, RFC 8291) with the device's private key. An endpoint can be made to answer 410 Gone.
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

const require = createRequire(import.meta.url);
const ece = require('http_ece') as { decrypt(buffer: Buffer, params: { version: string; privateKey: ECDH; authSecret: string }): Buffer };

export interface Device {
  readonly name: string;
  /** PushSubscription.toJSON() */
  readonly subscription: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
}

export interface Received {
  readonly device: string;
  readonly payload: Record<string, unknown>;
  readonly vapidKey: string;
  readonly ttl: string | undefined;
  readonly at: number;
}

export interface PushService {
  readonly origin: string;
  device(name: string, opts?: { gone?: boolean }): Device;
  readonly received: Received[];
  /** Requests that could not be verified or decrypted (none expected). */
  readonly rejected: string[];
  close(): Promise<void>;
}

function b64urlToJwk(publicKey: string) {
  const raw = Buffer.from(publicKey, 'base64url');
  return { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') };
}

export async function startPushService(): Promise<PushService> {
  const devices = new Map<string, { ecdh: ECDH; auth: string; gone: boolean }>();
  const received: Received[] = [];
  const rejected: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const name = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
        const d = devices.get(name);
        if (!d) return res.writeHead(404).end();
        if (d.gone) return res.writeHead(410).end();
        const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
        if (!m) throw new Error(`no VAPID authorization: ${req.headers.authorization}`);
        if (decodeProtectedHeader(m[1]!).alg !== 'ES256') throw new Error('VAPID JWT not ES256');
        await jwtVerify(m[1]!, await importJWK(b64urlToJwk(m[2]!), 'ES256'), { audience: origin });
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${req.headers['content-encoding']}`);
        const clear = ece.decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: d.ecdh, authSecret: d.auth });
        received.push({
          device: name,
          payload: JSON.parse(clear.toString('utf8')) as Record<string, unknown>,
          vapidKey: m[2]!,
          ttl: req.headers.ttl as string | undefined,
          at: Date.now(),
        });
        res.writeHead(201).end();
      })().catch((e: unknown) => {
        rejected.push(String((e as Error).message));
        res.writeHead(400).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    rejected,
    device(name, opts = {}) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16).toString('base64url');
      devices.set(name, { ecdh, auth, gone: !!opts.gone });
      return {
        name,
        subscription: {
          endpoint: `${origin}/push/${encodeURIComponent(name)}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth },
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
