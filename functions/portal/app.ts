/**
 * The portal Lambda's parts: an API Gateway v2 (HTTP API) event -> PortalRequest -> the portal API
 * (functions/core/portal/router.ts) -> the proxy result. A thin adapter: routing, authorisation and every answer are
 * in the core. lib/local/portal.ts builds the same handler with createPortalHandler and local dependencies.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { dynamoClient, s3Client, sfnClient } from '../core/aws.ts';
import { parseOperationConfig, type Lang, type OperationConfig } from '../core/config.ts';
import { PhaseTable } from '../core/phase/items.ts';
import type { PhaseCloseInput } from '../core/phase/input.ts';
import { createTokenVerifier } from '../core/portal/auth.ts';
import type { PortalRequest } from '../core/portal/http.ts';
import { createPortalApi, type PortalApi, type PortalDeps } from '../core/portal/router.ts';
import { SeizureStore } from '../core/store/store.ts';

export class MissingEnvError extends Error {
  override readonly name = 'MissingEnvError';
}

const logger = new Logger({ serviceName: 'portal' });

/** The template workbook, built on demand (exceljs loads only then). */
export async function templateBytes(config: OperationConfig, lang: Lang): Promise<Uint8Array> {
  const { buildTemplate } = await import('../core/template.ts');
  return new Uint8Array(await buildTemplate(config, lang).xlsx.writeBuffer());
}

/** The dependencies, from the Lambda environment; checked at init so a misconfigured function fails at once. */
export function depsFromEnv(env: NodeJS.ProcessEnv): PortalDeps {
  const missing = ['TABLE_NAME', 'BUCKET_NAME', 'OPERATION_CONFIG', 'USER_POOL_ISSUER', 'USER_POOL_CLIENT_ID'].filter((k) => !env[k]);
  if (missing.length) throw new MissingEnvError(`portal: environment variables not set: ${missing.join(', ')}`);
  const config = parseOperationConfig(JSON.parse(env.OPERATION_CONFIG!), 'OPERATION_CONFIG');
  const dynamo = dynamoClient();
  const stateMachineArn = env.STATE_MACHINE_ARN;
  return {
    config,
    verify: createTokenVerifier({ issuer: env.USER_POOL_ISSUER!, clientId: env.USER_POOL_CLIENT_ID! }),
    s3: s3Client(),
    bucket: env.BUCKET_NAME!,
    dynamo,
    tableName: env.TABLE_NAME!,
    store: new SeizureStore({ client: dynamo, tableName: env.TABLE_NAME! }),
    phases: new PhaseTable({ client: dynamo, tableName: env.TABLE_NAME! }),
    template: (lang) => templateBytes(config, lang),
    ...(stateMachineArn
      ? {
          startPhaseClose: async (input: PhaseCloseInput) => {
            const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
            const name = `portal-p${input.phase}-${input.mode}-${input.asOf}-${Date.now()}`;
            const out = await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
            return { execution: out.executionArn ?? name };
          },
        }
      : {}),
  };
}

/** API Gateway v2's event as the core's request. */
export function requestOf(event: APIGatewayProxyEventV2): PortalRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return { method: event.requestContext.http.method, path: event.rawPath, query: { ...(event.queryStringParameters ?? {}) }, headers, body };
}

export function createPortalHandler(deps: PortalDeps) {
  const api: PortalApi = createPortalApi(deps, { error: (msg, extra) => logger.error(msg, { ...extra }) });
  return middy(async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const res = await api(requestOf(event));
    const binary = typeof res.body !== 'string';
    return {
      statusCode: res.status,
      headers: res.headers,
      body: binary ? Buffer.from(res.body).toString('base64') : (res.body as string),
      isBase64Encoded: binary,
    };
  }).use(injectLambdaContext(logger));
}
