/**
 * The analysts' lake on AWS: SQL over every seizure line the phase closes counted (functions/core/lake writes them as
 * Parquet under `lake/{operation}/lines/phase={n}/member={XX}/`). A Glue table `lines` over that prefix with partition
 * projection (phase an integer, member an enum of the operation's Members: no crawler, no partition to add), and an
 * Athena workgroup whose settings every query must take (engine v3, results encrypted with the stack's key in a
 * bucket of their own, a cap on the bytes one query scans). The Analyst role may query it; Members' roles and the
 * portal are denied `lake/` outright, as they are the analysts' summaries: the lines name every Member's cases.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_COLUMNS, LAKE_PARTITIONS, lakeLinesPrefix } from '../functions/core/lake/columns.ts';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { LAKE_PREFIX } from '../functions/core/operation/layout.ts';
import { iam5Resource } from './nag.ts';

export interface AnalystsLakeProps {
  readonly operation: OperationConfig;
  /** The submissions bucket, whose `lake/` the phase close writes. */
  readonly bucket: s3.IBucket;
  /** Who may query (the Analyst role). */
  readonly analysts: iam.IRole;
  /** Denied every object under `lake/`, whatever else they are allowed (Members' roles, the portal's function). */
  readonly denied?: readonly iam.IRole[];
  /**
   * Encrypts the query results.
   * @default - a key of this construct, rotated yearly
   */
  readonly key?: kms.IKey;
  /** Receives the results bucket's server access logs. @default - the results bucket logs nowhere (acknowledged) */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * The most one query may scan, in bytes (Athena cancels it beyond): a runaway query costs at most this.
   * @default 1 GiB (a million lines are about 40 MB of Parquet)
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Days query results are kept. @default 30 */
  readonly resultsExpirationDays?: number;
  /** @default RemovalPolicy.RETAIN for the results bucket */
  readonly removalPolicy?: RemovalPolicy;
}

export const DEFAULT_BYTES_SCANNED_CUTOFF = 1024 ** 3;

/** The Glue database of an operation: Glue names are lower case, letters, digits and underscores. */
export const lakeDatabaseName = (operation: string): string => `${operation.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_lake`;
export const LAKE_TABLE = 'lines';

const glueType = (t: string): string => (t === 'array<string>' ? 'array<string>' : t);

export class AnalystsLake extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly table: glue.CfnTable;
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly resultsBucket: s3.Bucket;
  public readonly key: kms.IKey;
  public readonly databaseName: string;

  constructor(scope: Construct, id: string, props: AnalystsLakeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { operation, bucket } = props;
    const cutoff = props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
    if (!Number.isInteger(cutoff) || cutoff < 10_000_000)
      throw new Error(
        `AnalystsLake: bytesScannedCutoffPerQuery must be an integer of at least 10,000,000 (Athena's minimum), not ${cutoff}`,
      );
    this.key =
      props.key ??
      new kms.Key(this, 'ResultsKey', {
        description: `Encrypts the analysts' query results of ${operation.name}`,
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });

    this.resultsBucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(props.resultsExpirationDays ?? 30) }],
      ...(props.accessLogBucket ? { serverAccessLogsBucket: props.accessLogBucket, serverAccessLogsPrefix: 'athena-results/' } : {}),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (!props.accessLogBucket) {
      Validations.of(this.resultsBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Query results are Athena output, each named by its query execution id, which CloudTrail and Athena history already record.',
      });
    }

    this.databaseName = lakeDatabaseName(operation.id);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: `Every seizure line the phase closes of ${operation.name} counted` },
    });
    const location = `s3://${bucket.bucketName}/${lakeLinesPrefix(operation.id)}`;
    const partitionNames = new Set<string>(LAKE_PARTITIONS.map((p) => p.name));
    const phases = operation.phases.map((p) => p.phase);
    this.table = new glue.CfnTable(this, 'Lines', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: LAKE_TABLE,
        description: 'One row per counted seizure line (functions/core/lake/README.md); one Parquet file per phase and Member',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          'projection.phase.type': 'integer',
          'projection.phase.range': `${Math.min(...phases)},${Math.max(...phases)}`,
          'projection.member.type': 'enum',
          'projection.member.values': operation.members.map((m) => m.code).join(','),
          'storage.location.template': `${location}phase=\${phase}/member=\${member}/`,
        },
        partitionKeys: LAKE_PARTITIONS.map((p) => ({ name: p.name, type: p.type })),
        storageDescriptor: {
          location,
          // phase and member are in the files too; Glue names them once, as the partition keys.
          columns: LAKE_COLUMNS.filter((c) => !partitionNames.has(c.name)).map((c) => ({
            name: c.name,
            type: glueType(c.type),
            comment: c.comment,
          })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    this.table.node.addDependency(this.database);

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${stack.stackName}-analysts`,
      description: `The analysts' SQL over the lake of ${operation.name} (seizures query --aws)`,
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: cutoff,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
          expectedBucketOwner: stack.account,
        },
      },
    });

    this.grantQuery(props.analysts);
    for (const role of props.denied ?? []) AnalystsLake.denyLake(role, bucket);
  }

  /** The workgroup's ARN. */
  public get workGroupArn(): string {
    return Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroup.name });
  }

  /** Lets a role run queries in the workgroup over `lines`, and read their results. Reading lake/ is granted apart. */
  public grantQuery(role: iam.IRole): void {
    const stack = Stack.of(this);
    const glueArn = (resource: string) => stack.formatArn({ service: 'glue', resource, resourceName: undefined });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueriesInTheLakeWorkGroup',
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetQueryResultsStream',
          'athena:ListQueryExecutions',
          'athena:GetWorkGroup',
          'athena:BatchGetQueryExecution',
        ],
        resources: [this.workGroupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TheLakeTable',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          glueArn('catalog'),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${LAKE_TABLE}` }),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.resultsBucket.arnForObjects('results/*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryResultsBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.resultsBucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryResultsKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
      }),
    );
    const ack = iam5Resource(this.resultsBucket, '/results/*');
    if (ack)
      Validations.of(role).acknowledge({
        id: ack,
        reason: 'Athena writes each query result under results/ of the results bucket with a name of its own; the role reads them back.',
      });
  }

  /** An explicit Deny of every object under lake/: wins over any Allow (e.g. a read of the whole bucket). */
  public static denyLake(role: iam.IRole, bucket: s3.IBucket): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'NoLakeLines',
        effect: iam.Effect.DENY,
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        resources: [bucket.arnForObjects(`${LAKE_PREFIX}*`)],
      }),
    );
  }
}
