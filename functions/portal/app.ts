/**
 * The portal Lambda's parts: an API Gateway v2 (HTTP API) event -> PortalRequest -> the portal API
 * (functions/core/portal/router.ts) -> the proxy result. A thin adapter: routing, authorisation and every answer are
 * in the core. lib/local/portal.ts builds the same handler with createPortalHandler and local dependencies.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { dynamoClient, s3Client, sfnClient } from '../core/platform/aws.ts';
import type { Lang, OperationConfig } from '../core/operation/config.ts';
import { PhaseTable } from '../core/phase/items.ts';
import type { PhaseCloseInput } from '../core/phase/input.ts';
import { createTokenVerifier } from '../core/portal/auth.ts';
import { createAnalystMfa } from '../core/portal/mfa.ts';
import { createOriginCheck } from '../core/portal/origin.ts';
import type { PortalRequest } from '../core/portal/http.ts';
import { createPortalApi, type PortalApi, type PortalDeps } from '../core/portal/router.ts';
import { SeizureStore } from '../core/store/store.ts';
import { operationConfigOf, requireEnv } from '../shared/env.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { powertools, traced } from '../shared/powertools.ts';

export { MissingEnvError } from '../shared/errors.ts';

const SERVICE = 'portal';
const { logger } = powertools(SERVICE);

/** The template workbook, built on demand (exceljs loads only then). */
export async function templateBytes(config: OperationConfig, lang: Lang): Promise<Uint8Array> {
  const { buildTemplate } = await import('../core/validation/template.ts');
  return new Uint8Array(await buildTemplate(config, lang).xlsx.writeBuffer());
}

/** The dependencies, from the Lambda environment; checked at init so a misconfigured function fails at once. */
export function depsFromEnv(env: NodeJS.ProcessEnv): PortalDeps {
  const vars = requireEnv(SERVICE, env, [
    'TABLE_NAME',
    'BUCKET_NAME',
    'OPERATION_CONFIG',
    'USER_POOL_ISSUER',
    'USER_POOL_CLIENT_ID',
    'ORIGIN_SECRET_ARN',
  ]);
  const config = operationConfigOf(vars.OPERATION_CONFIG);
  const dynamo = traced(SERVICE, dynamoClient());
  const stateMachineArn = env.STATE_MACHINE_ARN;
  return {
    config,
    verify: createTokenVerifier({ issuer: vars.USER_POOL_ISSUER, clientId: vars.USER_POOL_CLIENT_ID }),
    origin: createOriginCheck(() => readSecret(vars.ORIGIN_SECRET_ARN)),
    // Required unless the stack says otherwise (PortalApi analystMfa: false).
    ...(env.ANALYSTS_REQUIRE_MFA === 'false' ? {} : { analystMfa: analystMfaOf(cognitoPoolOf(vars.USER_POOL_ISSUER)) }),
    s3: traced(SERVICE, s3Client()),
    bucket: vars.BUCKET_NAME,
    dynamo,
    tableName: vars.TABLE_NAME,
    store: new SeizureStore({ client: dynamo, tableName: vars.TABLE_NAME }),
    phases: new PhaseTable({ client: dynamo, tableName: vars.TABLE_NAME }),
    template: (lang) => templateBytes(config, lang),
    ...(stateMachineArn
      ? {
          startPhaseClose: async (input: PhaseCloseInput) => {
            const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
            const name = `portal-p${input.phase}-${input.mode}-${input.asOf}-${Date.now()}`;
            const out = await traced(SERVICE, sfnClient()).send(
              new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
            );
            return { execution: out.executionArn ?? name };
          },
        }
      : {}),
  };
}

/** The pool of an issuer (`https://cognito-idp.REGION.amazonaws.com/POOL_ID`, locally `http://127.0.0.1:PORT/POOL_ID`). */
export function cognitoPoolOf(issuer: string): { userPoolId: string; endpoint?: string } {
  const url = new URL(issuer);
  const userPoolId = url.pathname.replace(/^\/+|\/+$/g, '');
  return url.hostname.startsWith('cognito-idp.') ? { userPoolId } : { userPoolId, endpoint: url.origin };
}

/** Whether an analyst has TOTP turned on, asked of the pool (AdminGetUser); the client is loaded on first use. */
export function analystMfaOf(pool: { userPoolId: string; endpoint?: string }) {
  return createAnalystMfa(async (username) => {
    const { CognitoIdentityProviderClient, AdminGetUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const client = new CognitoIdentityProviderClient(
      pool.endpoint
        ? { endpoint: pool.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {},
    );
    try {
      const out = await traced(SERVICE, client).send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: username }));
      return (out.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
    } finally {
      client.destroy();
    }
  });
}

/** The origin secret CloudFront sends (Secrets Manager; the client is loaded on the first request only). */
async function readSecret(secretId: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const out = await traced(SERVICE, new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretId }));
  return out.SecretString ?? '';
}

/** API Gateway v2's event as the core's request. */
export function requestOf(event: APIGatewayProxyEventV2): PortalRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const body =
    event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: { ...(event.queryStringParameters ?? {}) },
    headers,
    body,
  };
}

export function createPortalHandler(deps: PortalDeps) {
  const api: PortalApi = createPortalApi(deps, { error: (msg, extra) => logger.error(msg, { ...extra }) });
  return lambdaHandler(
    async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
      const res = await api(requestOf(event));
      const binary = typeof res.body !== 'string';
      return {
        statusCode: res.status,
        headers: res.headers,
        body: binary ? Buffer.from(res.body).toString('base64') : (res.body as string),
        isBase64Encoded: binary,
      };
    },
    // Requests carry tokens and answers carry records: never logged whole.
    { service: SERVICE },
  );
}
