/**
 * A synthesized app as the preflight reads it: the stack templates of a cdk.out directory (its manifest), and the
 * CloudFormation intrinsics (Ref, GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If) resolved to the strings
 * they become on deploy, with a placeholder account and region. A physical name CloudFormation would generate is the
 * logical id: what matters is that a policy and a call name the same thing, not which name it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** The id part of AWS::StackId. */
export const STACK_UUID = '00000000-0000-0000-0000-000000000000';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: unknown;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

export interface StackTemplate {
  readonly stackName: string;
  /** The template file, as cfn-guard reads it. */
  readonly path: string;
  readonly template: Template;
}

/** The CloudFormation stacks of a cdk.out directory, from its manifest. */
export function stacksOf(cdkOut: string): StackTemplate[] {
  const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([id, a]) => {
      const path = join(cdkOut, a.properties!.templateFile!);
      return { stackName: a.properties!.stackName ?? id, path, template: JSON.parse(readFileSync(path, 'utf8')) as Template };
    });
}

/** An intrinsic the resolver cannot turn into a string (an import from another stack, say). */
export class UnresolvableError extends Error {
  override readonly name = 'UnresolvableError';
}

/** Resolves the intrinsics of one template. */
export class Resolver {
  constructor(
    readonly template: Template,
    readonly stackName: string,
  ) {}

  /** A value with every intrinsic resolved (strings, arrays and objects alike). */
  resolve(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x)).filter((x) => x !== NO_VALUE);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? (arg as string[]) : (arg as string).split(/\.(.*)/s);
          return this.getAtt(id!, attr!);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          return (this.resolve(parts) as unknown[]).map((p) => this.str(p)).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [i, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(i))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return this.str(this.resolve(s)).split(sep);
        }
        case 'Fn::If': {
          const [cond, yes, no] = arg as [string, unknown, unknown];
          return this.resolve(this.condition(cond) ? yes : no);
        }
        case 'Fn::GetAZs':
          return [`${REGION}a`, `${REGION}b`, `${REGION}c`];
        case 'Fn::ImportValue':
          throw new UnresolvableError(`Fn::ImportValue ${JSON.stringify(arg)}`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, this.resolve(x)]));
  }

  /** A value resolved to a string. */
  str(v: unknown): string {
    const r = this.resolve(v);
    if (typeof r === 'string') return r;
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    throw new UnresolvableError(`not a string: ${JSON.stringify(v)}`);
  }

  private condition(name: string): boolean {
    const c = this.template.Conditions?.[name];
    const evalc = (x: unknown): boolean => {
      const o = x as Record<string, unknown[]>;
      if ('Fn::Equals' in o) return this.str(o['Fn::Equals']![0]) === this.str(o['Fn::Equals']![1]);
      if ('Fn::Not' in o) return !evalc(o['Fn::Not']![0]);
      if ('Fn::And' in o) return o['Fn::And']!.every(evalc);
      if ('Fn::Or' in o) return o['Fn::Or']!.some(evalc);
      if ('Condition' in o) return this.condition(o.Condition as unknown as string);
      throw new UnresolvableError(`condition ${JSON.stringify(x)}`);
    };
    return c === undefined ? false : evalc(c);
  }

  private sub(arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      if (name in vars) return this.str(vars[name]);
      const dot = name.indexOf('.');
      return dot > 0 ? this.str(this.getAtt(name.slice(0, dot), name.slice(dot + 1))) : this.str(this.ref(name));
    });
  }

  ref(id: string): unknown {
    switch (id) {
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Region':
        return REGION;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${this.stackName}/${STACK_UUID}`;
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const p = this.template.Parameters?.[id];
    if (p) {
      if (p.Default === undefined) throw new UnresolvableError(`parameter ${id} has no default`);
      return p.Default;
    }
    const r = this.template.Resources[id];
    if (!r) throw new UnresolvableError(`Ref to ${id}, which is not in the template`);
    const name = this.physicalName(id, r);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SecretsManager::Secret':
        return this.arn(id, r);
      case 'AWS::SES::EmailIdentity':
        return this.str(r.Properties?.EmailIdentity);
      case 'AWS::Cognito::UserPool':
        return `${REGION}_${id.slice(0, 9)}`;
      default:
        return name;
    }
  }

  /** The name CloudFormation gives the resource: its name property, else the logical id (lower case for buckets). */
  private physicalName(id: string, r: CfnResource): string {
    const prop = NAME_PROPERTY[r.Type];
    const given = prop ? r.Properties?.[prop] : undefined;
    if (given !== undefined) return this.str(given);
    return r.Type === 'AWS::S3::Bucket' ? id.toLowerCase() : id;
  }

  private arn(id: string, r: CfnResource): string {
    const name = this.physicalName(id, r);
    const svc = (s: string, rest: string) => `arn:aws:${s}:${REGION}:${ACCOUNT}:${rest}`;
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::DynamoDB::Table':
        return svc('dynamodb', `table/${name}`);
      case 'AWS::SQS::Queue':
        return svc('sqs', name);
      case 'AWS::SNS::Topic':
        return svc('sns', name);
      case 'AWS::StepFunctions::StateMachine':
        return svc('states', `stateMachine:${name}`);
      case 'AWS::KMS::Key':
        return svc('kms', `key/${name}`);
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::Lambda::Function':
        return svc('lambda', `function:${name}`);
      case 'AWS::Logs::LogGroup':
        return svc('logs', `log-group:${name}:*`);
      case 'AWS::Cognito::UserPool':
        return svc('cognito-idp', `userpool/${this.str(this.ref(id))}`);
      case 'AWS::SES::ConfigurationSet':
        return svc('ses', `configuration-set/${name}`);
      case 'AWS::SES::EmailIdentity':
        return svc('ses', `identity/${this.str(this.ref(id))}`);
      case 'AWS::SecretsManager::Secret':
        return svc('secretsmanager', `secret:${name}-AbCdEf`);
      default:
        return svc(r.Type.split('::')[1]!.toLowerCase(), name);
    }
  }

  getAtt(id: string, attr: string): unknown {
    const r = this.template.Resources[id];
    if (!r) throw new UnresolvableError(`GetAtt of ${id}, which is not in the template`);
    const name = this.physicalName(id, r);
    if (attr === 'Arn') return this.arn(id, r);
    if (r.Type === 'AWS::S3::Bucket' && attr.endsWith('DomainName'))
      return attr === 'RegionalDomainName' ? `${name}.s3.${REGION}.amazonaws.com` : `${name}.s3.amazonaws.com`;
    if (r.Type === 'AWS::SQS::Queue' && attr === 'QueueName') return name;
    if (r.Type === 'AWS::SQS::Queue' && attr === 'QueueUrl') return this.ref(id);
    if (attr === 'Name' || attr === 'QueueName' || attr === 'TopicName') return name;
    if (r.Type === 'AWS::KMS::Key' && attr === 'KeyId') return name;
    return `${id}.${attr}`;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The property that names a resource, where the template may set it. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SES::ConfigurationSet': 'Name',
};
