/**
 * The ingestion stack of one operation: storage, ingestion, access roles and the alarms topic. Its outputs are the
 * contract with the CLI's `--aws` mode, which reads them by name: keep BucketName, TableName, QueueUrl, DlqUrl,
 * AnalystRoleArn and PhaseCloseStateMachineArn (and SmokeTests, read by `seizures smoke --aws`); MemberUploaderRoleArn
 * exists only when a principal is configured to assume that role (memberAccess.assumedBy).
 */
import { CfnOutput, Stack, Token, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { Ingestion, type IngestionProps } from './ingestion.ts';
import { Mail, type MailProps } from './mail.ts';
import { MemberAccess, type MemberAccessProps } from './member-access.ts';
import { PhaseClose, type PhaseCloseProps } from './phase-close.ts';
import { PortalApi, type PortalApiProps } from './portal-api.ts';
import { PortalUsers, type PortalUsersProps } from './portal-users.ts';
import { PortalWeb, type PortalWebProps } from './portal-web.ts';
import { SeizureStorage, type SeizureStorageProps } from './storage.ts';

export interface SeizurePipelineStackProps extends StackProps {
  /** The operation (cdk.json context `operation`, parsed). */
  readonly operation: OperationConfig;
  /** @default SeizureStorage's defaults */
  readonly storage?: SeizureStorageProps;
  /** @default Ingestion's defaults */
  readonly ingestion?: Omit<IngestionProps, 'bucket' | 'table' | 'operation' | 'alarmTopic'>;
  /**
   * Who may assume MemberUploader (SAML or CLI access; Member officers without AWS identities use the portal), and
   * the Analyst trust. The `member` tag is always pinned to the operation's Member codes, and an IAM principal may
   * only ask for its own `member` tag (lib/member-access.ts).
   * @default no MemberUploader role (and no MemberUploaderRoleArn output): nobody is trusted without being named
   */
  readonly memberAccess?: Partial<Omit<MemberAccessProps, 'bucket' | 'table' | 'memberCodes'>>;
  /** @default PhaseClose's defaults (the schedules still to come at synth time) */
  readonly phaseClose?: Omit<PhaseCloseProps, 'bucket' | 'table' | 'operation' | 'alarmTopic'>;
  /** The Member portal (user pool, HTTP API, web app behind CloudFront). @default each construct's defaults */
  readonly portal?: {
    readonly users?: Omit<PortalUsersProps, 'operation'>;
    readonly api?: Pick<PortalApiProps, 'throttle' | 'routeThrottles' | 'analystMfa'>;
    readonly web?: Pick<PortalWebProps, 'webDist' | 'priceClass' | 'webAclArn'>;
  };
  /**
   * SES for the alerts (identity of mailFrom's domain, configuration set, bounce and complaint handling); false: none
   * (the functions then send with whatever identity was verified by hand).
   * @default Mail's defaults: DKIM records as outputs, none created in DNS
   */
  readonly mail?: Omit<MailProps, 'mailFrom' | 'table' | 'topic' | 'topicKey'> | false;
  /**
   * Addresses subscribed to the alarms topic (each gets a confirmation email on the first deploy).
   * @default the operation's analysts
   */
  readonly alarmEmails?: readonly string[];
}

/** The stack's name for an operation: one stack per operation, side by side in an account. */
export const stackNameFor = (operation: Pick<OperationConfig, 'id'>): string => `SeizurePipeline-${operation.id}`;

export class SeizurePipelineStack extends Stack {
  public readonly storage: SeizureStorage;
  public readonly ingestion: Ingestion;
  public readonly access: MemberAccess;
  public readonly phaseClose: PhaseClose;
  public readonly alarmTopic: sns.Topic;
  /** Undefined when the `mail` prop is false. */
  public readonly mail?: Mail;
  public readonly portalUsers: PortalUsers;
  public readonly portalApi: PortalApi;
  public readonly portalWeb: PortalWeb;

  constructor(scope: Construct, id: string, props: SeizurePipelineStackProps) {
    super(scope, id, props);
    const { operation } = props;

    // CloudWatch cannot use the AWS managed aws/sns key, so the topic gets a customer managed key that CloudWatch may use.
    const alarmsKey = new kms.Key(this, 'AlarmsKey', {
      description: `Encrypts the alarms topic of ${operation.name}`,
      enableKeyRotation: true,
    });
    alarmsKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: `${operation.name}: pipeline alarms`,
      masterKey: alarmsKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    for (const email of props.alarmEmails ?? operation.analysts) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.storage = new SeizureStorage(this, 'Storage', props.storage);
    this.ingestion = new Ingestion(this, 'Ingestion', {
      ...props.ingestion,
      bucket: this.storage.bucket,
      table: this.storage.table,
      operation,
      alarmTopic: this.alarmTopic,
    });
    this.access = new MemberAccess(this, 'Access', {
      // No default trust: without memberAccess.assumedBy there is no MemberUploader role (README "Member access").
      ...props.memberAccess,
      memberCodes: operation.members.map((m) => m.code),
      bucket: this.storage.bucket,
      table: this.storage.table,
    });
    if (props.mail !== false) {
      this.mail = new Mail(this, 'Mail', {
        ...props.mail,
        mailFrom: operation.mailFrom,
        table: this.storage.table,
        topic: this.alarmTopic,
        topicKey: alarmsKey,
      });
    }
    this.phaseClose = new PhaseClose(this, 'PhaseClose', {
      ...(this.mail ? { configurationSetName: this.mail.configurationSet.configurationSetName } : {}),
      ...props.phaseClose,
      bucket: this.storage.bucket,
      table: this.storage.table,
      operation,
      alarmTopic: this.alarmTopic,
    });
    // Analysts run a phase close by hand (`seizures close-phase --aws`) and follow its executions.
    this.access.grantStartExecution(this.phaseClose.stateMachine);
    // The finding names the ARN as cdk-nag renders it: pseudo parameters as <AWS::...>, a concrete env as is.
    const smLogicalId = this.getLogicalId(this.phaseClose.stateMachine.node.defaultChild as CfnElement);
    const arnPart = (v: string, pseudo: string) => (Token.isUnresolved(v) ? `<${pseudo}>` : v);
    Validations.of(this.access.analystRole).acknowledge({
      id:
        `AwsSolutions-IAM5[Resource::arn:${arnPart(this.partition, 'AWS::Partition')}:states:${arnPart(this.region, 'AWS::Region')}:` +
        `${arnPart(this.account, 'AWS::AccountId')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${smLogicalId}"}]}]}:*]`,
      reason:
        'Analysts follow any execution of the phase-close workflow (DescribeExecution, GetExecutionHistory): executions of that one state machine only.',
    });
    Validations.of(this.access.analystRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Read access to a workflow (CDK's grantRead) includes states:ListActivities, DescribeStateMachine and DescribeActivity on *; read-only, and ListActivities has no resource-level permissions.",
    });

    // The Member portal: Cognito sign-in, the HTTP API, the web app on CloudFront (lib/portal-*.ts).
    this.portalUsers = new PortalUsers(this, 'PortalUsers', { ...props.portal?.users, operation });
    this.portalApi = new PortalApi(this, 'PortalApi', {
      ...props.portal?.api,
      operation,
      users: this.portalUsers,
      bucket: this.storage.bucket,
      table: this.storage.table,
      phaseClose: this.phaseClose.stateMachine,
    });
    this.portalWeb = new PortalWeb(this, 'PortalWeb', {
      ...props.portal?.web,
      users: this.portalUsers,
      api: this.portalApi,
      submissions: this.storage.bucket,
      accessLogBucket: this.storage.accessLogBucket,
    });

    const outputs: Record<string, [string, string]> = {
      BucketName: [this.storage.bucket.bucketName, 'Submissions bucket: incoming/{member}/, feedback/{member}/, summaries/'],
      TableName: [this.storage.table.tableName, 'Records table (keys in functions/core/store/table.ts)'],
      QueueUrl: [this.ingestion.queue.queueUrl, 'Ingest queue (S3 ObjectCreated events)'],
      DlqUrl: [this.ingestion.deadLetterQueue.queueUrl, 'Dead-letter queue of the ingest queue and function'],
      AnalystRoleArn: [this.access.analystRole.roleArn, 'Read-only role of the operation analysts'],
      PhaseCloseStateMachineArn: [
        this.phaseClose.stateMachine.stateMachineArn,
        'Phase-close workflow (seizures close-phase --aws starts it)',
      ],
      PortalUrl: [this.portalWeb.url, 'The Member portal (sign in, upload, feedback, summaries)'],
      UserPoolId: [this.portalUsers.userPool.userPoolId, 'Portal users (seizures users add --aws)'],
      UserPoolClientId: [this.portalUsers.client.userPoolClientId, "The portal web app's Cognito app client"],
      PortalApiUrl: [this.portalApi.api.apiEndpoint, 'The portal HTTP API (behind CloudFront at /api/*)'],
    };
    if (this.access.memberUploaderRole) {
      outputs.MemberUploaderRoleArn = [
        this.access.memberUploaderRole.roleArn,
        'Role a Member assumes with the session tag member={code} (only when memberAccess.assumedBy is configured)',
      ];
    }
    outputs.SmokeTests = [
      String(operation.smokeTests === true),
      'Whether `seizures smoke --aws` may run here (operation config smokeTests)',
    ];
    if (this.mail) {
      outputs.MailIdentity = [this.mail.domain, 'SES domain identity of mailFrom (verified once its DKIM records resolve)'];
      outputs.MailConfigurationSet = [
        this.mail.configurationSet.configurationSetName,
        'SES configuration set the alert and failure emails use',
      ];
      this.mail.dkimRecords.forEach((r, i) => {
        outputs[`DkimRecord${i + 1}`] = [
          `${r.name} CNAME ${r.value}`,
          `DKIM record ${i + 1} of 3 for ${this.mail!.domain} (created when a hosted zone is given)`,
        ];
      });
    }
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }
}
