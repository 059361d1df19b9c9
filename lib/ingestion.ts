/**
 * From upload to records: S3 ObjectCreated events under incoming/ (spreadsheets and CSV only) go to an SQS queue, the
 * ingest function takes them one file at a time and reports failed items back to SQS; a message that fails three times
 * goes to the dead-letter queue. Alarms watch the DLQ, the function's errors and throttles, and the queue's backlog.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { thresholdAlarm } from './alarms.ts';
import { confineTableWrites } from './storage.ts';
import { INGEST_ITEM_PREFIXES } from '../functions/core/store/keys.ts';
import { FEEDBACK_PREFIX, INCOMING_PREFIX, INGEST_SUFFIXES } from '../functions/core/operation/layout.ts';
import { operationConfigEnv } from '../functions/core/contracts/operation-env.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { queueWithDlq } from './queues.ts';
import { DEFAULT_RESERVE_MS } from '../functions/core/ingest/deadline.ts';

export interface IngestionProps {
  /** The submissions bucket (SeizureStorage.bucket). */
  readonly bucket: s3.IBucket;
  /** The records table (SeizureStorage.table). */
  readonly table: dynamodb.ITable;
  /** Passed to the function as OPERATION_CONFIG (compact JSON, see lib/operation-env.ts). */
  readonly operation: OperationConfig;
  /**
   * Memory of the ingest function. From the benchmark (`npm run bench`): a 200,000-row workbook parses within the
   * timeout at this size, and Lambda's CPU share grows with memory. The lead tunes it.
   * @default 3008
   */
  readonly memorySize?: number;
  /**
   * Timeout of the ingest function, from the same benchmark. The queue's visibility timeout is six times this. At
   * least twice the run's reserve for storing and feedback (functions/core/ingest/deadline.ts, 60 s): with less, every upload
   * would stop before validating.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Files per invocation. Files are big (up to 200,000 rows), so one at a time keeps memory and time predictable.
   * @default 1
   */
  readonly batchSize?: number;
  /**
   * Most concurrent ingest invocations the SQS event source starts (2 to 1000): bounds the table's write bursts.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Receives after which a message goes to the dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * The age of the oldest queued upload at which the backlog alarm fires.
   * @default Duration.hours(1)
   */
  readonly maxQueueAge?: Duration;
  /**
   * Where the alarms notify (and notify again when back to OK).
   * @default - the alarms notify nobody
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The handler file.
   * @default functions/ingest/handler.ts
   */
  readonly entry?: string;
}

export class Ingestion extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly function: PipelineFunction;
  public readonly dlqDepthAlarm: cloudwatch.Alarm;
  public readonly errorsAlarm: cloudwatch.Alarm;
  public readonly throttlesAlarm: cloudwatch.Alarm;
  public readonly queueAgeAlarm: cloudwatch.Alarm;
  /** Uploads that ended `failed` for a fault a retry cannot fix (their Members were told; nothing reaches the DLQ). */
  public readonly uploadsFailedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toMilliseconds() < 2 * DEFAULT_RESERVE_MS) {
      throw new Error(
        `Ingestion: timeout ${timeout.toSeconds()} s is too short; each run keeps ${DEFAULT_RESERVE_MS / 1000} s for storing and feedback, so give at least ${(2 * DEFAULT_RESERVE_MS) / 1000} s`,
      );
    }
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    const memorySize = props.memorySize ?? 3008;

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = queueWithDlq(this, { functionTimeout: timeout, maxReceiveCount }));

    this.function = new PipelineFunction(this, 'Function', {
      name: 'ingest',
      ...(props.entry ? { entry: props.entry } : {}),
      description: 'Validates an uploaded seizure file, stores its records and writes the feedback',
      memorySize,
      timeout,
      environment: {
        OPERATION_CONFIG: operationConfigEnv(props.operation),
        FEEDBACK_PREFIX,
        // On the last receive the handler tells the Member before the message goes to the DLQ.
        MAX_RECEIVE_COUNT: String(maxReceiveCount),
        // Validation may take half the timeout and half the memory (for 5 min and 3,008 MB: 150 s, 1,504 MiB): the
        // other half is for waiting on the Member's lease, storing and writing the feedback.
        INGEST_MAX_SECONDS: String(Math.floor(timeout.toSeconds() / 2)),
        INGEST_MAX_HEAP_MB: String(Math.floor(memorySize / 2)),
      },
      // Everything invoked asynchronously (a replay, a test event) lands in the same DLQ when it keeps failing.
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
    });
    this.function
      .bindTable(props.table, 'TABLE_NAME', 'readWrite')
      .bindBucket(props.bucket, 'BUCKET_NAME', 'read', INCOMING_PREFIX)
      .bindBucket(props.bucket, 'BUCKET_NAME', 'readWrite', FEEDBACK_PREFIX);
    // Ingest writes lines, case heads, Member leases and submissions, nothing else (not summaries, not alert markers).
    confineTableWrites(this.function, props.table, INGEST_ITEM_PREFIXES);
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 1,
        maxConcurrency: props.maxConcurrency ?? 5,
        reportBatchItemFailures: true,
      }),
    );

    for (const suffix of INGEST_SUFFIXES) {
      props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
        prefix: INCOMING_PREFIX,
        suffix,
      });
    }
    // The notifications are set at deploy time by CDK's BucketNotificationsHandler, one singleton Lambda per stack.
    for (const child of Stack.of(this).node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's own BucketNotificationsHandler (sets the bucket's notification configuration during deployment) comes " +
            'with AWSLambdaBasicExecutionRole, which only lets it write its own logs; its role is not configurable.',
        });
      }
    }

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) =>
      thresholdAlarm(this, alarmId, { metric, threshold, description, topic: props.alarmTopic });
    this.dlqDepthAlarm = alarm(
      'DlqDepthAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      0,
      'An upload failed ingestion three times (or an async invocation failed): look at the ingest logs, then redrive the DLQ.',
    );
    this.errorsAlarm = alarm(
      'ErrorsAlarm',
      this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      0,
      'The ingest function threw: a file may not have been processed (it will be retried, then go to the DLQ).',
    );
    this.throttlesAlarm = alarm(
      'ThrottlesAlarm',
      this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      0,
      'The ingest function was throttled: the account concurrency limit is reached.',
    );
    this.queueAgeAlarm = alarm(
      'QueueAgeAlarm',
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      (props.maxQueueAge ?? Duration.hours(1)).toSeconds(),
      'Uploads wait in the ingest queue longer than expected: ingestion is stuck or too slow for the load.',
    );
    this.uploadsFailedAlarm = alarm(
      'UploadsFailedAlarm',
      new cloudwatch.Metric({
        namespace: 'SeizurePipeline',
        metricName: 'uploadsFailed',
        dimensionsMap: { service: 'ingest' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      0,
      'An upload ended `failed` for a fault a retry cannot fix (its Member was told the analysts know): look at the ' +
        'ingest logs and the submission record, fix the cause, then ask the Member to upload again.',
    );
  }
}
