/**
 * The one place the pipeline's Lambda defaults live: Node.js 22 on arm64, an ESM bundle built locally by esbuild with
 * the AWS SDK inside it, source maps, an explicit log group with retention, Powertools settings and X-Ray tracing.
 * Functions differ only in their folder under functions/ and what they are bound to (bindTable / bindBucket).
 */
import { resolve } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from '../functions/core/operation/config.ts';
import { iam5Resource } from './nag.ts';
import { grantPrefixes } from './s3-grants.ts';

export type TableAccess = 'read' | 'readWrite';
/** `readWrite` is read plus s3:PutObject/AbortMultipartUpload: the pipeline never deletes objects. */
export type BucketAccess = 'read' | 'readWrite';

/** Makes `require` work inside the ESM bundle for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface PipelineFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'logRetention'> {
  /** The function's folder under functions/; the entry is `functions/<name>/handler.ts`. */
  readonly name: string;
  /**
   * The handler file.
   * @default functions/<name>/handler.ts under the project root
   */
  readonly entry?: string;
  /**
   * How long the function's log group keeps events (ignored when `logGroup` is given).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` of every log line and metric.
   * @default the `name` prop
   */
  readonly serviceName?: string;
  /**
   * POWERTOOLS_METRICS_NAMESPACE.
   * @default 'SeizurePipeline'
   */
  readonly metricsNamespace?: string;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** The defaults, each overridable by the same-named prop (bundling and environment are merged key by key). */
export const PIPELINE_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // The map only has to turn minified stack traces into file:line; the sources themselves would double the upload.
  sourcesContent: false,
  // Bundle the SDK: the version tested locally is the version that runs, and tree-shaking keeps cold starts small.
  externalModules: [],
  bundleAwsSDK: true,
  // No Docker on the build machines: esbuild from node_modules bundles locally.
  forceDockerBundling: false,
  logLevel: LogLevel.WARNING,
};

export class PipelineFunction extends NodejsFunction {
  /** Whether the execution role was created here (acknowledgements go on it only then). */
  private readonly ownsRole: boolean;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const { name, serviceName, metricsNamespace, logLevel, logRetention, bundling, environment, ...rest } = props;
    // The explicit log group: retention and removal are ours, not those of Lambda's implicit /aws/lambda/... group.
    const ownLogGroup = rest.logGroup
      ? undefined
      : new logs.LogGroup(scope, `${id}LogGroup`, { retention: logRetention ?? logs.RetentionDays.ONE_MONTH });
    // An explicit role with only what the function is granted: no AWSLambdaBasicExecutionRole managed policy.
    const role =
      rest.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of the ${name} function`,
      });
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      ...rest,
      entry: rest.entry ?? resolve(PROJECT_ROOT, 'functions', name, 'handler.ts'),
      handler: rest.handler ?? 'handler',
      projectRoot: rest.projectRoot ?? PROJECT_ROOT,
      depsLockFilePath: rest.depsLockFilePath ?? resolve(PROJECT_ROOT, 'package-lock.json'),
      logGroup: rest.logGroup ?? ownLogGroup,
      role,
      bundling: { ...PIPELINE_BUNDLING, ...bundling },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName ?? name,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace ?? 'SeizurePipeline',
        POWERTOOLS_LOG_LEVEL: logLevel ?? 'INFO',
        ...environment,
      },
    });
    this.ownsRole = !rest.role;
    // With our role and our log group, the role may write exactly there (whoever passes either grants it).
    if (!rest.role && ownLogGroup) ownLogGroup.grantWrite(role);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: it is the version the project pins (the node devDependency that the tests and ' +
        'the local cloud run on), so what is tested is what runs. Move to the next LTS together with the local toolchain.',
    });
    if (!rest.role && (rest.tracing ?? lambda.Tracing.ACTIVE) !== lambda.Tracing.DISABLED) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level permissions.',
      });
    }
  }

  /** Sets `envName` to the table's name and grants the matching access (data only, never table management). */
  public bindTable(table: dynamodb.ITable, envName = 'TABLE_NAME', access: TableAccess = 'readWrite'): this {
    this.addEnvironment(envName, table.tableName);
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.acknowledgeOnRole(
      iam5Resource(table, '/index/*'),
      "Data access to the table's indexes (all of them, as the grant names them); no table management.",
    );
    if (table.encryptionKey && access === 'readWrite') {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        this.acknowledgeOnRole(
          `AwsSolutions-IAM5[Action::${action}]`,
          "DynamoDB's own grant for writing a table under a customer managed key; the resource is that one key.",
        );
      }
    }
    return this;
  }

  /**
   * Sets `envName` to the bucket's name and grants object access under `prefix` (the whole bucket if omitted), with
   * explicit actions rather than `s3:GetObject*`/`s3:List*`. Call once per prefix; the variable is set to the same name.
   */
  public bindBucket(bucket: s3.IBucket, envName = 'BUCKET_NAME', access: BucketAccess = 'read', prefix?: string): this {
    this.addEnvironment(envName, bucket.bucketName);
    const prefixes = [prefix ?? ''];
    grantPrefixes(this, bucket, access === 'read' ? { read: prefixes } : { read: prefixes, write: prefixes });
    this.acknowledgeOnRole(
      iam5Resource(bucket, `/${prefix ?? ''}*`),
      `The function ${access === 'read' ? 'reads' : 'reads and writes'} any object under ${prefix ? `${prefix} (its working folder)` : 'the bucket'}; the prefix is the scope, the actions are explicit.`,
    );
    return this;
  }

  /** Acknowledges a finding on the execution role's policies, when the role is ours. */
  private acknowledgeOnRole(id: string | undefined, reason: string): void {
    if (id && this.role && this.ownsRole) Validations.of(this.role).acknowledge({ id, reason });
  }
}
