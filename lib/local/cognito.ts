/**
 * Cognito on this machine: cognito-local, in-process, on 127.0.0.1, its data (StormDB JSON files) under
 * `{data dir}/cognito/`. cognito-local's createDefaultServer keeps its data in `./.cognito` of the working directory
 * and reads HOST/PORT from the environment; this is the same wiring (lib/server/defaults.js) with the directory and
 * the address passed in. At start the operation's user pool, the portal's app client and the `analysts` group are
 * created if missing (idempotent: a restart finds them by name). Tokens are signed with cognito-local's own key;
 * their issuer is `http://127.0.0.1:PORT/<poolId>` and pool ids start with `local_`: the portal verifies them with
 * jose against `{issuer}/.well-known/jwks.json`, as on AWS.
 */
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
} from '@aws-sdk/client-cognito-identity-provider';
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
        // custom:member is not writable by the client: only `seizures users add` (an administrator) sets it.
        WriteAttributes: ['email'],
      }),
    );
    clientId = created.UserPoolClient!.ClientId!;
  }
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

/** cognito-local's server with its data in `directory` and its tokens' issuer domain on `host:port`. */
async function createServerIn(directory: string, issuerDomain: () => string): Promise<CognitoLocalServer> {
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
    tokenGenerator: new JwtTokenGenerator(clock, triggers, tokenConfig),
    triggers,
  };
  return createServer(Router(all), logger, config.ServerConfig, all) as CognitoLocalServer;
}

/**
 * Starts cognito-local on 127.0.0.1:port with its data under `dataDir`/cognito and makes sure the operation's pool,
 * app client and analysts group exist.
 * @throws PortInUseError
 */
export async function startCognito(opts: { dataDir: string; port: number; operationId: string }): Promise<LocalCognito> {
  let port = opts.port;
  const app = await createServerIn(join(opts.dataDir, 'cognito'), () => `http://${LOCAL_HOST}:${port}`);
  const { createServer } = await import('node:http');
  const server: Server = createServer(app.application);
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
