/**
 * `seizures users add --member XX --email E --password P [--analyst] [--aws]` and `seizures users list [--format json]`:
 * the portal's users, created by the operation (the pool has no self sign-up). Locally the user goes to the local
 * Cognito of the data directory (the running `seizures dev`'s, else one started in this process on the same files);
 * with --aws to the stack's user pool (output UserPoolId). `custom:member` is set here, by an administrator, and is
 * immutable: the portal's app client cannot write it.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ANALYSTS_GROUP, MEMBER_CLAIM } from '../../functions/core/portal/auth.ts';
import type { OperationConfig } from '../../functions/core/operation/config.ts';
import { awsOptions } from './cloud-flags.ts';
import { configOption, formatOf, parse, readConfig, UsageError } from './common.ts';

export const usage =
  'seizures users add --member XX --email E --password P [--analyst] [--aws [--stack NAME]] [--data-dir DIR] [--cognito-port N] [--config FILE]\n' +
  '  seizures users list [--format text|json] [--aws [--stack NAME]] [--data-dir DIR] [--cognito-port N] [--config FILE]';

const options = {
  member: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  analyst: { type: 'boolean' },
  format: { type: 'string' },
  'data-dir': { type: 'string' },
  'cognito-port': { type: 'string' },
  ...awsOptions,
  ...configOption,
} as const;

/** The pool's password policy (lib/portal-users.ts), checked before asking Cognito so the message says what is missing. */
export function passwordProblems(p: string): string[] {
  const out: string[] = [];
  if (p.length < 12) out.push('at least 12 characters');
  if (!/[a-z]/.test(p)) out.push('a lower-case letter');
  if (!/[A-Z]/.test(p)) out.push('an upper-case letter');
  if (!/[0-9]/.test(p)) out.push('a digit');
  if (!/[^A-Za-z0-9]/.test(p)) out.push('a symbol');
  return out;
}

export interface PortalUser {
  email: string;
  member: string | null;
  analyst: boolean;
  status: string;
  enabled: boolean;
  createdAt: string | null;
}

interface Pool {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  where: string;
  close(): Promise<void>;
}

async function openPool(
  values: { aws?: boolean | undefined; stack?: string | undefined; 'data-dir'?: string | undefined; 'cognito-port'?: string | undefined },
  operation: OperationConfig,
): Promise<Pool> {
  const { cognitoClient } = await import('../../lib/local/cognito.ts');
  if (values.aws) {
    if (values['data-dir'] !== undefined || values['cognito-port'] !== undefined)
      throw new UsageError('--aws talks to AWS: --data-dir and --cognito-port do not apply');
    const { readStack, stackNameOf } = await import('./cloud-connect.ts');
    const stackName = await stackNameOf(values.stack, operation);
    const { outputs } = await readStack(stackName);
    const userPoolId = outputs['UserPoolId'];
    if (!userPoolId) throw new UsageError(`the stack ${stackName} has no UserPoolId output: deploy the portal first`);
    const client = cognitoClient();
    return { client, userPoolId, where: `the user pool ${userPoolId} (stack ${stackName})`, close: async () => client.destroy() };
  }
  if (values.stack !== undefined) throw new UsageError('--stack needs --aws');
  const { localSettingsOf } = await import('./cloud-flags.ts');
  const { runningCloud } = await import('./cloud-connect.ts');
  const settings = localSettingsOf({ 'data-dir': values['data-dir'] });
  const running = await runningCloud(settings.dataDir);
  if (running?.portal) {
    const client = cognitoClient(running.portal.cognito.endpoint);
    return {
      client,
      userPoolId: running.portal.cognito.userPoolId,
      where: `the local Cognito of ${running.dataDir} (pid ${running.pid})`,
      close: async () => client.destroy(),
    };
  }
  const { prepareDataDir } = await import('../../lib/local/registry.ts');
  const { startCognito } = await import('../../lib/local/cognito.ts');
  const port = values['cognito-port'] === undefined ? 0 : Number(values['cognito-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--cognito-port must be a port number (got '${values['cognito-port']}')`);
  const cognito = await startCognito({ dataDir: prepareDataDir(settings.dataDir), port, operationId: operation.id });
  const client = cognitoClient(cognito.endpoint);
  return {
    client,
    userPoolId: cognito.userPoolId,
    where: `the local Cognito of ${settings.dataDir}`,
    async close() {
      client.destroy();
      await cognito.close();
    },
  };
}

export async function addUser(
  pool: Pick<Pool, 'client' | 'userPoolId'>,
  u: { email: string; password: string; member: string | undefined; analyst: boolean },
): Promise<void> {
  const { AdminCreateUserCommand, AdminSetUserPasswordCommand, AdminAddUserToGroupCommand } = await import(
    '@aws-sdk/client-cognito-identity-provider'
  );
  await pool.client.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: u.email,
      // The operation hands the password over itself: Cognito sends no invitation.
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: u.email },
        { Name: 'email_verified', Value: 'true' },
        ...(u.member ? [{ Name: MEMBER_CLAIM, Value: u.member }] : []),
      ],
    }),
  );
  await pool.client.send(
    new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: u.email, Password: u.password, Permanent: true }),
  );
  if (u.analyst)
    await pool.client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: u.email, GroupName: ANALYSTS_GROUP }));
}

export async function listUsers(pool: Pick<Pool, 'client' | 'userPoolId'>): Promise<PortalUser[]> {
  const { ListUsersCommand, ListUsersInGroupCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const analysts = new Set<string>();
  let next: string | undefined;
  do {
    const page = await pool.client.send(
      new ListUsersInGroupCommand({ UserPoolId: pool.userPoolId, GroupName: ANALYSTS_GROUP, ...(next ? { NextToken: next } : {}) }),
    );
    for (const u of page.Users ?? []) if (u.Username) analysts.add(u.Username);
    next = page.NextToken;
  } while (next);
  const out: PortalUser[] = [];
  let token: string | undefined;
  do {
    const page = await pool.client.send(
      new ListUsersCommand({ UserPoolId: pool.userPoolId, ...(token ? { PaginationToken: token } : {}) }),
    );
    for (const u of page.Users ?? []) {
      const attr = (n: string) => u.Attributes?.find((a) => a.Name === n)?.Value;
      out.push({
        email: attr('email') ?? u.Username ?? '',
        member: attr(MEMBER_CLAIM) ?? null,
        analyst: analysts.has(u.Username ?? ''),
        status: u.UserStatus ?? 'UNKNOWN',
        enabled: u.Enabled ?? true,
        createdAt: u.UserCreateDate ? new Date(u.UserCreateDate).toISOString() : null,
      });
    }
    token = page.PaginationToken;
  } while (token);
  return out.sort((a, b) => (a.member ?? '').localeCompare(b.member ?? '') || a.email.localeCompare(b.email));
}

export async function usersCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add' && sub !== 'list') throw new UsageError(sub ? `unknown subcommand '${sub}' (add or list)` : 'say add or list');
  const { values, positionals } = parse(rest, options);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const operation = readConfig(values.config);

  if (sub === 'add') {
    for (const k of ['format'] as const) if (values[k] !== undefined) throw new UsageError(`--${k} is for users list`);
    const email = values.email?.trim();
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw new UsageError(`--email must be an email address (got '${values.email ?? ''}')`);
    if (!values.password) throw new UsageError('--password is required (the user signs in with it; give it to them yourself)');
    const weak = passwordProblems(values.password);
    if (weak.length) throw new UsageError(`--password needs ${weak.join(', ')}`);
    const member = values.member?.trim().toUpperCase();
    if (!member && !values.analyst) throw new UsageError('--member XX is required (an analyst may go without: --analyst)');
    if (member && !operation.members.some((m) => m.code === member)) {
      throw new UsageError(
        `'${values.member}' is not a Member of ${operation.name}: use one of its ISO alpha-2 codes (${operation.members
          .slice(0, 8)
          .map((m) => m.code)
          .join(', ')}, ...)`,
      );
    }
    const pool = await openPool(values, operation);
    try {
      await addUser(pool, { email, password: values.password, member, analyst: !!values.analyst });
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'UsernameExistsException') {
        process.stderr.write(`seizures users: a user ${email} already exists in ${pool.where}\n`);
        return 1;
      }
      if (name === 'InvalidPasswordException') throw new UsageError(`--password: ${(e as Error).message}`);
      throw e;
    } finally {
      await pool.close();
    }
    process.stdout.write(
      `added ${email}${member ? ` (Member ${member})` : ''}${values.analyst ? ' to the analysts' : ''} in ${pool.where}\n`,
    );
    return 0;
  }

  for (const k of ['member', 'email', 'password', 'analyst'] as const)
    if (values[k] !== undefined) throw new UsageError(`--${k} is for users add`);
  const format = formatOf(values.format, ['text', 'json'] as const, 'text');
  const pool = await openPool(values, operation);
  try {
    const users = await listUsers(pool);
    if (format === 'json') process.stdout.write(`${JSON.stringify(users)}\n`);
    else if (users.length === 0) process.stdout.write(`no users yet in ${pool.where}: add one with seizures users add\n`);
    else {
      const rows = users.map((u) => [u.member ?? '-', u.email, u.analyst ? 'analyst' : 'member', u.enabled ? u.status : 'DISABLED']);
      const widths = [6, Math.max(5, ...rows.map((r) => r[1]!.length)), 7];
      const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ');
      process.stdout.write(
        `${[line(['member', 'email', 'role', 'status']), ...rows.map(line)].join('\n')}\n${users.length} user(s) in ${pool.where}\n`,
      );
    }
    return 0;
  } finally {
    await pool.close();
  }
}
