/**
 * Mail: what SES needs before the first alert leaves a new account, and what comes back.
 *
 * - An SES email identity for the domain of the operation's `mailFrom`, signed with Easy DKIM (2048-bit). Its three
 *   DKIM CNAME records are created in the Route 53 hosted zone when one is given, and always exposed (`dkimRecords`,
 *   and the stack's DkimRecord1..3 outputs) for whoever runs the domain's DNS elsewhere.
 * - A configuration set (reputation metrics on, the account's suppression list for bounces and complaints, TLS
 *   required), the default of the identity and named by every function that sends mail (SES_CONFIGURATION_SET).
 * - Its event destination: bounce, complaint, reject and delivery-delay events to the alarms topic, so the analysts
 *   subscribed there see them; SES may use the topic's KMS key.
 * - The mail-events function (functions/mail-events/), subscribed to that topic for Bounce and Complaint events only
 *   (a filter policy on the message body), which records each address that bounced for good or complained as
 *   unreachable in the table (functions/core/mail/); the alerts skip those, `seizures status` lists them. What SNS
 *   cannot deliver to it, or it fails on three times, goes to a dead-letter queue whose depth is alarmed.
 *
 * Not done by CloudFormation, and said in the README: verification completes only once the DKIM records resolve, and
 * a new account stays in the SES sandbox (only verified recipients) until AWS grants production access.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { thresholdAlarm } from './alarms.ts';
import { UNREACHABLE_PK } from '../functions/core/mail/unreachable.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { confineTableWrites } from './storage.ts';

export interface MailProps {
  /** The sender address of the alerts (the operation's mailFrom); its domain is the identity. */
  readonly mailFrom: string;
  /** Where unreachable contacts are recorded. */
  readonly table: dynamodb.ITable;
  /** Where bounce and complaint events go (the alarms topic). */
  readonly topic: sns.ITopic;
  /**
   * The topic's KMS key, which SES must be allowed to use to publish to it.
   * @default - the topic is not encrypted with a customer managed key
   */
  readonly topicKey?: kms.IKey;
  /**
   * The public hosted zone of the sender's domain: the DKIM records are created in it.
   * @default - no records are created; add the DkimRecord outputs to the domain's DNS by hand
   */
  readonly hostedZone?: route53.IPublicHostedZone;
  /**
   * The events published to the topic.
   * @default bounce, complaint, reject, delivery delay
   */
  readonly events?: readonly ses.EmailSendingEvent[];
  /**
   * The mail-events handler file. Only tests should set it.
   * @default functions/mail-events/handler.ts
   */
  readonly entry?: string;
}

export const DEFAULT_MAIL_EVENTS: readonly ses.EmailSendingEvent[] = [
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];

/** The SES event types (`eventType` in the SNS message body) the mail-events function receives. */
export const UNREACHABLE_EVENT_TYPES = ['Bounce', 'Complaint'] as const;

/**
 * ses:SendEmail as `mailFrom`: on the sender's identity, the address itself or its domain (whichever was verified in
 * SES), and on the configuration set, which SendEmail also authorizes when it is named.
 */
export function sesSendStatement(scope: Construct, mailFrom: string, configurationSetName?: string): iam.PolicyStatement {
  const stack = Stack.of(scope);
  const domain = mailFrom.split('@')[1];
  return new iam.PolicyStatement({
    actions: ['ses:SendEmail'],
    resources: [
      ...[mailFrom, ...(domain ? [domain] : [])].map((identity) =>
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
      ),
      ...(configurationSetName
        ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName })]
        : []),
    ],
  });
}

/** The domain of an address; throws when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? address.slice(at + 1) : '';
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain)) throw new Error(`mailFrom ${JSON.stringify(address)} has no domain SES can verify`);
  return domain.toLowerCase();
}

export class Mail extends Construct {
  public readonly domain: string;
  public readonly identity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly eventDestination: ses.ConfigurationSetEventDestination;
  public readonly eventsFunction: PipelineFunction;
  /** Events that could not be delivered to, or processed by, the mail-events function. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The three DKIM CNAME records (name, value), as tokens. */
  public readonly dkimRecords: readonly ses.DkimRecord[];

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.domain = domainOf(props.mailFrom);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: props.hostedZone ? ses.Identity.publicHostedZone(props.hostedZone) : ses.Identity.domain(this.domain),
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      dkimSigning: true,
      configurationSet: this.configurationSet,
    });
    this.dkimRecords = this.identity.dkimRecords;

    // SES publishes to an encrypted topic only with the key's use (the topic policy is added by the destination).
    props.topicKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesMailEventsOfThisAccount',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.eventDestination = new ses.ConfigurationSetEventDestination(this, 'ToAlarms', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.snsTopic(props.topic),
      events: [...(props.events ?? DEFAULT_MAIL_EVENTS)],
    });

    // No bounce is lost quietly: an event SNS cannot deliver, or the function fails three times on, is kept here.
    this.deadLetterQueue = new sqs.Queue(this, 'EventsDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: of the mail-events SNS subscription and of the function's asynchronous invocations " +
        "(cdk-nag only recognises queues named in another queue's redrive policy). Its depth is alarmed.",
    });
    this.eventsFunction = new PipelineFunction(this, 'EventsFunction', {
      name: 'mail-events',
      ...(props.entry ? { entry: props.entry } : {}),
      description: 'Records the contacts SES reports as bounced for good or complaining, so later alerts skip them',
      memorySize: 256,
      timeout: Duration.seconds(30),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
    });
    this.eventsFunction.bindTable(props.table, 'TABLE_NAME', 'readWrite');
    // It marks contacts unreachable, and writes nothing else (dynamodb:LeadingKeys).
    confineTableWrites(this.eventsFunction, props.table, [UNREACHABLE_PK]);
    props.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.eventsFunction, {
        filterPolicyWithMessageBody: {
          eventType: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: [...UNREACHABLE_EVENT_TYPES] })),
        },
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    this.deadLetterAlarm = thresholdAlarm(this, 'EventsDeadLettersAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      description:
        'A bounce or complaint event could not be recorded (see the mail-events dead-letter queue): the contact may still be emailed. Fix, then redrive it.',
      topic: props.topic,
    });
  }
}
