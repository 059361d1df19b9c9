/**
 * The portal on this machine, as CloudFront serves it on AWS: one origin (127.0.0.1:PORT) with the web app's static
 * files (functions/web/dist, built by Vite; built here first when missing or older than its sources) and /api/*
 * answered by the SAME portal handler as the Lambda's (functions/portal/app.ts, given an API Gateway v2 event), plus
 * /config.json telling the app where Cognito is. Unknown paths without an extension get index.html (the app's own
 * routes, e.g. /summaries/2/final), as the CloudFront function does.
 */
import { randomBytes } from 'node:crypto';
import { queryLocal } from '../../functions/core/lake/duckdb.ts';
import { toDuckdb } from '../../functions/core/lake/saved.ts';
import { localLakeFiles } from './lake.ts';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { PutBucketCorsCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { dynamoClient, s3Client, sentBy, type LocalEndpoints } from '../../functions/core/platform/aws.ts';
import { PROJECT_ROOT, type OperationConfig } from '../../functions/core/operation/config.ts';
import { PhaseTable } from '../../functions/core/phase/items.ts';
import type { PhaseCloseInput } from '../../functions/core/phase/input.ts';
import { createTokenVerifier } from '../../functions/core/portal/auth.ts';
import { createOriginCheck, ORIGIN_HEADER } from '../../functions/core/portal/origin.ts';
import { SeizureStore } from '../../functions/core/store/store.ts';
import type { VapidSource } from '../../functions/core/shares/push.ts';
import { securityHeaders } from '../portal-headers.ts';
import { startCognito, type LocalCognito } from './cognito.ts';
import { localCorsRules } from './s3.ts';
import { close, listen, LOCAL_HOST } from './listen.ts';
import { LOCAL_REGION } from './settings.ts';

export const WEB_ROOT = resolve(PROJECT_ROOT, 'functions', 'web');
export const WEB_DIST = join(WEB_ROOT, 'dist');
/** The largest API request body read (JSON only: files go to S3). */
const MAX_BODY = 64 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface LocalPortal {
  readonly url: string;
  readonly port: number;
  readonly cognito: LocalCognito;
  close(): Promise<void>;
}

export interface LocalPortalOptions {
  readonly dataDir: string;
  readonly ports: { readonly portal: number; readonly cognito: number };
  readonly endpoints: LocalEndpoints;
  readonly bucket: string;
  readonly tableName: string;
  readonly operation: OperationConfig;
  /** Starts a phase close (the local cloud's closePhase), without waiting for it. */
  readonly startPhaseClose?: (input: PhaseCloseInput) => Promise<{ execution: string }>;
  /** Whether analysts must use TOTP, as on AWS. @default true */
  readonly analystMfa?: boolean;
  /** Where failures of the API are logged. @default console.error */
  readonly log?: (line: string) => void;
  /** Shares and web push (lib/local/shares.ts): the notify queue and the VAPID keys. @default the routes answer 501 */
  readonly shares?: { readonly notify: (shareId: string) => Promise<void>; readonly vapid: VapidSource };
}

/** What the build is made of: a change to any of these makes dist/ stale (READMEs and the build script do not). */
const WEB_SOURCES = ['src', 'public', 'index.html', 'vite.config.ts'];

const newest = (path: string): number => {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
};

const webIsFresh = (): boolean => {
  const index = join(WEB_DIST, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(...WEB_SOURCES.map((f) => newest(join(WEB_ROOT, f))));
};

/** Held while one process builds dist/ (a directory: mkdir is atomic); older than this, its builder died. */
const BUILD_LOCK = join(WEB_ROOT, 'dist.lock');
const BUILD_LOCK_STALE_MS = 5 * 60_000;

/**
 * Builds the web app with Vite when dist/ is missing or older than a source file (a fresh clone, an edit). One
 * process builds at a time: the test suite starts several local clouds at once on a fresh clone, and two Vite builds
 * into one dist/ clobber each other (the service worker's precache manifest is injected into a file the other build
 * has just emptied: "Unable to find a place to inject the manifest"). The others wait, then find dist/ fresh.
 */
export async function ensureWebBuilt(log: (line: string) => void = () => {}): Promise<string> {
  if (webIsFresh()) return WEB_DIST;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() - statSync(BUILD_LOCK, { throwIfNoEntry: false })!.mtimeMs > BUILD_LOCK_STALE_MS)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (webIsFresh()) return WEB_DIST;
    log('building the portal web app (functions/web, Vite)...');
    const { buildWeb } = await import('../../functions/web/build.ts');
    await buildWeb();
    return WEB_DIST;
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A Node request as API Gateway v2 hands it to the Lambda (payload format 2.0). */
function eventOf(req: IncomingMessage, url: URL, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(body ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: `${now.getTime()}`,
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

const lambdaContext = (): Context =>
  ({
    functionName: 'portal',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:portal',
    memoryLimitInMB: '1024',
    awsRequestId: `${Date.now()}`,
    logGroupName: 'portal',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

/**
 * Starts cognito-local and the portal server on 127.0.0.1.
 * @throws PortInUseError
 */
export async function startPortal(o: LocalPortalOptions): Promise<LocalPortal> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dist = await ensureWebBuilt(log);
  // The portal's origins, once its port is known: the only ones a browser may call Cognito and the bucket from.
  let origins: readonly string[] = [];
  const cognito = await startCognito({
    dataDir: o.dataDir,
    port: o.ports.cognito,
    operationId: o.operation.id,
    allowedOrigins: () => origins,
  });
  // The same service name as the Lambda's (functions/portal/app.ts): the preflight's recording checks its calls.
  const s3 = sentBy(s3Client(o.endpoints), 'portal');
  const dynamo = sentBy(dynamoClient(o.endpoints), 'portal');
  const { analystMfaOf, createPortalHandler, templateBytes } = await import('../../functions/portal/app.ts');
  // This server plays CloudFront: it adds the origin header (a value of this run) to every API request it forwards,
  // and the handler refuses any request without it, as on AWS.
  const originSecret = randomBytes(24).toString('base64url');
  const handler = createPortalHandler({
    config: o.operation,
    verify: createTokenVerifier({ issuer: cognito.issuer, clientId: cognito.clientId }),
    origin: createOriginCheck(async () => originSecret),
    ...(o.analystMfa === false ? {} : { analystMfa: analystMfaOf({ userPoolId: cognito.userPoolId, endpoint: cognito.endpoint }) }),
    s3,
    bucket: o.bucket,
    dynamo,
    tableName: o.tableName,
    store: new SeizureStore({ client: dynamo, tableName: o.tableName }),
    phases: new PhaseTable({ client: dynamo, tableName: o.tableName }),
    template: (lang) => templateBytes(o.operation, lang),
    // The analysts' saved queries: the same DuckDB over the lake's files as `seizures query`.
    lake: async (sql, params) => {
      const q = toDuckdb(sql, params);
      return queryLocal({ files: localLakeFiles(o.dataDir, o.bucket) }, q.sql, q.params);
    },
    ...(o.startPhaseClose ? { startPhaseClose: o.startPhaseClose } : {}),
    // The tests' fake push service listens on 127.0.0.1: taken here only, never on AWS.
    ...(o.shares ? { shares: { ...o.shares, allowLoopbackPush: true } } : {}),
  });
  const headers = securityHeaders({ connect: [cognito.endpoint, o.endpoints.s3!] });
  const appConfig = JSON.stringify({
    region: LOCAL_REGION,
    userPoolId: cognito.userPoolId,
    clientId: cognito.clientId,
    cognitoEndpoint: cognito.endpoint,
  });

  const serveFile = (res: ServerResponse, file: string, status = 200) => {
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Hashed assets never change; index.html and config.json always revalidate.
    const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': cache });
    createReadStream(file).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? LOCAL_HOST}`);
      if (url.pathname.startsWith('/api/')) {
        const body = await readBody(req);
        const event = eventOf(req, url, body);
        event.headers[ORIGIN_HEADER] = originSecret;
        const out = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
        const payload = out.body === undefined ? '' : out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body;
        res.writeHead(out.statusCode ?? 200, { ...headers, ...(out.headers as Record<string, string>) });
        res.end(payload);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
        return;
      }
      if (url.pathname === '/config.json') {
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache' }).end(appConfig);
        return;
      }
      const file = resolve(dist, `.${decodeURIComponent(url.pathname)}`);
      if (file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile()) return serveFile(res, file);
      if (!extname(url.pathname)) return serveFile(res, join(dist, 'index.html'));
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
    })().catch((e: unknown) => {
      const status = (e as { status?: number }).status ?? 500;
      if (status === 500) log(`portal: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) res.writeHead(status, { ...headers, 'content-type': 'text/plain' });
      res.end(status === 500 ? 'internal error' : (e as Error).message);
    });
  });
  let port: number;
  try {
    port = await listen(server, o.ports.portal, 'portal', 'Choose another with --portal-port or SEIZURES_PORTAL_PORT.');
  } catch (e) {
    s3.destroy();
    dynamo.destroy();
    await cognito.close();
    throw e;
  }
  origins = [`http://${LOCAL_HOST}:${port}`, `http://localhost:${port}`];
  try {
    // The local cloud's own set-up (on AWS a custom resource does it), not a call of the portal function: a client of
    // its own, so the preflight's recording does not count it as the portal's.
    const setup = s3Client(o.endpoints);
    try {
      await setup.send(new PutBucketCorsCommand({ Bucket: o.bucket, CORSConfiguration: { CORSRules: localCorsRules(origins) } }));
    } finally {
      setup.destroy();
    }
  } catch (e) {
    await close(server);
    s3.destroy();
    dynamo.destroy();
    await cognito.close();
    throw e;
  }
  return {
    url: `http://${LOCAL_HOST}:${port}`,
    port,
    cognito,
    async close() {
      await close(server);
      await cognito.close();
      s3.destroy();
      dynamo.destroy();
    },
  };
}
