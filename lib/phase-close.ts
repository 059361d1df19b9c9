/**
 * The phase close: the Step Functions workflow of workflows/phase-close.asl.json (loaded as a file, its `${...}`
 * placeholders filled by definitionSubstitutions), its eight functions, its log group, X-Ray tracing and alarms, the
 * contacts file the alert functions read, and the EventBridge Scheduler schedules that run it: a final run the day
 * after each phase ends (06:00 UTC) and an interim run every Monday (06:00 UTC) within each phase.
 *
 * The same file runs locally in aws-local-stepfunctions (lib/local/stepfunctions.ts);
 * functions/core/contracts/phase-close-spec.ts is the table both sides read, so the states, functions and placeholders cannot drift apart.
 */
import { Duration, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { thresholdAlarm } from './alarms.ts';
import { LAKE_PREFIX, SUMMARIES_PREFIX } from '../functions/core/operation/layout.ts';
import { iam5Resource } from './nag.ts';
import {
  CONFIG_PREFIX,
  contactsKeyFor,
  contactsOf,
  DEFAULT_AGGREGATE_MAX_CONCURRENCY,
  PHASE_CLOSE_ASL,
  PHASE_STEPS,
  phaseCloseEnv,
  phaseCloseSubstitutions,
  WORK_PREFIX,
  type PhaseStep,
} from '../functions/core/contracts/phase-close-spec.ts';
import { sesSendStatement } from './mail.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { grantPrefixes } from './s3-grants.ts';
import { confineTableWrites } from './storage.ts';
import { ALERT_ITEM_PREFIXES, SUMMARY_ITEM_PREFIXES } from '../functions/core/store/keys.ts';

export interface PhaseCloseProps {
  /** The submissions bucket: the workflow reads and writes work/ and summaries/, and writes config/{operation}/contacts.json. */
  readonly bucket: s3.IBucket;
  /** The records table: lines are read from it, the summary is stored in it. */
  readonly table: dynamodb.ITable;
  /** The operation: its phases give the schedules, its Members and analysts the contacts, mailFrom the sender. */
  readonly operation: OperationConfig;
  /**
   * Where the alarms notify (and notify again when back to OK).
   * @default - the alarms notify nobody
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * How many slices are aggregated at once (the Map's MaxConcurrency): bounds the read load on the table.
   * @default 10
   */
  readonly aggregateMaxConcurrency?: number;
  /**
   * Whether the schedules are created (false: the workflow only runs when started, e.g. by `seizures close-phase --aws`).
   * @default true
   */
  readonly schedules?: boolean;
  /**
   * The moment that decides which schedules are still to come: a schedule that can no longer fire is not created
   * (EventBridge Scheduler refuses a start date in the past), and a phase already under way gets a weekly schedule
   * without a start date. Tests pin it; a deploy uses the time of the synth.
   * @default new Date() when the construct is created
   */
  readonly now?: Date;
  /**
   * Whether the execution log includes each state's input and output. The state carries S3 keys and counts only
   * (never seizure lines or contacts), so the log shows nothing the bucket's listing does not, and a failed slice is
   * found from the log alone. A failed step adds its error's name and Cause (message and stack): the steps' messages
   * name slices, keys and digests, never a case reference or an address (test/functions/shared/logs.test.ts).
   * @default true
   */
  readonly includeExecutionData?: boolean;
  /**
   * How long the state machine's log group keeps events.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The SES configuration set the mail-sending functions name (SES_CONFIGURATION_SET), and may send through.
   * @default - none: SES applies the identity's default configuration set, if any
   */
  readonly configurationSetName?: string;
  /**
   * The portal the alert emails link to (PORTAL_URL of phase-alerts: `{portalUrl}/summaries/{phase}/{runLabel}`).
   * The emails carry no other link (never a presigned one), so synth fails without a portal: give it here, in the
   * operation config (`portalUrl`, e.g. a custom domain), or later with `linkPortal` (the stack passes its CloudFront
   * distribution's `https://{distributionDomainName}`).
   * @default the operation config's portalUrl
   */
  readonly portalUrl?: string;
  /**
   * Handler file of a step, by the step's name (`phase-plan`...). Only tests should set it.
   * @default functions/{name}/handler.ts
   */
  readonly entries?: Readonly<Record<string, string>>;
  /**
   * The ASL file. Only tests should change it.
   * @default workflows/phase-close.asl.json
   */
  readonly definitionFile?: string;
}

/** What each function may touch, besides the environment every one gets. */
interface Access {
  readonly table?: 'read' | 'readWrite';
  readonly read?: readonly string[];
  readonly write?: readonly string[];
  readonly ses?: boolean;
  /** Item kinds (partition-key prefixes, functions/core/store/keys.ts) the function may write; none: every write denied. */
  readonly writes?: readonly string[];
}

/**
 * By step name, from functions/core/phase/steps.ts: work files live under work/, reports under summaries/, the
 * contacts under config/. Plan needs only the config; the failure email goes to the config's analysts.
 */
const ACCESS: Readonly<Record<string, Access>> = {
  'phase-plan': {},
  // The lake (functions/core/lake): each slice writes its Member's Parquet files under lake/ as it aggregates them.
  'phase-aggregate': { table: 'read', write: [WORK_PREFIX, LAKE_PREFIX] },
  'phase-merge': { read: [WORK_PREFIX], write: [WORK_PREFIX] },
  'phase-analyse': { read: [WORK_PREFIX], write: [WORK_PREFIX] },
  'phase-render': { read: [WORK_PREFIX], write: [SUMMARIES_PREFIX] },
  'phase-store': { table: 'readWrite', read: [SUMMARIES_PREFIX], writes: SUMMARY_ITEM_PREFIXES },
  'phase-alerts': { table: 'readWrite', read: [SUMMARIES_PREFIX, CONFIG_PREFIX], ses: true, writes: ALERT_ITEM_PREFIXES },
  'phase-failure': { ses: true },
};

/** A schedule the construct creates (computed by phaseSchedules, so tests can read the plan without a template). */
export interface PlannedSchedule {
  /** Construct id. */
  readonly id: string;
  readonly mode: 'final' | 'interim';
  readonly phase: number;
  /** `at(...)` or `cron(...)`, evaluated in UTC. */
  readonly expression: string;
  /** Interim only, and only when the phase has not started yet. */
  readonly start?: Date;
  /** Interim only: midnight UTC after the phase's last day. */
  readonly end?: Date;
  /** The execution input; an interim run's asOf is the scheduled time, which the workflow turns into its day. */
  readonly input: { operation: string; phase: number; mode: 'final' | 'interim'; asOf: string };
}

/** The hour (UTC) at which the schedules start the workflow. */
export const SCHEDULE_HOUR_UTC = 6;
/** EventBridge Scheduler's context attribute: the time the schedule fired, e.g. 2022-02-07T06:00:00Z. */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
/**
 * A start date closer than this to the synth is left out: Scheduler refuses a StartDate more than 5 minutes in the
 * past when the deploy comes later, and without one the schedule starts at once (no Monday 06:00 can fall between).
 */
const START_MARGIN_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const midnight = (day: string): Date => new Date(`${day}T00:00:00Z`);
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const atExpression = (d: Date): string => `at(${d.toISOString().slice(0, 19)})`;
export const WEEKLY_EXPRESSION = `cron(0 ${SCHEDULE_HOUR_UTC} ? * MON *)`;

/** The first Monday 06:00 UTC at or after `from`. */
function firstMondayRun(from: Date): Date {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), SCHEDULE_HOUR_UTC));
  if (d < from) d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/**
 * The schedules of an operation still to come at `now`: per phase, a one-time final run the day after its end at
 * 06:00 UTC (asOf that day), and a weekly interim run (Monday 06:00 UTC) from the phase's first day to its last.
 */
export function phaseSchedules(operation: OperationConfig, now: Date): PlannedSchedule[] {
  const out: PlannedSchedule[] = [];
  for (const p of operation.phases) {
    const end = new Date(midnight(p.end).getTime() + DAY_MS); // midnight after the last day
    const firstRun = firstMondayRun(new Date(Math.max(midnight(p.start).getTime(), now.getTime())));
    if (firstRun < end) {
      const start = midnight(p.start);
      out.push({
        id: `InterimPhase${p.phase}`,
        mode: 'interim',
        phase: p.phase,
        expression: WEEKLY_EXPRESSION,
        ...(start.getTime() > now.getTime() + START_MARGIN_MS ? { start } : {}),
        end,
        input: { operation: operation.id, phase: p.phase, mode: 'interim', asOf: SCHEDULED_TIME },
      });
    }
    const at = new Date(end.getTime() + SCHEDULE_HOUR_UTC * 60 * 60 * 1000);
    if (at.getTime() > now.getTime()) {
      out.push({
        id: `FinalPhase${p.phase}`,
        mode: 'final',
        phase: p.phase,
        expression: atExpression(at),
        input: { operation: operation.id, phase: p.phase, mode: 'final', asOf: isoDay(end) },
      });
    }
  }
  return out;
}

export class PhaseClose extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  /** By step name (`phase-plan`, ...). */
  public readonly functions: Readonly<Record<string, PipelineFunction>>;
  /** The role EventBridge Scheduler assumes to start executions. */
  public readonly schedulerRole: iam.Role;
  public readonly schedules: readonly scheduler.Schedule[];
  /** The S3 key of the contacts file (CONTACTS_KEY). */
  public readonly contactsKey: string;
  public readonly failedAlarm: cloudwatch.Alarm;
  public readonly timedOutAlarm: cloudwatch.Alarm;
  public readonly throttledAlarm: cloudwatch.Alarm;
  #portalUrl?: string;

  constructor(scope: Construct, id: string, props: PhaseCloseProps) {
    super(scope, id);
    const { bucket, table, operation } = props;
    this.contactsKey = contactsKeyFor(operation);
    const env = phaseCloseEnv({ bucketName: bucket.bucketName, tableName: table.tableName, operation });

    // The contacts (NCP addresses do not fit in a Lambda environment) are written by the deployment itself.
    const contacts = this.writeContacts(bucket, operation);

    const functions: Record<string, PipelineFunction> = {};
    for (const step of PHASE_STEPS) {
      const fn = this.stepFunction(step, props, env);
      fn.node.addDependency(contacts);
      functions[step.name] = fn;
    }
    this.functions = functions;
    const portal = props.portalUrl ?? operation.portalUrl;
    if (portal) this.linkPortal(portal);
    // The emails link only to the portal: a stack without one would send emails nobody can follow.
    this.node.addValidation({
      validate: () =>
        this.#portalUrl
          ? []
          : [
              "PhaseClose: the alert emails have no portal to link to: set portalUrl (prop or operation config) or call linkPortal with the portal distribution's URL",
            ],
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    const maxConcurrency = props.aggregateMaxConcurrency ?? DEFAULT_AGGREGATE_MAX_CONCURRENCY;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
      throw new Error(`aggregateMaxConcurrency must be a positive integer (got ${maxConcurrency})`);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Phase close of ${operation.name}`,
      definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile ?? PHASE_CLOSE_ASL),
      definitionSubstitutions: phaseCloseSubstitutions((s) => functions[s.name]!.functionArn, maxConcurrency),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: props.includeExecutionData ?? true },
    });
    // The workflow invokes the functions by their unqualified ARN (lambda:invoke with FunctionName): exactly those.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: Object.values(functions).map((f) => f.functionArn) }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Logging to CloudWatch Logs (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ' +
        'ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing ' +
        '(xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level permissions.',
    });

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) =>
      thresholdAlarm(this, alarmId, { metric, threshold: 0, description, topic: props.alarmTopic });
    const period = { period: Duration.minutes(5), statistic: 'Sum' };
    this.failedAlarm = alarm(
      'ExecutionsFailedAlarm',
      this.stateMachine.metricFailed(period),
      'A phase-close run failed (the analysts were emailed the cause): see the execution in the Step Functions console, fix, then run `seizures close-phase --aws` again.',
    );
    this.timedOutAlarm = alarm(
      'ExecutionsTimedOutAlarm',
      this.stateMachine.metricTimedOut(period),
      'A phase-close run took longer than the workflow allows (TimeoutSeconds of workflows/phase-close.asl.json): no report was stored for it.',
    );
    this.throttledAlarm = alarm(
      'ExecutionThrottledAlarm',
      this.stateMachine.metricThrottled(period),
      'Step Functions throttled phase-close state transitions: the account limits are reached; runs are slowed, not lost.',
    );

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: `EventBridge Scheduler starts the phase-close runs of ${operation.name}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const planned = props.schedules === false ? [] : phaseSchedules(operation, props.now ?? new Date());
    this.schedules = planned.map(
      (s) =>
        new scheduler.Schedule(this, s.id, {
          description: `${operation.name}: ${s.mode === 'final' ? 'final close' : 'weekly interim summary'} of phase ${s.phase}`,
          schedule: scheduler.ScheduleExpression.expression(s.expression, TimeZone.ETC_UTC),
          ...(s.start ? { start: s.start } : {}),
          ...(s.end ? { end: s.end } : {}),
          target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
            role: this.schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject(s.input),
          }),
        }),
    );
  }

  /** The portal the alert emails link to, once known. */
  get portalUrl(): string | undefined {
    return this.#portalUrl;
  }

  /**
   * Links the alert emails to the portal at `url` (PORTAL_URL of phase-alerts), unless a portal URL was given already
   * (the operation config's own, e.g. a custom domain, wins over the CloudFront address). Returns the URL in use.
   */
  linkPortal(url: string): string {
    if (!Token.isUnresolved(url) && !/^https:\/\/[^\s/]+/.test(url))
      throw new Error(`PhaseClose: the portal URL must be https (got ${JSON.stringify(url)})`);
    if (this.#portalUrl) return this.#portalUrl;
    this.#portalUrl = url;
    this.functions['phase-alerts']!.addEnvironment('PORTAL_URL', url);
    return url;
  }

  private stepFunction(step: PhaseStep, props: PhaseCloseProps, env: Record<string, string>): PipelineFunction {
    const access = ACCESS[step.name] ?? {};
    const entry = props.entries?.[step.name];
    const fn = new PipelineFunction(this, pascal(step.name), {
      name: step.name,
      ...(entry ? { entry } : {}),
      description: step.description,
      memorySize: step.memorySize,
      timeout: Duration.seconds(step.timeoutSeconds),
      environment: env,
    });
    if (access.table) fn.bindTable(props.table, 'TABLE_NAME', access.table);
    // A function that writes the table writes only its own kinds of item (dynamodb:LeadingKeys), whatever else it holds.
    if (access.table === 'readWrite') confineTableWrites(fn, props.table, access.writes ?? []);
    const read = access.read ?? [];
    const write = access.write ?? [];
    if (read.length || write.length) {
      grantPrefixes(fn, props.bucket, { read, write });
      for (const prefix of new Set([...read, ...write])) {
        const ackId = iam5Resource(props.bucket, `/${prefix}*`);
        if (ackId) {
          Validations.of(fn.role!).acknowledge({
            id: ackId,
            reason: `The ${step.name} function ${read.includes(prefix) && write.includes(prefix) ? 'reads and writes' : write.includes(prefix) ? 'writes' : 'reads'} the objects of the runs under ${prefix}; each run's keys are computed from its input, so the prefix is the scope.`,
          });
        }
      }
    }
    if (access.ses) {
      fn.addToRolePolicy(sesSendStatement(this, props.operation.mailFrom, props.configurationSetName));
      if (props.configurationSetName) fn.addEnvironment('SES_CONFIGURATION_SET', props.configurationSetName);
    }
    return fn;
  }

  /** config/{operation}/contacts.json, put by a custom resource at every deploy that changes it. */
  private writeContacts(bucket: s3.IBucket, operation: OperationConfig): Construct {
    const key = this.contactsKey;
    const call: cr.AwsSdkCall = {
      service: 'S3',
      action: 'PutObject',
      parameters: { Bucket: bucket.bucketName, Key: key, Body: JSON.stringify(contactsOf(operation)), ContentType: 'application/json' },
      physicalResourceId: cr.PhysicalResourceId.of(key),
      // The response (ETag, VersionId) is not needed; keep the custom resource's response small.
      outputPaths: ['ETag'],
    };
    const resource = new cr.AwsCustomResource(this, 'Contacts', {
      resourceType: 'Custom::PhaseCloseContacts',
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(key)] }),
      ]),
    });
    if (bucket.encryptionKey) bucket.encryptionKey.grant(resource, 'kms:GenerateDataKey');
    // The singleton provider function of AwsCustomResource (one per stack).
    const provider = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider (puts the contacts file during deployment) comes with AWSLambdaBasicExecutionRole, " +
          'which only lets it write its own logs.',
      });
    }
    return resource;
  }
}

const pascal = (name: string): string => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
