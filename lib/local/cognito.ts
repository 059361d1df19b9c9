/**
 * Cognito on this machine: cognito-local, in-process, on 127.0.0.1, its data (StormDB JSON files) under
 * `{data dir}/cognito/`. cognito-local's createDefaultServer keeps its data in `./.cognito` of the working directory
 * and reads HOST/PORT from the environment; this is the same wiring (lib/server/defaults.js) with the directory and
 * the address passed in. At start the operation's user pool, the portal's app client and the `analysts` group are
 * created if missing (idempotent: a restart finds them by name). Tokens are signed with the data directory's own key
 * (signingKeyOf: cognito-local's is public, in its npm package); their issuer is `http://127.0.0.1:PORT/<poolId>` and
 * pool ids start with `local_`: the portal verifies them with jose against `{issuer}/.well-known/jwks.json`, as on
 * AWS. Browsers may call it from the portal's origin only. It stays unauthenticated by design (its admin API takes
 * any credentials): synthetic data only (README "Running locally").
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { ANALYSTS_GROUP } from '../../functions/core/portal/auth.ts';
import { close, keepAlive, LOCAL_HOST, PortInUseError } from './listen.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './settings.ts';

const require = createRequire(import.meta.url);

export const PORTAL_CLIENT_NAME = 'portal';
export const poolNameOf = (operationId: string) => `seizures-${operationId}`;

export interface LocalCognito {
  readonly endpoint: string;
  readonly port: number;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The ID tokens' issuer: `${endpoint}/${userPoolId}`. */
  readonly issuer: string;
  close(): Promise<void>;
}

/** A client of a Cognito endpoint (local: any credentials do). */
export function cognitoClient(endpoint?: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient(endpoint ? { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS } : {});
}

/** The user pool of the operation and the portal's app client, created when missing. Works on AWS too (by name). */
export async function ensurePool(
  client: CognitoIdentityProviderClient,
  operationId: string,
): Promise<{ userPoolId: string; clientId: string }> {
  const name = poolNameOf(operationId);
  let userPoolId: string | undefined;
  let next: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, ...(next ? { NextToken: next } : {}) }));
    userPoolId = page.UserPools?.find((p) => p.Name === name)?.Id;
    next = page.NextToken;
  } while (!userPoolId && next);
  if (!userPoolId) {
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: name,
        UsernameAttributes: ['email'],
        Schema: [
          { Name: 'member', AttributeDataType: 'String', Mutable: false, StringAttributeConstraints: { MinLength: '2', MaxLength: '2' } },
        ],
        Policies: {
          PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
        },
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      }),
    );
    userPoolId = created.UserPool!.Id!;
  }
  const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === PORTAL_CLIENT_NAME)?.ClientId;
  if (!clientId) {
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: PORTAL_CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        // As the stack's client (lib/portal-users.ts): ID tokens for an hour, refresh tokens for no longer.
        IdTokenValidity: 60,
        AccessTokenValidity: 60,
        RefreshTokenValidity: 60,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
        EnableTokenRevocation: true,
        // custom:member is not writable by the client: only `seizures users add` (an administrator) sets it.
        WriteAttributes: ['email'],
      }),
    );
    clientId = created.UserPoolClient!.ClientId!;
  }
  // As the stack's pool: MFA optional, TOTP only; a user who turned TOTP on is asked for a code at every sign-in.
  await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  const groups = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60 }));
  if (!groups.Groups?.some((g) => g.GroupName === ANALYSTS_GROUP)) {
    await client.send(
      new CreateGroupCommand({
        UserPoolId: userPoolId,
        GroupName: ANALYSTS_GROUP,
        Description: 'Operation analysts: every Member, the analysts summaries, lineage',
      }),
    );
  }
  return { userPoolId, clientId };
}

interface CognitoLocalServer {
  application: Parameters<typeof import('node:http').createServer>[1];
}

interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken: string;
}

/** cognito-local's server with its data in `directory` and its tokens' issuer domain on `host:port`. */
async function createServerIn(directory: string, issuerDomain: () => string, key: SigningKey): Promise<CognitoLocalServer> {
  // aws-sdk v2 (cognito-local's Lambda triggers, unused here) would print its maintenance notice on every start.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const AWS = require('aws-sdk') as { Lambda: new (o: unknown) => unknown };
  const services = require('cognito-local/lib/services');
  const { CognitoServiceFactoryImpl } = require('cognito-local/lib/services/cognitoService');
  const { CryptoService } = require('cognito-local/lib/services/crypto');
  const { StormDBDataStoreFactory } = require('cognito-local/lib/services/dataStore/stormDb');
  const { ConsoleMessageSender } = require('cognito-local/lib/services/messageDelivery/consoleMessageSender');
  const { MessageDeliveryService } = require('cognito-local/lib/services/messageDelivery/messageDelivery');
  const { otp } = require('cognito-local/lib/services/otp');
  const { JwtTokenGenerator } = require('cognito-local/lib/services/tokenGenerator');
  const { UserPoolServiceFactoryImpl } = require('cognito-local/lib/services/userPoolService');
  const { DefaultConfig } = require('cognito-local/lib/server/config');
  const { Router } = require('cognito-local/lib/server/Router');
  const { createServer } = require('cognito-local/lib/server/server');
  const pino = require(require.resolve('pino', { paths: [require.resolve('cognito-local')] })) as (o: object) => unknown;
  const logger = pino({ level: 'silent' });
  const ctx = { logger };
  // The issuer is read when a token is signed, after the port is known (0 picks a free one).
  const tokenConfig = {
    get IssuerDomain() {
      return issuerDomain();
    },
  };
  const config = { ...DefaultConfig, TokenConfig: tokenConfig, ServerConfig: { ...DefaultConfig.ServerConfig, development: false } };
  const clock = new services.DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(directory);
  const cognito = await new CognitoServiceFactoryImpl(
    directory,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new services.TriggersService(
    clock,
    cognito,
    new services.LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    new CryptoService(config.KMSConfig),
  );
  const all = {
    clock,
    cognito,
    config,
    messages: new services.MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: resigned(new JwtTokenGenerator(clock, triggers, tokenConfig), key),
    triggers,
  };
  return createServer(Router(all), logger, config.ServerConfig, all) as CognitoLocalServer;
}

/**
 * The key this data directory's tokens are signed with: cognito-local signs with a private key shipped in its npm
 * package (anyone can forge its tokens), so each data directory gets its own RSA key, made on first start and kept in
 * `{data dir}/cognito/signing-key.json` (mode 0600). Tokens of another data directory, or forged with npm's key, fail.
 */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: Awaited<ReturnType<typeof importJWK>>;
  readonly publicJwk: JWK;
}

export async function signingKeyOf(directory: string): Promise<SigningKey> {
  const file = join(directory, 'signing-key.json');
  let stored: { kid: string; privateJwk: JWK; publicJwk: JWK } | undefined;
  try {
    stored = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!stored) {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const kid = `local-${randomUUID()}`;
    stored = { kid, privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
    await mkdir(directory, { recursive: true });
    // Written whole under another name, then linked into place (link fails if the file exists): two starts at once
    // agree on the first one's key, and nobody reads a half-written file.
    const temp = `${file}.${randomUUID()}`;
    await writeFile(temp, JSON.stringify(stored), { mode: 0o600 });
    try {
      await link(temp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      stored = JSON.parse(await readFile(file, 'utf8'));
    } finally {
      await unlink(temp);
    }
  }
  const s = stored!;
  return {
    kid: s.kid,
    privateKey: await importJWK(s.privateJwk, 'RS256'),
    publicJwk: { ...s.publicJwk, kid: s.kid, alg: 'RS256', use: 'sig' },
  };
}

/** cognito-local's token generator, its tokens signed again (same claims) with the data directory's key. */
function resigned(generator: { generate(...args: unknown[]): Promise<Tokens> }, key: SigningKey) {
  const sign = (jwt: string) =>
    new SignJWT(decodeJwt(jwt)).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  return {
    async generate(...args: unknown[]): Promise<Tokens> {
      const t = await generator.generate(...args);
      return { AccessToken: await sign(t.AccessToken), IdToken: await sign(t.IdToken), RefreshToken: await sign(t.RefreshToken) };
    },
  };
}

/**
 * cognito-local's server, narrowed: its JWKS is the data directory's key, and a browser may call it from the portal's
 * origin only (cognito-local answers CORS `*`). Requests without an Origin (the CLI, the SDK) are not browsers'.
 */
function narrowed(
  app: NonNullable<CognitoLocalServer['application']>,
  key: SigningKey,
  allowedOrigins: () => readonly string[],
): NonNullable<CognitoLocalServer['application']> {
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', vary: 'Origin' }).end('origin not allowed');
      return;
    }
    if (req.method === 'GET' && /^\/[^/]+\/\.well-known\/jwks\.json$/.test((req.url ?? '').split('?')[0]!)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
      return;
    }
    if (origin !== undefined) {
      const setHeader = res.setHeader.bind(res);
      res.setHeader = ((name: string, value: number | string | readonly string[]) =>
        setHeader(name, name.toLowerCase() === 'access-control-allow-origin' ? origin : value)) as typeof res.setHeader;
      setHeader('vary', 'Origin');
    }
    app(req, res);
  };
}

/**
 * Starts cognito-local on 127.0.0.1:port with its data under `dataDir`/cognito and makes sure the operation's pool,
 * app client and analysts group exist.
 * @throws PortInUseError
 */
export async function startCognito(opts: {
  dataDir: string;
  port: number;
  operationId: string;
  /** The origins a browser may call from (the portal's). @default none */
  allowedOrigins?: () => readonly string[];
}): Promise<LocalCognito> {
  let port = opts.port;
  const directory = join(opts.dataDir, 'cognito');
  const key = await signingKeyOf(directory);
  const app = await createServerIn(directory, () => `http://${LOCAL_HOST}:${port}`, key);
  const { createServer } = await import('node:http');
  const server: Server = createServer(narrowed(app.application!, key, opts.allowedOrigins ?? (() => [])));
  keepAlive(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' ? new PortInUseError('Cognito', port, 'Choose another with --cognito-port or SEIZURES_COGNITO_PORT.') : e,
      ),
    );
    server.listen(port, LOCAL_HOST, () => resolve());
  });
  port = (server.address() as import('node:net').AddressInfo).port;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const client = cognitoClient(endpoint);
  try {
    const { userPoolId, clientId } = await ensurePool(client, opts.operationId);
    return { endpoint, port, userPoolId, clientId, issuer: `${endpoint}/${userPoolId}`, close: () => close(server) };
  } catch (e) {
    await close(server);
    throw e;
  } finally {
    client.destroy();
  }
}
