/**
 * Check 1: every recorded AWS call is allowed by the role that makes it. A handler's calls are evaluated against the
 * policies of its function's role in the synthesized template (the function whose POWERTOOLS_SERVICE_NAME is the
 * caller), with the resource's own policy (bucket, key, queue) where it has one, by @cloud-copilot/iam-simulate: an
 * IAM evaluator that knows every action's resource types and condition keys (AGPL-3.0: a devDependency, only ever
 * run here, never bundled into a Lambda). A call to a bucket encrypted with a KMS key also needs the key (kms:Decrypt
 * or kms:GenerateDataKey through S3, kms:ViaService).
 *
 * The recorded calls name resources by stack output (`{BucketName}`, `{TableName}`...): the test that records them
 * on the local cloud (test/lib/preflight/record.ts) puts the output's name where the local resource's name was.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { authorisations, type Authorisation, type RecordedCall } from './actions.ts';
import { ACCOUNT, Resolver, type CfnResource, type Template } from './template.ts';

/** A file of recorded calls (test/fixtures/preflight/*.calls.json). */
export interface CallsFile {
  readonly recordedBy: string;
  readonly refresh: string;
  readonly calls: readonly RecordedCall[];
}

export interface DeniedCall {
  readonly function: string;
  readonly action: string;
  readonly resource: string;
  /** The recorded command and where it was recorded. */
  readonly from: string;
  /** Why, when the simulator says more than "no statement allows it" (e.g. an explicit Deny, an invalid request). */
  readonly why?: string;
}

export interface CallsResult {
  /** Authorisations evaluated (a call may need several: a batch over tables, a copy, a key). */
  checked: number;
  denied: DeniedCall[];
  /** Calls sent with the operator's own credentials (CLI commands run by an administrator): no role to check. */
  operator: number;
}

/**
 * The role each CLI command's `--aws` path is meant to run as (README, "Stack outputs"); a command not listed runs
 * with the operator's credentials. `upload`: a Member's session, tagged with its code.
 */
export const CLI_ROLES: Record<string, { readonly output: string; readonly memberTag?: boolean }> = {
  'cli:upload': { output: 'MemberUploaderRoleArn', memberTag: true },
  'cli:status': { output: 'AnalystRoleArn' },
  'cli:close-phase': { output: 'AnalystRoleArn' },
};

/**
 * `{Output}`: the stack output's value; `{Output@execution}`: an execution of the state machine the output names;
 * `{env:NAME}`: the caller function's environment variable NAME (a resource only a function is told of).
 */
const TOKEN = /\{(env:)?([A-Za-z0-9_]+)(@execution)?\}/g;

export async function checkCalls(template: Template, stackName: string, files: Record<string, CallsFile>): Promise<CallsResult> {
  const r = new Resolver(template, stackName);
  const resources = template.Resources;
  const result: CallsResult = { checked: 0, denied: [], operator: 0 };
  const outputs = template.Outputs ?? {};
  const output = (name: string) => {
    const o = outputs[name];
    if (!o) throw new Error(`the recording names the stack output ${name}, which the template does not have`);
    return r.str(o.Value);
  };
  const substitute = (v: unknown, env: Record<string, unknown>): unknown => {
    const value = (isEnv: string | undefined, n: string) => {
      if (!isEnv) return output(n);
      if (env[n] === undefined)
        throw new Error(`the recording names the environment variable ${n}, which the caller's function does not have`);
      return r.str(env[n]);
    };
    return typeof v === 'string'
      ? v.replace(TOKEN, (_m, isEnv: string | undefined, n: string, execution?: string) =>
          execution ? value(isEnv, n).replace(':stateMachine:', ':execution:') : value(isEnv, n),
        )
      : Array.isArray(v)
        ? v.map((x) => substitute(x, env))
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [substitute(k, env) as string, substitute(x, env)]))
          : v;
  };
  const partitionKeyOf = (tableName: string) => {
    const [, t] = Object.entries(resources).find(([id, x]) => x.Type === 'AWS::DynamoDB::Table' && r.str({ Ref: id }) === tableName) ?? [];
    const hash = (t?.Properties?.KeySchema as { AttributeName: string; KeyType: string }[] | undefined)?.find((k) => k.KeyType === 'HASH');
    return hash?.AttributeName ?? 'pk';
  };

  for (const [file, f] of Object.entries(files)) {
    for (const raw of f.calls) {
      const from = `${raw.service.replace(/Client$/, '')} ${raw.command.replace(/Command$/, '')} (${file})`;
      const principal = principalOf(raw.who, template, r);
      if (principal === 'operator') {
        result.operator++;
        continue;
      }
      let needed: Authorisation[];
      let call: RecordedCall;
      try {
        call = { ...raw, input: substitute(raw.input, principal?.env ?? {}) as Record<string, unknown> };
        needed = withKeys(authorisations(call, partitionKeyOf), template, r);
      } catch (e) {
        result.denied.push({ function: raw.who, action: '?', resource: '?', from, why: (e as Error).message });
        continue;
      }
      for (const a of needed) {
        result.checked++;
        if (!principal) {
          result.denied.push({
            function: raw.who,
            action: a.action,
            resource: a.resource,
            from,
            why: 'no function or role of the stack is this caller',
          });
          continue;
        }
        const context = { ...a.context, ...principal.context(call) };
        const verdict = await simulate(principal, a, context, resourcePolicyOf(a.resource, template, r));
        if (verdict !== 'Allowed') result.denied.push({ function: raw.who, action: a.action, resource: a.resource, from, why: verdict });
      }
    }
  }
  return result;
}

interface Principal {
  readonly arn: string;
  readonly policies: { name: string; policy: unknown }[];
  readonly context: (call: RecordedCall) => Record<string, string>;
  /** The function's environment variables (unresolved), for `{env:NAME}`. */
  readonly env: Record<string, unknown>;
}

/** The role the caller runs as, with its identity policies resolved; 'operator' for an administrator's CLI command. */
function principalOf(who: string, template: Template, r: Resolver): Principal | 'operator' | undefined {
  let roleArn: string | undefined;
  let context: Principal['context'] = () => ({});
  let env: Record<string, unknown> = {};
  if (who.startsWith('states:')) {
    // A state machine's task: its role.
    const sm = template.Resources[who.slice('states:'.length)];
    if (!sm) return undefined;
    roleArn = r.str(sm.Properties!.RoleArn);
  } else if (who.startsWith('cli:')) {
    const cli = CLI_ROLES[who];
    if (!cli) return 'operator';
    // No such role in this stack (MemberUploader exists only with a configured principal): whoever runs the command
    // runs it with their own credentials.
    const out = template.Outputs?.[cli.output];
    if (!out) return 'operator';
    roleArn = r.str(out.Value);
    if (cli.memberTag)
      context = (call): Record<string, string> => {
        const m = /(?:incoming|feedback)\/([A-Z]{2})\//.exec(String(call.input.Key ?? call.input.Prefix ?? ''));
        return m ? { 'aws:PrincipalTag/member': m[1]! } : {};
      };
  } else {
    const fn = Object.values(template.Resources).find(
      (x) =>
        x.Type === 'AWS::Lambda::Function' &&
        (x.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME === who,
    );
    if (!fn) return undefined;
    roleArn = r.str(fn.Properties!.Role);
    env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  }
  const roleId = Object.keys(template.Resources).find(
    (id) => template.Resources[id]!.Type === 'AWS::IAM::Role' && r.str({ 'Fn::GetAtt': [id, 'Arn'] }) === roleArn,
  );
  if (!roleId) return undefined;
  return { arn: roleArn, policies: policiesOfRole(roleId, template, r), context, env };
}

/** The identity policies of a role: its inline policies, and every AWS::IAM::Policy / ManagedPolicy attached to it. */
export function policiesOfRole(roleId: string, template: Template, r: Resolver): { name: string; policy: unknown }[] {
  const role = template.Resources[roleId]!;
  const inline = ((role.Properties?.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[]).map((p) => ({
    name: r.str(p.PolicyName),
    policy: r.resolve(p.PolicyDocument),
  }));
  const attached = Object.entries(template.Resources)
    .filter(
      ([, p]) =>
        (p.Type === 'AWS::IAM::Policy' || p.Type === 'AWS::IAM::ManagedPolicy') &&
        ((p.Properties?.Roles ?? []) as unknown[]).some((x) => (x as { Ref?: string }).Ref === roleId),
    )
    .map(([id, p]) => ({ name: id, policy: r.resolve(p.Properties!.PolicyDocument) }));
  return [...inline, ...attached];
}

/** The KMS calls S3 makes on the caller's behalf when the bucket's default encryption is a customer key. */
function withKeys(needed: Authorisation[], template: Template, r: Resolver): Authorisation[] {
  return needed.flatMap((a) => {
    const bucket = /^arn:aws:s3:::([^/]+)\/./.exec(a.resource)?.[1];
    if (!bucket || !/^s3:(GetObject|PutObject)/.test(a.action)) return [a];
    const [, b] = resourceNamed('AWS::S3::Bucket', bucket, template, r) ?? [];
    type Rule = { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown } };
    const encryption = b?.Properties?.BucketEncryption as { ServerSideEncryptionConfiguration?: Rule[] } | undefined;
    const key = (encryption?.ServerSideEncryptionConfiguration ?? [])
      .map((x) => x.ServerSideEncryptionByDefault)
      .find((x) => x?.SSEAlgorithm === 'aws:kms')?.KMSMasterKeyID;
    if (!key) return [a];
    const keyArn = r.str(key);
    const context = { 'kms:ViaService': `s3.${keyArn.split(':')[3]}.amazonaws.com` };
    const kms = a.action.startsWith('s3:GetObject') ? ['kms:Decrypt'] : ['kms:GenerateDataKey'];
    return [a, ...kms.map((action) => ({ action, resource: keyArn, context }))];
  });
}

function resourceNamed(type: string, ref: string, template: Template, r: Resolver): [string, CfnResource] | undefined {
  return Object.entries(template.Resources).find(([id, x]) => x.Type === type && r.str({ Ref: id }) === ref);
}

/** The resource-based policy that also decides: a bucket's, a key's, a queue's. */
function resourcePolicyOf(resource: string, template: Template, r: Resolver): unknown {
  const s3 = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
  if (s3) {
    const p = Object.values(template.Resources).find((x) => x.Type === 'AWS::S3::BucketPolicy' && r.str(x.Properties!.Bucket) === s3);
    return p ? r.resolve(p.Properties!.PolicyDocument) : undefined;
  }
  if (resource.startsWith('arn:aws:kms:')) {
    const key = Object.entries(template.Resources).find(
      ([id, x]) => x.Type === 'AWS::KMS::Key' && r.str({ 'Fn::GetAtt': [id, 'Arn'] }) === resource,
    );
    return key ? r.resolve(key[1].Properties!.KeyPolicy) : undefined;
  }
  return undefined;
}

async function simulate(
  p: Principal,
  a: Authorisation,
  context: Record<string, string | string[]>,
  resourcePolicy: unknown,
): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: p.arn,
      action: a.action,
      resource: { resource: a.resource, accountId: ACCOUNT },
      contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': p.arn, 'aws:PrincipalAccount': ACCOUNT, ...context },
    },
    identityPolicies: p.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const res = await runSimulation(simulation, {});
  if (res.resultType === 'error') return `the simulator refused the request: ${JSON.stringify(res.errors)}`;
  return res.overallResult;
}
