/**
 * What IAM authorises for one recorded SDK command: the actions, the resource ARN of each, and the request's context
 * keys (dynamodb:LeadingKeys, s3:prefix, kms:ViaService). One table per service, from the services' authorisation
 * references; a command not listed here is a failure of the preflight (say what it needs), never a silent pass.
 */
import { ACCOUNT, REGION, STACK_UUID } from './template.ts';

/** A recorded SDK input: JSON as the SDK took it, each service's fields read by name below. */
// biome-ignore lint/suspicious/noExplicitAny: the recorded inputs are untyped JSON of many commands' shapes
export type Input = Record<string, any>;

/** A call as recorded (functions/core/platform/aws.ts), its resource names resolved to the stack's. */
export interface RecordedCall {
  readonly who: string;
  readonly service: string;
  readonly command: string;
  readonly input: Input;
}

/** One authorisation the call needs. */
export interface Authorisation {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

/** A command the preflight has no mapping for. */
export class UnknownCommandError extends Error {
  override readonly name = 'UnknownCommandError';
}

const bare = (command: string) => command.replace(/Command$/, '');
const arn = (svc: string, rest: string) => `arn:aws:${svc}:${REGION}:${ACCOUNT}:${rest}`;

/** A DynamoDB attribute value as recorded: marshalled ({S: 'x'}) by the low-level client, plain by lib-dynamodb. */
const plain = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string'
      ? (v as { S: string }).S
      : undefined;

export function authorisations(call: RecordedCall, partitionKeyOf: (table: string) => string): Authorisation[] {
  const name = bare(call.command);
  const i = call.input;
  switch (call.service) {
    case 'S3Client':
      return s3(name, i);
    case 'DynamoDBClient':
      return dynamo(name, i, partitionKeyOf);
    case 'SESv2Client':
      return ses(name, i);
    case 'SFNClient':
      return sfn(name, i);
    case 'SQSClient': {
      const [, , , account, queue] = new URL(i.QueueUrl).pathname.split('/');
      return [{ action: `sqs:${name}`, resource: arn('sqs', `${queue ?? account}`), context: {} }];
    }
    case 'CognitoIdentityProviderClient':
      return [{ action: `cognito-idp:${name}`, resource: arn('cognito-idp', `userpool/${i.UserPoolId}`), context: {} }];
    case 'Lambda': {
      // A function ARN with a qualifier ($LATEST, a version, an alias) is authorised as the function's ARN with it.
      return [{ action: `lambda:${name}`, resource: String(i.FunctionName), context: {} }];
    }
    case 'SecretsManagerClient':
      return [{ action: `secretsmanager:${name}`, resource: String(i.SecretId), context: {} }];
    case 'CloudFormationClient':
      // The stack's id: its name and the id CloudFormation gave it (template.ts's placeholder for AWS::StackId).
      return [{ action: `cloudformation:${name}`, resource: arn('cloudformation', `stack/${i.StackName}/${STACK_UUID}`), context: {} }];
  }
  throw new UnknownCommandError(`${call.service} ${call.command}: the preflight does not know what it needs`);
}

const S3_OBJECT: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging',
  PutObjectTagging: 's3:PutObjectTagging',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
};
const S3_BUCKET: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
};

function s3(name: string, i: Input): Authorisation[] {
  const object = (bucket: string, key: string, action: string, versioned: boolean): Authorisation => ({
    action: versioned && (action === 's3:GetObject' || action === 's3:DeleteObject') ? `${action}Version` : action,
    resource: `arn:aws:s3:::${bucket}/${key}`,
    context: {},
  });
  if (name in S3_OBJECT) {
    const a = object(i.Bucket, i.Key, S3_OBJECT[name]!, Boolean(i.VersionId));
    // The headers a bucket policy may condition an upload on, when the call sends them.
    const headers: Record<string, string> = {
      ...(i.ServerSideEncryption ? { 's3:x-amz-server-side-encryption': String(i.ServerSideEncryption) } : {}),
      ...(i.SSEKMSKeyId ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': String(i.SSEKMSKeyId) } : {}),
      ...(i.StorageClass ? { 's3:x-amz-storage-class': String(i.StorageClass) } : {}),
    };
    return [{ ...a, context: { ...a.context, ...headers } }];
  }
  if (name in S3_BUCKET)
    return [{ action: S3_BUCKET[name]!, resource: `arn:aws:s3:::${i.Bucket}`, context: { 's3:prefix': i.Prefix ?? '' } }];
  if (name === 'DeleteObjects')
    return ((i.Delete?.Objects ?? []) as { Key: string; VersionId?: string }[]).map((o) =>
      object(i.Bucket, o.Key, 's3:DeleteObject', Boolean(o.VersionId)),
    );
  if (name === 'CopyObject') {
    const source = decodeURIComponent(String(i.CopySource).replace(/^\//, '').split('?')[0]!);
    const slash = source.indexOf('/');
    return [
      object(source.slice(0, slash), source.slice(slash + 1), 's3:GetObject', String(i.CopySource).includes('versionId=')),
      object(i.Bucket, i.Key, 's3:PutObject', false),
    ];
  }
  throw new UnknownCommandError(`S3 ${name}: the preflight does not know what it needs`);
}

/** lib-dynamodb's command names, to the low-level API's. */
const DOCUMENT: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
};
const TRANSACT: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

function dynamo(command: string, i: Input, partitionKeyOf: (table: string) => string): Authorisation[] {
  const name = DOCUMENT[command] ?? command;
  const table = (t: string, index?: string) => arn('dynamodb', `table/${t}${index ? `/index/${index}` : ''}`);
  const leading = (t: string, items: unknown[]): Record<string, string[]> => {
    const pk = partitionKeyOf(t);
    const keys = [...new Set(items.map((x) => plain((x as Record<string, unknown>)?.[pk])).filter((x): x is string => !!x))];
    return keys.length ? { 'dynamodb:LeadingKeys': keys } : {};
  };
  switch (name) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action: `dynamodb:${name}`, resource: table(i.TableName), context: leading(i.TableName, [i.Key ?? i.Item]) }];
    case 'Query': {
      const names = (i.ExpressionAttributeNames ?? {}) as Record<string, string>;
      const values = (i.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
      // The partition key's equality: the first `name = :value` of the key condition.
      const m = /(#?[\w]+)\s*=\s*(:[\w]+)/.exec(String(i.KeyConditionExpression ?? ''));
      const value = m ? plain(values[m[2]!]) : undefined;
      const keyName = m ? (names[m[1]!] ?? m[1]!) : undefined;
      const context: Record<string, string[]> = value && keyName ? { 'dynamodb:LeadingKeys': [value] } : {};
      return [{ action: 'dynamodb:Query', resource: table(i.TableName, i.IndexName), context }];
    }
    case 'Scan':
      return [{ action: 'dynamodb:Scan', resource: table(i.TableName, i.IndexName), context: {} }];
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return Object.entries((i.RequestItems ?? {}) as Input).map(([t, reqs]) => {
        const items: unknown[] = Array.isArray(reqs)
          ? reqs.map((r: Input) => r.PutRequest?.Item ?? r.DeleteRequest?.Key)
          : ((reqs?.Keys ?? []) as unknown[]);
        return { action: `dynamodb:${name}`, resource: table(t), context: leading(t, items) };
      });
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((i.TransactItems ?? []) as Input[]).flatMap((x) =>
        Object.entries(x).map(([kind, op]) => ({
          action: `dynamodb:${TRANSACT[kind] ?? kind}`,
          resource: table(op.TableName),
          context: leading(op.TableName, [op.Key ?? op.Item]),
        })),
      );
    case 'DescribeTable':
    case 'CreateTable':
    case 'DeleteTable':
      return [{ action: `dynamodb:${name}`, resource: table(i.TableName), context: {} }];
  }
  throw new UnknownCommandError(`DynamoDB ${command}: the preflight does not know what it needs`);
}

function ses(name: string, i: Input): Authorisation[] {
  if (name !== 'SendEmail') throw new UnknownCommandError(`SES ${name}: the preflight does not know what it needs`);
  const from = /<([^>]+)>/.exec(String(i.FromEmailAddress))?.[1] ?? String(i.FromEmailAddress);
  const domain = from.slice(from.indexOf('@') + 1);
  // SES authorises a send on the identity it sends from (the domain, verified with DKIM) and on the configuration set.
  return [
    { action: 'ses:SendEmail', resource: arn('ses', `identity/${domain}`), context: {} },
    ...(i.ConfigurationSetName
      ? [{ action: 'ses:SendEmail', resource: arn('ses', `configuration-set/${i.ConfigurationSetName}`), context: {} }]
      : []),
  ];
}

function sfn(name: string, i: Input): Authorisation[] {
  const resource = i.executionArn ?? i.stateMachineArn;
  if (!resource) throw new UnknownCommandError(`Step Functions ${name}: no state machine or execution named`);
  return [{ action: `states:${name}`, resource, context: {} }];
}
