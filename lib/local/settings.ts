/** The local cloud's names, defaults and the environment variables that change them; light to import (the CLI reads it for every command). */
import { LOCAL_REGION } from './notifications.ts';

/** The local bucket (on AWS the stack names it). */
export const LOCAL_BUCKET = 'submissions';
export const LOCAL_TABLE = 'seizures';
export const DEFAULT_DATA_DIR = '.seizures';
export const DEFAULT_PORTS = { s3: 4569, dynamodb: 4567, ses: 8005 } as const;
/** Environment variables that change the defaults (flags win over them). */
export const PORT_ENV = { s3: 'SEIZURES_S3_PORT', dynamodb: 'SEIZURES_DYNAMODB_PORT', ses: 'SEIZURES_SES_PORT' } as const;
export const DATA_DIR_ENV = 'SEIZURES_DATA_DIR';
/** The credentials every emulator accepts (s3rver only these). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export { LOCAL_REGION };
/**
 * The event source mapping and redrive policy of lib/ingestion.ts's defaults; test/lib/local/template.test.ts checks
 * them against the synthesized template.
 */
export const INGEST_QUEUE_DEFAULTS = { batchSize: 1, maxConcurrency: 5, maxReceiveCount: 3 } as const;

/** Submission statuses after which an upload is done with ('failed' is not: it is retried, or its message sits in the DLQ). */
export const FINISHED: ReadonlySet<string> = new Set(['accepted', 'accepted_with_errors', 'rejected']);

export type Ports = { s3: number; dynamodb: number; ses: number };

/** The portal's ports (`seizures dev` only: the other commands need no portal). */
export const DEFAULT_PORTAL_PORTS = { portal: 8080, cognito: 9229 } as const;
export const PORTAL_PORT_ENV = { portal: 'SEIZURES_PORTAL_PORT', cognito: 'SEIZURES_COGNITO_PORT' } as const;
export type PortalPorts = { portal: number; cognito: number };

const portFrom = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new RangeError(`${name} must be a port number from 0 to 65535 (got '${v}')`);
  return n;
};

/** Ports and data directory: explicit values, else the environment, else the defaults. */
export function localSettings(
  o: { dataDir?: string | undefined; ports?: Partial<Ports> | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): { dataDir: string; ports: Ports } {
  return {
    dataDir: o.dataDir ?? (env[DATA_DIR_ENV] || DEFAULT_DATA_DIR),
    ports: {
      s3: o.ports?.s3 ?? portFrom(env, PORT_ENV.s3, DEFAULT_PORTS.s3),
      dynamodb: o.ports?.dynamodb ?? portFrom(env, PORT_ENV.dynamodb, DEFAULT_PORTS.dynamodb),
      ses: o.ports?.ses ?? portFrom(env, PORT_ENV.ses, DEFAULT_PORTS.ses),
    },
  };
}

/** The portal's ports: explicit values, else the environment, else the defaults. */
export function portalPorts(o: Partial<PortalPorts> = {}, env: NodeJS.ProcessEnv = process.env): PortalPorts {
  return {
    portal: o.portal ?? portFrom(env, PORTAL_PORT_ENV.portal, DEFAULT_PORTAL_PORTS.portal),
    cognito: o.cognito ?? portFrom(env, PORTAL_PORT_ENV.cognito, DEFAULT_PORTAL_PORTS.cognito),
  };
}
