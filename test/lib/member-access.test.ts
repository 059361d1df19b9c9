import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MemberAccess, type MemberAccessProps, MemberUploaderPrincipalError, memberUploaderPrincipalOf } from '../../lib/member-access.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { OPERATION, actionsOf, logicalId, resourcesOf, statementsOfRole, testApp, type Statement } from './helpers.ts';

const MEMBER = '${aws:PrincipalTag/member}';

describe('MemberAccess', () => {
  let access: MemberAccess;
  let storage: SeizureStorage;
  let t: Template;
  let saml: Template;
  let samlAccess: MemberAccess;
  let machine: sfn.StateMachine;
  let uploader: Statement[];
  let bucketArn: string;

  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Access');
    storage = new SeizureStorage(stack, 'Storage');
    access = new MemberAccess(stack, 'Access', {
      bucket: storage.bucket,
      table: storage.table,
      assumedBy: new iam.AccountRootPrincipal(),
      memberCodes: OPERATION.members.map((m) => m.code),
    });
    const samlStack = new Stack(app, 'Saml');
    const s2 = new SeizureStorage(samlStack, 'Storage');
    const provider = new iam.SamlProvider(samlStack, 'Idp', {
      // CloudFormation wants at least 1,000 characters of metadata.
      metadataDocument: iam.SamlMetadataDocument.fromXml(
        `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.org/${'x'.repeat(1000)}"/>`,
      ),
    });
    samlAccess = new MemberAccess(samlStack, 'Access', {
      bucket: s2.bucket,
      table: s2.table,
      assumedBy: new iam.SamlConsolePrincipal(provider),
      memberCodes: ['FR', 'DE'],
    });
    machine = new sfn.StateMachine(samlStack, 'PhaseClose', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(samlStack, 'Done')),
    });
    samlAccess.grantStartExecution(machine);
    t = Template.fromStack(stack);
    saml = Template.fromStack(samlStack);
    uploader = statementsOfRole(t, logicalId(access.memberUploaderRole!));
    bucketArn = `<${logicalId(storage.bucket)}.Arn>`;
  });

  const resourcesFor = (statements: Statement[], action: string, effect = 'Allow') =>
    statements
      .filter((s) => s.Effect === effect && actionsOf(s).includes(action))
      .flatMap(resourcesOf)
      .sort();

  test('a Member may put objects only under incoming/${aws:PrincipalTag/member}/', () => {
    assert.deepEqual(resourcesFor(uploader, 's3:PutObject'), [`${bucketArn}/incoming/${MEMBER}/*`]);
  });

  test('a Member may get objects under feedback/${aws:PrincipalTag/member}/ and summaries/ only', () => {
    assert.deepEqual(resourcesFor(uploader, 's3:GetObject'), [`${bucketArn}/feedback/${MEMBER}/*`, `${bucketArn}/summaries/*`]);
  });

  test('a Member may list the bucket only under its own prefixes and summaries/', () => {
    const list = uploader.filter((s) => actionsOf(s).includes('s3:ListBucket'));
    assert.equal(list.length, 1);
    assert.deepEqual(resourcesOf(list[0]!), [bucketArn]);
    assert.deepEqual([...(list[0]!.Condition!.StringLike!['s3:prefix'] as string[])].sort(), [
      `feedback/${MEMBER}/*`,
      `incoming/${MEMBER}/*`,
      'summaries/*',
    ]);
  });

  test("no Member may read the analysts' version of a summary, which names Members' cases", () => {
    assert.deepEqual(resourcesFor(uploader, 's3:GetObject', 'Deny'), [`${bucketArn}/summaries/*/analysts/*`]);
    assert.deepEqual(resourcesFor(uploader, 's3:GetObjectVersion', 'Deny'), [`${bucketArn}/summaries/*/analysts/*`]);
  });

  test('a Member has nothing else: no delete, no wildcard actions, no table access', () => {
    const actions = uploader
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actionsOf)
      .sort();
    assert.deepEqual(actions, ['s3:AbortMultipartUpload', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:PutObject']);
  });

  test("an IAM principal (here the account, named explicitly) may only ask for its own member tag, one of the operation's", () => {
    const trust = t.findResources('AWS::IAM::Role')[logicalId(access.memberUploaderRole!)]!.Properties.AssumeRolePolicyDocument;
    assert.equal(trust.Statement.length, 1);
    const [s] = trust.Statement;
    assert.deepEqual([...s.Action].sort(), ['sts:AssumeRole', 'sts:TagSession']);
    assert.deepEqual(s.Principal.AWS, {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
    });
    // Both must hold: the requested tag equals the caller's own principal tag, and it is an operation Member's code.
    assert.deepEqual(s.Condition, {
      StringEquals: { 'aws:RequestTag/member': '${aws:PrincipalTag/member}' },
      StringLike: { 'aws:RequestTag/member': OPERATION.members.map((m) => m.code) },
    });
  });

  test('no principal, no role: MemberAccess without assumedBy makes the Analyst role only', () => {
    const stack = new Stack(testApp(), 'NoUploader');
    const st = new SeizureStorage(stack, 'Storage');
    const a = new MemberAccess(stack, 'Access', { bucket: st.bucket, table: st.table, memberCodes: ['FR'] });
    assert.equal(a.memberUploaderRole, undefined);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    assert.deepEqual(
      Object.keys(roles).filter((id) => id.startsWith('Access')),
      [logicalId(a.analystRole)],
    );
  });

  test("the trust policy stays under IAM's default 2048-character limit with every Member listed", () => {
    const trust = t.findResources('AWS::IAM::Role')[logicalId(access.memberUploaderRole!)]!.Properties.AssumeRolePolicyDocument;
    const size = JSON.stringify(trust).length;
    assert.ok(size < 2048, `${size} characters`);
  });

  test('another principal (SAML) gets sts:TagSession too, and the tag is pinned to its Member codes', () => {
    const trust = saml.findResources('AWS::IAM::Role')[logicalId(samlAccess.memberUploaderRole!)]!.Properties.AssumeRolePolicyDocument;
    const [s] = trust.Statement;
    assert.deepEqual([...s.Action].sort(), ['sts:AssumeRoleWithSAML', 'sts:TagSession']);
    assert.deepEqual(s.Condition.StringEquals['aws:RequestTag/member'], ['FR', 'DE']);
    assert.equal(s.Condition.StringLike, undefined);
  });

  test('no unpinned tag: memberCodes is required', () => {
    const stack = new Stack(testApp(), 'Required');
    const st = new SeizureStorage(stack, 'Storage');
    const props: MemberAccessProps = { bucket: st.bucket, table: st.table, assumedBy: new iam.AccountRootPrincipal(), memberCodes: [] };
    assert.throws(() => new MemberAccess(stack, 'Empty', props), /memberCodes is empty/);
  });

  test('a role ARN as principal gets the same own-tag pin; a Cognito identity pool (federated) gets the code list only', () => {
    const stack = new Stack(testApp(), 'Principals');
    const st = new SeizureStorage(stack, 'Storage');
    const byRole = new MemberAccess(stack, 'ByRole', {
      bucket: st.bucket,
      table: st.table,
      assumedBy: new iam.ArnPrincipal('arn:aws:iam::111111111111:role/customs-uploaders'),
      memberCodes: ['FR', 'DE'],
    });
    const byPool = new MemberAccess(stack, 'ByPool', {
      bucket: st.bucket,
      table: st.table,
      assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {}, 'sts:AssumeRoleWithWebIdentity'),
      memberCodes: ['FR', 'DE'],
    });
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const cond = (r: iam.Role) => roles[logicalId(r)]!.Properties.AssumeRolePolicyDocument.Statement[0].Condition;
    assert.deepEqual(cond(byRole.memberUploaderRole!), {
      StringEquals: { 'aws:RequestTag/member': '${aws:PrincipalTag/member}' },
      StringLike: { 'aws:RequestTag/member': ['FR', 'DE'] },
    });
    assert.deepEqual(cond(byPool.memberUploaderRole!), { StringEquals: { 'aws:RequestTag/member': ['FR', 'DE'] } });
  });

  test('the Analyst reads every object and the table, and writes nothing', () => {
    const analyst = statementsOfRole(t, logicalId(access.analystRole));
    assert.deepEqual(resourcesFor(analyst, 's3:GetObject'), [`${bucketArn}/*`]);
    const table = `<${logicalId(storage.table)}.Arn>`;
    assert.deepEqual(resourcesFor(analyst, 'dynamodb:Query'), [table, `${table}/index/*`]);
    const writes = analyst.flatMap(actionsOf).filter((a) => /Put|Delete|Update|Write|\*/.test(a));
    assert.deepEqual(writes, []);
  });

  test('grantStartExecution lets the Analyst start the state machine', () => {
    const analyst = statementsOfRole(saml, logicalId(samlAccess.analystRole));
    assert.deepEqual(resourcesFor(analyst, 'states:StartExecution'), [`<${logicalId(machine)}>`]);
  });

  test("with a customer key, Members use it only through S3 in the stack's region (kms:ViaService)", () => {
    const app = testApp();
    const stack = new Stack(app, 'Keyed', { env: { account: '111111111111', region: 'eu-west-1' } });
    const st = new SeizureStorage(stack, 'Storage', { encryption: 'CUSTOMER_KEY' });
    const a = new MemberAccess(stack, 'Access', {
      bucket: st.bucket,
      table: st.table,
      assumedBy: new iam.AccountRootPrincipal(),
      memberCodes: ['FR'],
    });
    const tpl = Template.fromStack(stack);
    const roleId = stack.getLogicalId(a.memberUploaderRole!.node.defaultChild as CfnElement);
    const statements = Object.values(tpl.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const kmsStatements = statements.filter((s) => [s.Action].flat().some((x: string) => x.startsWith('kms:')));
    assert.ok(kmsStatements.length > 0);
    for (const s of kmsStatements) assert.deepEqual(s.Condition, { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });

  test('the memberUploaderPrincipal context: a SAML provider, a role or a user ARN; absent, none; anything else refused', () => {
    assert.equal(memberUploaderPrincipalOf(undefined), undefined);
    assert.equal(memberUploaderPrincipalOf(''), undefined);
    const saml = memberUploaderPrincipalOf('arn:aws:iam::111111111111:saml-provider/CustomsIdP')!;
    assert.deepEqual(saml.policyFragment.principalJson, { Federated: ['arn:aws:iam::111111111111:saml-provider/CustomsIdP'] });
    assert.equal(saml.assumeRoleAction, 'sts:AssumeRoleWithSAML');
    const role = memberUploaderPrincipalOf('arn:aws:iam::111111111111:role/fr-uploader')!;
    assert.deepEqual(role.policyFragment.principalJson, { AWS: ['arn:aws:iam::111111111111:role/fr-uploader'] });
    for (const bad of ['*', 'arn:aws:iam::111111111111:root', 'arn:aws:s3:::bucket', 42])
      assert.throws(() => memberUploaderPrincipalOf(bad), MemberUploaderPrincipalError, String(bad));
  });
});
