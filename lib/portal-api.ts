/**
 * The portal's API: an HTTP API (API Gateway v2) whose routes (ANY /api/{proxy+}, and the writes and costly reads on
 * their own for their own throttles, PORTAL_ROUTE_THROTTLES) need a Cognito ID token (JWT authorizer on the pool) and
 * answer CloudFront only (a secret origin header, checked by the function first) and go to the portal function (functions/portal/, a thin adapter over
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
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
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
  /** Requests per second of every route without its own limit (steady, burst). @default { rate: 50, burst: 100 } */
  readonly throttle?: Throttle;
  /**
   * Whether analysts must have TOTP turned on (functions/core/portal/mfa.ts): Cognito cannot require MFA of one group,
   * so the API does (403 `mfa-required` until they turn it on from the portal).
   * @default true
   */
  readonly analystMfa?: boolean;
  /** Limits of single routes, over PORTAL_ROUTE_THROTTLES (keys as there, e.g. 'POST /api/uploads'). */
  readonly routeThrottles?: Readonly<Record<string, Throttle>>;
}

export interface Throttle {
  readonly rate: number;
  readonly burst: number;
}

/**
 * Per-route limits (requests per second, across all callers): the writes and the expensive reads get their own,
 * far below the API's default, so that one caller hammering one of them cannot use up what the others need. Each is
 * a route of its own in API Gateway (with the same authorizer and function); the catch-all ANY /api/{proxy+} keeps
 * the default, and unknown paths still answer 401 before 404.
 */
export const PORTAL_ROUTE_THROTTLES: Readonly<Record<string, Throttle>> = {
  'POST /api/uploads': { rate: 10, burst: 20 },
  'POST /api/nil-returns': { rate: 5, burst: 10 },
  'POST /api/phase-close': { rate: 1, burst: 2 },
  'GET /api/template': { rate: 5, burst: 10 },
  'GET /api/lineage': { rate: 10, burst: 20 },
};

export class PortalApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly function: PipelineFunction;
  public readonly accessLogs: logs.LogGroup;
  /**
   * The value CloudFront sends in the `x-origin-verify` header (functions/core/portal/origin.ts): generated at
   * deploy, read by the function; a request without it (the default execute-api endpoint, around CloudFront) is 403.
   */
  public readonly originSecret: secretsmanager.Secret;

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
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `The header CloudFront adds to the portal API's requests (${props.operation.name}): the API answers CloudFront only`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.originSecret.grantRead(this.function);
    this.function.addEnvironment('ORIGIN_SECRET_ARN', this.originSecret.secretArn);
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Not rotated automatically: CloudFront's origin header holds the value and only a stack update changes it; rotate by updating the stack with a new generated value (README). The secret authenticates CloudFront to the API only; every route still needs a Cognito token.",
    });
    // Analysts need TOTP: the function asks the pool whether the caller turned it on.
    if (props.analystMfa === false) this.function.addEnvironment('ANALYSTS_REQUIRE_MFA', 'false');
    else props.users.userPool.grant(this.function, 'cognito-idp:AdminGetUser');
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
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttle.rate, burstLimit: throttle.burst },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(this.accessLogs) },
    });
    const integration = new HttpLambdaIntegration('Portal', this.function);
    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.users.userPool, { userPoolClients: [props.users.client] });
    const routes = this.api.addRoutes({ path: '/api/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration, authorizer });
    const limits = { ...PORTAL_ROUTE_THROTTLES, ...props.routeThrottles };
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const [key, limit] of Object.entries(limits)) {
      const [method, path] = key.split(' ') as [apigwv2.HttpMethod, string];
      routes.push(...this.api.addRoutes({ path, methods: [method], integration, authorizer }));
      routeSettings[key] = { ThrottlingRateLimit: limit.rate, ThrottlingBurstLimit: limit.burst };
    }
    // Route settings name routes that must exist when the stage is updated.
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = routeSettings;
    for (const r of routes) stage.node.addDependency(r);
  }

  /** The API's host name, for CloudFront's origin. */
  public get domainName(): string {
    return `${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }
}
