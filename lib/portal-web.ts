/**
 * The portal's web app on AWS: the Vite build (functions/web/dist) in a private bucket behind CloudFront (origin
 * access control), with the security headers of lib/portal-headers.ts (CSP without inline script, HSTS,
 * frame-ancestors none), the API on the same origin (/api/* to the HTTP API, never cached), and the app's routes
 * (/summaries/2/final) answered with index.html by a CloudFront function, so API 404s stay 404s. The submissions
 * bucket answers CORS for the portal's origin only: the browser POSTs uploads and GETs feedback there directly, the
 * one bucket the CSP lets it reach (by its regional name).
 *
 * The build must exist at synth: when functions/web/dist is missing it is built here (Vite, offline) and synth fails
 * with a clear message if that fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../functions/core/operation/config.ts';
import { ORIGIN_HEADER } from '../functions/core/portal/origin.ts';
import { iam5Resource } from './nag.ts';
import type { PortalApi } from './portal-api.ts';
import { contentSecurityPolicy, HSTS_SECONDS } from './portal-headers.ts';
import type { PortalUsers } from './portal-users.ts';

export const WEB_DIST = resolve(PROJECT_ROOT, 'functions', 'web', 'dist');

export class WebBuildError extends Error {
  override readonly name = 'WebBuildError';
}

export const VITE_CONFIG = resolve(PROJECT_ROOT, 'functions', 'web', 'vite.config.ts');

/** The web app's build folder, built with Vite (offline, a few seconds) when it has no index.html (a fresh clone). */
export function ensureWebDist(dist = WEB_DIST, viteConfig = VITE_CONFIG): string {
  if (existsSync(join(dist, 'index.html'))) return dist;
  // vite's package exports do not include its bin: the file, from node_modules.
  const vite = resolve(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    execFileSync(process.execPath, [vite, 'build', '--config', viteConfig, '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim() || (e as Error).message;
    throw new WebBuildError(
      `the portal web app is not built (${dist} is missing) and building it failed: run \`npm run build:web\` to see why${stderr ? `\n${stderr}` : ''}`,
    );
  }
  if (!existsSync(join(dist, 'index.html')))
    throw new WebBuildError(`the portal web app build wrote no ${join(dist, 'index.html')}: run \`npm run build:web\``);
  return dist;
}

/** App routes (no file extension, not /api/) are the single-page app: index.html. */
const SPA_REWRITE = `function handler(event) {
  var r = event.request;
  if (r.uri.indexOf('/api/') !== 0 && r.uri.lastIndexOf('.') <= r.uri.lastIndexOf('/')) r.uri = '/index.html';
  return r;
}`;

/**
 * The submissions bucket's origin as the browser reaches it: the regional virtual-hosted name that SDK v3 uses for
 * presigned URLs in every region (us-east-1 included), the one origin the CSP lets the app POST and GET to.
 */
export function submissionsOrigin(bucket: s3.IBucket): string {
  const stack = Stack.of(bucket);
  return `https://${bucket.bucketName}.s3.${stack.region}.${stack.urlSuffix}`;
}

export interface PortalWebProps {
  readonly users: PortalUsers;
  readonly api: PortalApi;
  /** The submissions bucket: gets a CORS rule for the portal's origin (presigned POST and GET from the browser). */
  readonly submissions: s3.IBucket;
  /** Where the web bucket's server access logs go (the storage's access log bucket). */
  readonly accessLogBucket: s3.IBucket;
  /** @default functions/web/dist, built if missing */
  readonly webDist?: string;
  /** CloudFront price class. @default PRICE_CLASS_ALL (Members on every continent) */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * A WAF web ACL for the distribution (scope CLOUDFRONT, so created in us-east-1, e.g. with a rate-based rule per IP;
   * README "The portal on AWS"): its ARN.
   * @default none: every API route needs a Cognito token, the API answers CloudFront only and is throttled per route
   */
  readonly webAclArn?: string;
}

export class PortalWeb extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PortalWebProps) {
    super(scope, id);
    const dist = props.webDist ?? ensureWebDist();
    const stack = Stack.of(this);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'portal-web/',
    });

    // Sign-in goes to Cognito; uploads and feedback downloads to the submissions bucket, by the regional
    // virtual-hosted name the portal function's SDK signs (BUCKET.s3.REGION.amazonaws.com), and to no other bucket.
    const csp = contentSecurityPolicy({
      connect: [`https://cognito-idp.${stack.region}.${stack.urlSuffix}`, submissionsOrigin(props.submissions)],
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Portal: CSP without inline script, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_SECONDS), includeSubdomains: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });
    const spa = new cloudfront.Function(this, 'SpaRoutes', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'App routes to index.html',
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Seizure reports portal',
      defaultRootObject: 'index.html',
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spa, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          // The secret header makes the API answer CloudFront only (a dynamic reference: resolved at deploy).
          origin: new origins.HttpOrigin(props.api.domainName, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            customHeaders: { [ORIGIN_HEADER]: props.api.originSecret.secretValue.unsafeUnwrap() },
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    this.submissionsCors(props.submissions);

    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [
        s3deploy.Source.asset(dist),
        s3deploy.Source.jsonData('config.json', {
          region: stack.region,
          userPoolId: props.users.userPool.userPoolId,
          clientId: props.users.client.userPoolClientId,
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });

    const nag: [Construct, string, string][] = [
      [
        this.distribution,
        'AwsSolutions-CFR1',
        'The portal serves the participating Members of a global operation (160 administrations): no country is excluded.',
      ],
      ...(props.webAclArn
        ? []
        : [
            [
              this.distribution,
              'AwsSolutions-CFR2',
              'No WAF web ACL unless webAclArn is given (it must live in us-east-1): every API route needs a Cognito token (checked by the JWT authorizer and again by the function), the API answers CloudFront only and is throttled per route, and the static files are public by nature.',
            ] as [Construct, string, string],
          ]),
      [
        this.distribution,
        'AwsSolutions-CFR3',
        "No CloudFront standard logs: they need an ACL-enabled bucket, which this project does not create; every API request is in the HTTP API's access log and the function's log.",
      ],
      [
        this.distribution,
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate, whose security policy CloudFront fixes (a minimum protocol needs a custom certificate); with a custom domain, set TLSv1.2_2021.',
      ],
    ];
    for (const [c, id2, reason] of nag) Validations.of(c).acknowledge({ id: id2, reason });
    this.acknowledgeDeploymentHandler(deployment);
  }

  /**
   * The submissions bucket's CORS rule for the portal's origin, set once the distribution exists (PutBucketCors, a
   * CDK AwsCustomResource) rather than on the bucket: the CSP pins the bucket by name, so the bucket resource naming
   * the distribution as well would be a dependency cycle (bucket -> distribution -> headers policy -> bucket).
   */
  private submissionsCors(bucket: s3.IBucket): void {
    const cors = {
      CORSRules: [
        {
          AllowedOrigins: [this.url],
          AllowedMethods: ['POST', 'GET', 'HEAD'],
          AllowedHeaders: ['*'],
          ExposeHeaders: ['ETag'],
          MaxAgeSeconds: 3000,
        },
      ],
    };
    const put: cr.AwsSdkCall = {
      service: 'S3',
      action: 'putBucketCors',
      parameters: { Bucket: bucket.bucketName, CORSConfiguration: cors },
      physicalResourceId: cr.PhysicalResourceId.of(`${bucket.bucketName}-portal-cors`),
    };
    const resource = new cr.AwsCustomResource(this, 'SubmissionsCors', {
      onCreate: put,
      onUpdate: put,
      onDelete: {
        service: 'S3',
        action: 'deleteBucketCors',
        parameters: { Bucket: bucket.bucketName },
        ignoreErrorCodesMatching: 'NoSuchBucket',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [bucket.bucketArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    resource.node.addDependency(this.distribution);
    const stack = Stack.of(this);
    const handler = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    const what = "CDK's AwsCustomResource handler (deploy time only; sets the submissions bucket's CORS rule; role written by CDK)";
    const acks: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${what}: writes its own logs.`,
      ],
    ];
    for (const [id, reason] of acks) Validations.of(handler ?? resource).acknowledge({ id, reason });
  }

  /**
   * The findings on CDK's BucketDeployment handler: a singleton of the stack whose role and policy CDK writes (not
   * configurable), run at deploy time only, copying the build from CDK's asset bucket into the web bucket.
   */
  private acknowledgeDeploymentHandler(_deployment: s3deploy.BucketDeployment): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) return;
    // cdk-nag renders pseudo parameters as <AWS::...> and a concrete environment as is.
    const concrete = (v: string, pseudo: string) => (Token.isUnresolved(v) ? `<${pseudo}>` : v);
    const what = "CDK's BucketDeployment handler (deploy time only; role and policy written by CDK, not configurable)";
    const acks: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${what}: writes its own logs.`,
      ],
      ['AwsSolutions-L1', `${what}: its Lambda runtime is chosen by CDK.`],
      ['AwsSolutions-IAM5[Action::s3:GetBucket*]', `${what}: reads the build from the CDK asset bucket.`],
      ['AwsSolutions-IAM5[Action::s3:GetObject*]', `${what}: reads the build from the CDK asset bucket.`],
      ['AwsSolutions-IAM5[Action::s3:List*]', `${what}: lists the asset and the web bucket to sync them.`],
      ['AwsSolutions-IAM5[Action::s3:Abort*]', `${what}: writes the web bucket, multipart uploads included.`],
      ['AwsSolutions-IAM5[Action::s3:DeleteObject*]', `${what}: prunes files of an earlier build from the web bucket.`],
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${concrete(stack.account, 'AWS::AccountId')}-${concrete(stack.region, 'AWS::Region')}/*]`,
        `${what}: the build is a CDK asset in the bootstrap bucket.`,
      ],
      ['AwsSolutions-IAM5[Resource::*]', `${what}: cloudfront:CreateInvalidation has no resource-level permissions.`],
    ];
    const web = iam5Resource(this.bucket, '/*');
    if (web) acks.push([web, `${what}: writes any file of the build into the web bucket (static files only).`]);
    for (const [id, reason] of acks) Validations.of(handler).acknowledge({ id, reason });
  }
}
