/**
 * The portal's constructs (lib/portal-users.ts, portal-api.ts, portal-web.ts) in a synthesized stack: the user pool's
 * rules, the JWT-protected API and what its function may touch, CloudFront with origin access control and the
 * security headers, the submissions bucket's CORS for the portal only; and the web build at synth.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, test, vi } from 'vitest';
import { PORTAL_ROUTE_THROTTLES, PortalApi } from '../../lib/portal-api.ts';
import { PortalUsers } from '../../lib/portal-users.ts';
import { ensureWebDist, PortalWeb, WebBuildError } from '../../lib/portal-web.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { actionsOf, logicalId, OPERATION, resourcesOf, statementsOfRole, testApp, type Statement } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

describe('the portal constructs', () => {
  let t: Template;
  let users: PortalUsers;
  let api: PortalApi;
  let web: PortalWeb;
  let storage: SeizureStorage;
  let fnStatements: Statement[];

  beforeAll(() => {
    const stack = new Stack(testApp(), 'Portal');
    storage = new SeizureStorage(stack, 'Storage');
    const machine = new sfn.StateMachine(stack, 'PhaseClose', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
    });
    users = new PortalUsers(stack, 'Users', { operation: OPERATION });
    api = new PortalApi(stack, 'Api', { operation: OPERATION, users, bucket: storage.bucket, table: storage.table, phaseClose: machine });
    web = new PortalWeb(stack, 'Web', { users, api, submissions: storage.bucket, accessLogBucket: storage.accessLogBucket });
    t = Template.fromStack(stack);
    fnStatements = statementsOfRole(t, logicalId(api.function.role!));
  });

  test('the user pool: email sign-in, no self sign-up, immutable custom:member, strong passwords, optional TOTP, threat protection', () => {
    const pool = t.findResources('AWS::Cognito::UserPool')[logicalId(users.userPool)]!.Properties;
    assert.deepEqual(pool.UsernameAttributes, ['email']);
    assert.equal(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly, true);
    const member = pool.Schema.find((s: { Name: string }) => s.Name === 'member');
    assert.equal(member.Mutable, false);
    assert.deepEqual(member.StringAttributeConstraints, { MinLength: '2', MaxLength: '2' });
    assert.deepEqual(pool.Policies.PasswordPolicy, {
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
    });
    assert.equal(pool.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(pool.EnabledMfas, ['SOFTWARE_TOKEN_MFA']);
    assert.equal(pool.UserPoolAddOns.AdvancedSecurityMode, 'ENFORCED');
    assert.equal(pool.UserPoolTier, 'PLUS');
    t.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'analysts' });
  });

  test('the app client: no secret, no OAuth, may read custom:member and never write it', () => {
    const client = t.findResources('AWS::Cognito::UserPoolClient')[logicalId(users.client)]!.Properties;
    assert.equal(client.GenerateSecret, false);
    assert.ok(client.ExplicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH'));
    assert.ok(client.ReadAttributes.includes('custom:member'));
    assert.ok(!client.WriteAttributes.some((a: string) => a.startsWith('custom:')), JSON.stringify(client.WriteAttributes));
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, false);
    // Refresh tokens: never used by the app, revocable, and as short-lived as Cognito allows (60 minutes).
    assert.equal(client.EnableTokenRevocation, true);
    assert.equal(client.RefreshTokenValidity, 60);
    assert.equal(client.TokenValidityUnits.RefreshToken, 'minutes');
  });

  test('the API: every route behind a JWT authorizer on the pool, a throttled stage with access logs, per-route throttles', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    assert.deepEqual(routes.map((r) => [r.RouteKey, r.AuthorizationType]).sort(), [
      ['ANY /api/{proxy+}', 'JWT'],
      ['GET /api/lineage', 'JWT'],
      ['GET /api/template', 'JWT'],
      ['POST /api/nil-returns', 'JWT'],
      ['POST /api/phase-close', 'JWT'],
      ['POST /api/uploads', 'JWT'],
    ]);
    // One authorizer and one integration for all of them.
    assert.equal(new Set(routes.map((r) => JSON.stringify(r.AuthorizerId))).size, 1);
    assert.equal(new Set(routes.map((r) => JSON.stringify(r.Target))).size, 1);
    const [auth] = Object.values(t.findResources('AWS::ApiGatewayV2::Authorizer')).map((r) => r.Properties);
    assert.equal(auth.AuthorizerType, 'JWT');
    assert.deepEqual(auth.JwtConfiguration.Audience, [{ Ref: logicalId(users.client) }]);
    assert.match(JSON.stringify(auth.JwtConfiguration.Issuer), /cognito-idp/);
    const [stage] = Object.values(t.findResources('AWS::ApiGatewayV2::Stage')).map((r) => r.Properties);
    assert.equal(stage.StageName, '$default');
    assert.ok(stage.AccessLogSettings.DestinationArn);
    assert.deepEqual(stage.DefaultRouteSettings, { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    assert.deepEqual(stage.RouteSettings['POST /api/uploads'], { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    assert.deepEqual(stage.RouteSettings['POST /api/phase-close'], { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2 });
    assert.deepEqual(Object.keys(stage.RouteSettings).sort(), Object.keys(PORTAL_ROUTE_THROTTLES).sort());
    // Every route a setting names exists before the stage is updated.
    const [stageId] = Object.keys(t.findResources('AWS::ApiGatewayV2::Stage'));
    const dependsOn = t.toJSON().Resources[stageId!].DependsOn as string[];
    for (const id of Object.keys(t.findResources('AWS::ApiGatewayV2::Route'))) assert.ok(dependsOn.includes(id), id);
  });

  test('the API answers CloudFront only: a generated secret in an origin header, read by the function', () => {
    const [secretId, secret] = Object.entries(t.findResources('AWS::SecretsManager::Secret'))[0]!;
    assert.equal(secret.Properties.GenerateSecretString.PasswordLength, 48);
    const fn = t.findResources('AWS::Lambda::Function')[logicalId(api.function)]!.Properties;
    assert.deepEqual(fn.Environment.Variables.ORIGIN_SECRET_ARN, { Ref: secretId });
    assert.deepEqual(resourcesOf(fnStatements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!), [`<${secretId}>`]);
    const dist = t.findResources('AWS::CloudFront::Distribution')[logicalId(web.distribution)]!.Properties.DistributionConfig;
    const apiOrigin = dist.Origins.find((o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig);
    assert.deepEqual(apiOrigin.OriginCustomHeaders, [
      {
        HeaderName: 'x-origin-verify',
        HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
      },
    ]);
    // No web ACL unless one is given (it lives in us-east-1).
    assert.equal(dist.WebACLId, undefined);
  });

  test('a WAF web ACL given by ARN is attached to the distribution', () => {
    const stack = new Stack(testApp(), 'PortalWaf');
    const st = new SeizureStorage(stack, 'Storage');
    const u = new PortalUsers(stack, 'Users', { operation: OPERATION });
    const a = new PortalApi(stack, 'Api', { operation: OPERATION, users: u, bucket: st.bucket, table: st.table });
    const arn = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/portal/abc';
    const w = new PortalWeb(stack, 'Web', {
      users: u,
      api: a,
      submissions: st.bucket,
      accessLogBucket: st.accessLogBucket,
      webAclArn: arn,
    });
    const dist = Template.fromStack(stack).findResources('AWS::CloudFront::Distribution')[logicalId(w.distribution)]!;
    assert.equal(dist.Properties.DistributionConfig.WebACLId, arn);
  });

  test("the function: the pool's issuer and client, writes only under incoming/, reads feedback/ and summaries/, starts the phase close", () => {
    const fn = t.findResources('AWS::Lambda::Function')[logicalId(api.function)]!.Properties;
    for (const k of ['USER_POOL_ISSUER', 'USER_POOL_CLIENT_ID', 'OPERATION_CONFIG', 'TABLE_NAME', 'BUCKET_NAME', 'STATE_MACHINE_ARN'])
      assert.ok(fn.Environment.Variables[k], k);
    const bucket = `<${logicalId(storage.bucket)}.Arn>`;
    const writes = fnStatements.filter((s) => actionsOf(s).includes('s3:PutObject')).flatMap(resourcesOf);
    assert.deepEqual(writes, [`${bucket}/incoming/*`]);
    const reads = fnStatements
      .filter((s) => actionsOf(s).includes('s3:GetObject'))
      .flatMap(resourcesOf)
      .sort();
    assert.deepEqual(reads, [`${bucket}/feedback/*`, `${bucket}/summaries/*`]);
    // The one table write: PutItem of a nil return, confined to the NILRETURN# items.
    const nilReturnLeading = (s: { Condition?: Record<string, Record<string, unknown>> }) =>
      JSON.stringify(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) === JSON.stringify(['NILRETURN#*']);
    const tableWrites = fnStatements.filter((s) => actionsOf(s).some((a) => /dynamodb:(Put|Update|BatchWrite)/.test(a)));
    assert.equal(tableWrites.length, 1);
    assert.deepEqual(actionsOf(tableWrites[0]!), ['dynamodb:PutItem']);
    assert.ok(nilReturnLeading(tableWrites[0]!), JSON.stringify(tableWrites[0]));
    const all = fnStatements.filter((s) => !tableWrites.includes(s)).flatMap(actionsOf);
    assert.ok(!all.some((a) => /Delete|dynamodb:(Put|Update|BatchWrite)/.test(a)), all.join(' '));
    assert.ok(all.includes('states:StartExecution'));
    // Whether an analyst turned TOTP on: AdminGetUser on the portal's pool, and nothing else of Cognito.
    const cognito = fnStatements.filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    assert.deepEqual(cognito.flatMap(actionsOf), ['cognito-idp:AdminGetUser']);
    assert.deepEqual(cognito.flatMap(resourcesOf), [`<${logicalId(users.userPool)}.Arn>`]);
  });

  test('CloudFront: the private bucket through origin access control, /api/* uncached to the API, app routes rewritten by a function', () => {
    const dist = t.findResources('AWS::CloudFront::Distribution')[logicalId(web.distribution)]!.Properties.DistributionConfig;
    assert.ok(
      dist.Origins.some((o: { OriginAccessControlId?: unknown; S3OriginConfig?: unknown }) => o.OriginAccessControlId && o.S3OriginConfig),
    );
    const apiBehaviour = dist.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    assert.equal(apiBehaviour.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    assert.deepEqual([...apiBehaviour.AllowedMethods].sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    assert.equal(dist.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.equal(dist.DefaultCacheBehavior.FunctionAssociations[0].EventType, 'viewer-request');
    const bucket = t.findResources('AWS::S3::Bucket')[logicalId(web.bucket)]!.Properties;
    assert.deepEqual(bucket.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === logicalId(web.bucket))!
      .Properties.PolicyDocument;
    assert.ok(
      policy.Statement.some(
        (s: { Principal?: { Service?: string }; Condition?: object }) =>
          s.Principal?.Service === 'cloudfront.amazonaws.com' && JSON.stringify(s.Condition).includes('AWS:SourceArn'),
      ),
    );
  });

  test('security headers: a CSP without inline script, HSTS, frame-ancestors none, DENY framing', () => {
    const [policy] = Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy')).map(
      (r) => r.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig,
    );
    const csp = JSON.stringify(policy.ContentSecurityPolicy.ContentSecurityPolicy);
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self' https:\/\/cognito-idp\./);
    // The submissions bucket by name and region, and no wildcard: no other bucket is reachable from the app.
    assert.doesNotMatch(csp, /\*/);
    const bucketRef = `{"Ref":"${logicalId(storage.bucket)}"}`;
    for (const directive of ['connect-src', 'form-action']) {
      const at = csp.indexOf(directive);
      assert.ok(at >= 0, directive);
      const rest = csp.slice(at, csp.indexOf(';', at));
      assert.ok(rest.includes(`https://",${bucketRef},".s3.`), `${directive}: ${rest}`);
    }
    assert.equal(policy.StrictTransportSecurity.AccessControlMaxAgeSec, 63_072_000);
    assert.equal(policy.FrameOptions.FrameOption, 'DENY');
    assert.equal(policy.ContentTypeOptions.Override, true);
  });

  test("the submissions bucket answers CORS for the portal's origin only; the app's config and build are deployed", () => {
    // Set once the distribution exists (a custom resource: on the bucket it would be a cycle with the pinned CSP).
    const bucket = t.findResources('AWS::S3::Bucket')[logicalId(storage.bucket)]!.Properties;
    assert.equal(bucket.CorsConfiguration, undefined);
    const [cors] = Object.values(t.findResources('Custom::AWS'));
    const create = JSON.stringify(cors!.Properties.Create);
    assert.match(create, /"action\\":\\"putBucketCors\\"/);
    assert.ok(create.includes(`https://",{"Fn::GetAtt":["${logicalId(web.distribution)}","DomainName"]}`), create);
    assert.ok(create.includes(`\\"AllowedMethods\\":[\\"POST\\",\\"GET\\",\\"HEAD\\"]`), create);
    assert.ok(cors!.DependsOn.includes(logicalId(web.distribution)));
    const [deploy] = Object.values(t.findResources('Custom::CDKBucketDeployment')).map((r) => r.Properties);
    assert.equal(deploy.SourceObjectKeys.length, 2, 'the Vite build and config.json');
    assert.deepEqual(deploy.DistributionPaths, ['/index.html', '/config.json']);
  });
});

describe('the web build at synth', () => {
  test('a missing build is built (offline, with Vite) into the folder asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'web-dist-'));
    try {
      const dist = join(dir, 'dist');
      assert.equal(ensureWebDist(dist), dist);
      assert.ok(existsSync(join(dist, 'index.html')));
      assert.ok(existsSync(join(dist, 'assets')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a build that fails stops synth with a message saying what to run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'web-dist-'));
    try {
      assert.throws(
        () => ensureWebDist(join(dir, 'dist'), join(dir, 'no-such-vite.config.ts')),
        (e: unknown) => e instanceof WebBuildError && /npm run build:web/.test((e as Error).message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
