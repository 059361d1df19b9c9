/**
 * The portal's API: an HTTP API (API Gateway v2) whose one route, ANY /api/{proxy+}, needs a Cognito ID token (JWT
 * authorizer on the pool) and goes to the portal function (functions/portal/, a thin adapter over
 * functions/core/portal/, which verifies the token again with the same code that runs locally). The function signs
 * presigned POSTs under incoming/ (the key it chose) and presigned GETs of feedback/, reads summaries/ and the table,
 * and may start the phase-close workflow.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OperationConfig } from '../functions/core/operation/config.ts';
import { NIL_RETURN_PK_PREFIX } from '../functions/core/operation/nil-return.ts';
import { FEEDBACK_PREFIX, INCOMING_PREFIX, SUMMARIES_PREFIX } from '../functions/core/operation/layout.ts';
import { iam5Resource } from './nag.ts';
import { operationConfigEnv } from '../functions/core/contracts/operation-env.ts';
import type { PortalUsers } from './portal-users.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { grantPrefixes } from './s3-grants.ts';

export interface PortalApiProps {
  readonly operation: OperationConfig;
  readonly users: PortalUsers;
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** The phase-close workflow analysts may start from the portal. @default - not startable from the portal */
  readonly phaseClose?: sfn.IStateMachine;
  /** Requests per second across the API (steady, burst). @default { rate: 50, burst: 100 } */
  readonly throttle?: { readonly rate: number; readonly burst: number };
}

export class PortalApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly function: PipelineFunction;
  public readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PortalApiProps) {
    super(scope, id);
    this.function = new PipelineFunction(this, 'Function', {
      name: 'portal',
      description: 'Portal API: uploads (presigned POST), submissions, summaries, lineage',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        OPERATION_CONFIG: operationConfigEnv(props.operation),
        USER_POOL_ISSUER: props.users.issuer,
        USER_POOL_CLIENT_ID: props.users.client.userPoolClientId,
        BUCKET_NAME: props.bucket.bucketName,
      },
    });
    this.function.bindTable(props.table, 'TABLE_NAME', 'read');
    // Its one table write: a Member's nil return (POST /api/nil-returns), a PutItem on the NILRETURN# items only.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RecordsNilReturnsOnly',
        actions: ['dynamodb:PutItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${NIL_RETURN_PK_PREFIX}*`] } },
      }),
    );
    // The presigned URLs carry the function's own permissions: PutObject under incoming/, GetObject of feedback/.
    grantPrefixes(this.function, props.bucket, { read: [FEEDBACK_PREFIX, SUMMARIES_PREFIX], write: [INCOMING_PREFIX] });
    const acks: Record<string, string> = {
      [`${INCOMING_PREFIX}*`]:
        "Signs presigned POSTs for uploads under incoming/{member}/; the key is chosen by the function from the caller's verified Member claim, and S3 enforces the POST policy.",
      [`${FEEDBACK_PREFIX}*`]:
        "Signs presigned GETs of a submission's feedback for the Member who owns it (checked against the record) or an analyst.",
      [`${SUMMARIES_PREFIX}*`]:
        'Reads the phase summaries (NCP version for Members, analysts version for analysts) to serve them; read actions only.',
    };
    for (const [suffix, reason] of Object.entries(acks)) {
      const ackId = iam5Resource(props.bucket, `/${suffix}`);
      if (ackId && this.function.role) Validations.of(this.function.role).acknowledge({ id: ackId, reason });
    }
    if (props.phaseClose) {
      this.function.addEnvironment('STATE_MACHINE_ARN', props.phaseClose.stateMachineArn);
      props.phaseClose.grantStartExecution(this.function);
    }

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: `Portal API of ${props.operation.name}`,
      createDefaultStage: false,
      // Same origin as the web app (CloudFront /api/*): no CORS.
    });
    const throttle = props.throttle ?? { rate: 50, burst: 100 };
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttle.rate, burstLimit: throttle.burst },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(this.accessLogs) },
    });
    this.api.addRoutes({
      path: '/api/{proxy+}',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Portal', this.function),
      authorizer: new HttpUserPoolAuthorizer('Cognito', props.users.userPool, { userPoolClients: [props.users.client] }),
    });
  }

  /** The API's host name, for CloudFront's origin. */
  public get domainName(): string {
    return `${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }
}
