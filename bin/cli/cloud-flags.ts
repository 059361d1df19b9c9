/** The flags `dev`, `upload` and `status` share, and their exit codes. Light on purpose: every command loads it. */
import { localSettings, PORT_ENV, type Ports } from '../../lib/local/settings.ts';
import { UsageError } from './common.ts';

export const localOptions = {
  'data-dir': { type: 'string' },
  's3-port': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'ses-port': { type: 'string' },
} as const;

export const awsOptions = {
  aws: { type: 'boolean' },
  stack: { type: 'string' },
} as const;

/**
 * `upload --aws --bucket NAME`: the bucket without reading the stack's outputs, for credentials that may not describe
 * the stack or read the table (a Member's role): the outcome is then read from the feedback report.
 */
export const bucketOption = { bucket: { type: 'string' } } as const;

export const LOCAL_USAGE = '[--data-dir DIR] [--s3-port N] [--dynamodb-port N] [--ses-port N]';

/** Exit codes of the cloud-facing commands, besides 0/1/2 (outcome) and 64 (usage). */
export const EXIT = { failed: 3, unavailable: 69, cantCreate: 73, timeout: 75 } as const;

export type LocalValues = {
  'data-dir'?: string | undefined;
  's3-port'?: string | undefined;
  'dynamodb-port'?: string | undefined;
  'ses-port'?: string | undefined;
};

function portOf(v: string | undefined, flag: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535 (got '${v}')`);
  return n;
}

/** Data directory and ports from the flags, then the environment, then the defaults; `explicit`: the ports asked for. */
export function localSettingsOf(
  values: LocalValues,
  env: NodeJS.ProcessEnv = process.env,
): { dataDir: string; ports: Ports; explicit: Partial<Ports> } {
  const explicit: Partial<Ports> = {};
  const s3 = portOf(values['s3-port'], '--s3-port') ?? portOf(env[PORT_ENV.s3], PORT_ENV.s3);
  const dynamodb = portOf(values['dynamodb-port'], '--dynamodb-port') ?? portOf(env[PORT_ENV.dynamodb], PORT_ENV.dynamodb);
  const ses = portOf(values['ses-port'], '--ses-port') ?? portOf(env[PORT_ENV.ses], PORT_ENV.ses);
  if (s3 !== undefined) explicit.s3 = s3;
  if (dynamodb !== undefined) explicit.dynamodb = dynamodb;
  if (ses !== undefined) explicit.ses = ses;
  if (values['data-dir'] === '') throw new UsageError('--data-dir must name a directory');
  return { ...localSettings({ dataDir: values['data-dir'], ports: explicit }, env), explicit };
}
