/**
 * A work queue feeding a Lambda, with its dead-letter queue: every queue of the stack has one (ingestion, shares).
 * Both SQS-encrypted and TLS-only; the construct ids are `Queue` and `DeadLetterQueue` in the caller's scope.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface QueueWithDlqProps {
  /** The timeout of the function the queue feeds: the visibility timeout is six times it. */
  readonly functionTimeout: Duration;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export function queueWithDlq(scope: Construct, props: QueueWithDlqProps): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // SQS keeps a message's original enqueue time when it moves it to the DLQ, so the DLQ keeps the maximum.
    retentionPeriod: Duration.days(14),
  });
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // AWS's rule for Lambda event sources: at least six times the function timeout, so a message is not handed to
    // a second invocation while the first (and its retries with backoff) may still be working on it.
    visibilityTimeout: Duration.seconds(props.functionTimeout.toSeconds() * 6),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}
