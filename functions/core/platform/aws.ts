/**
 * AWS SDK clients, configured from the environment. On AWS nothing is set and the SDK's defaults apply; the local
 * cloud sets SEIZURES_LOCAL_* and this is the one place that knows the emulators' quirks:
 * - s3rver only accepts the access key S3RVER, needs path-style URLs, and stores streamed uploads with their
 *   aws-chunked framing unless checksums are only computed when required;
 * - every emulator takes any region and fixed credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';

export interface LocalEndpoints {
  readonly s3?: string;
  readonly dynamodb?: string;
  readonly ses?: string;
  readonly sfn?: string;
}

export const LOCAL_ENV = {
  s3: 'SEIZURES_LOCAL_S3',
  dynamodb: 'SEIZURES_LOCAL_DYNAMODB',
  ses: 'SEIZURES_LOCAL_SES',
  sfn: 'SEIZURES_LOCAL_SFN',
} as const;

const REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function localEndpointsFrom(env: NodeJS.ProcessEnv): LocalEndpoints {
  return {
    ...(env[LOCAL_ENV.s3] ? { s3: env[LOCAL_ENV.s3] } : {}),
    ...(env[LOCAL_ENV.dynamodb] ? { dynamodb: env[LOCAL_ENV.dynamodb] } : {}),
    ...(env[LOCAL_ENV.ses] ? { ses: env[LOCAL_ENV.ses] } : {}),
    ...(env[LOCAL_ENV.sfn] ? { sfn: env[LOCAL_ENV.sfn] } : {}),
  };
}

export function envForLocal(e: LocalEndpoints): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(LOCAL_ENV) as Array<keyof LocalEndpoints>) if (e[k]) out[LOCAL_ENV[k]] = e[k]!;
  return out;
}

const local = (endpoint: string | undefined) => (endpoint ? { endpoint, region: REGION, credentials: LOCAL_CREDENTIALS } : {});

export function s3Client(e: LocalEndpoints = localEndpointsFrom(process.env)): S3Client {
  return new S3Client(
    e.s3
      ? { ...local(e.s3), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {},
  );
}

export function dynamoClient(e: LocalEndpoints = localEndpointsFrom(process.env)): DynamoDBClient {
  // Retries are ours (the store's batch writer backs off with jitter); the SDK's own stay at its default.
  return new DynamoDBClient(local(e.dynamodb));
}

export function sesClient(e: LocalEndpoints = localEndpointsFrom(process.env)): SESv2Client {
  return new SESv2Client(local(e.ses));
}

export function sfnClient(e: LocalEndpoints = localEndpointsFrom(process.env)): SFNClient {
  return new SFNClient(local(e.sfn));
}
