/**
 * The analysts' lake on AWS: the Glue table over lake/ with partition projection, the Athena workgroup whose settings
 * every query takes (engine v3, results encrypted with the stack's key, the scan cap), the Analyst's grants, and the
 * explicit Deny of lake/ for Members' roles and the portal.
 */
import { beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AnalystsLake, DEFAULT_BYTES_SCANNED_CUTOFF, lakeDatabaseName } from '../../lib/analysts-lake.ts';
import { MemberAccess } from '../../lib/member-access.ts';
import { SeizureStorage } from '../../lib/storage.ts';
import { LAKE_COLUMNS } from '../../functions/core/lake/columns.ts';
import { OPERATION, actionsOf, logicalId, resourcesOf, statementsOfRole, testApp, type Statement } from './helpers.ts';

describe('AnalystsLake', () => {
  let t: Template;
  let stack: Stack;
  let lake: AnalystsLake;
  let access: MemberAccess;
  let portal: iam.Role;
  let storage: SeizureStorage;

  beforeAll(() => {
    const app = testApp();
    stack = new Stack(app, 'Lake');
    storage = new SeizureStorage(stack, 'Storage', { encryption: 'CUSTOMER_KEY' });
    access = new MemberAccess(stack, 'Access', {
      bucket: storage.bucket,
      table: storage.table,
      assumedBy: new iam.AccountRootPrincipal(),
      memberCodes: OPERATION.members.map((m) => m.code),
    });
    portal = new iam.Role(stack, 'Portal', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    lake = new AnalystsLake(stack, 'Lake', {
      operation: OPERATION,
      bucket: storage.bucket,
      analysts: access.analystRole,
      denied: [access.memberUploaderRole!, portal],
      key: storage.key!,
      accessLogBucket: storage.accessLogBucket,
      bytesScannedCutoffPerQuery: 200_000_000,
    });
    t = Template.fromStack(stack);
  });

  test('the table lines: every lake column but the partition keys, Parquet, phase and member projected from the path', () => {
    const [table] = Object.values(t.findResources('AWS::Glue::Table'));
    const input = table!.Properties.TableInput;
    assert.equal(input.Name, 'lines');
    assert.equal(table!.Properties.DatabaseName, lakeDatabaseName(OPERATION.id));
    assert.deepEqual(input.PartitionKeys, [
      { Name: 'phase', Type: 'int' },
      { Name: 'member', Type: 'string' },
    ]);
    assert.deepEqual(
      input.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => `${c.Name} ${c.Type}`),
      LAKE_COLUMNS.filter((c) => c.name !== 'phase' && c.name !== 'member').map((c) => `${c.name} ${c.type}`),
    );
    assert.equal(input.StorageDescriptor.SerdeInfo.SerializationLibrary, 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    const p = input.Parameters;
    assert.equal(p['projection.enabled'], 'true');
    assert.equal(p['projection.phase.type'], 'integer');
    const phases = OPERATION.phases.map((x) => x.phase);
    assert.equal(p['projection.phase.range'], `${Math.min(...phases)},${Math.max(...phases)}`);
    assert.equal(p['projection.member.type'], 'enum');
    assert.deepEqual(
      p['projection.member.values'].split(','),
      OPERATION.members.map((m) => m.code),
    );
    const template = JSON.stringify(p['storage.location.template']);
    assert.match(template, new RegExp(`/lake/${OPERATION.id}/lines/phase=\\$\\{phase\\}/member=\\$\\{member\\}/`));
  });

  test('the workgroup: engine v3, its configuration enforced, results encrypted with the stack key, a scan cap', () => {
    const [wg] = Object.values(t.findResources('AWS::Athena::WorkGroup'));
    const c = wg!.Properties.WorkGroupConfiguration;
    assert.equal(c.EnforceWorkGroupConfiguration, true);
    assert.equal(c.EngineVersion.SelectedEngineVersion, 'Athena engine version 3');
    assert.equal(c.BytesScannedCutoffPerQuery, 200_000_000);
    assert.equal(c.ResultConfiguration.EncryptionConfiguration.EncryptionOption, 'SSE_KMS');
    assert.deepEqual(c.ResultConfiguration.EncryptionConfiguration.KmsKey, { 'Fn::GetAtt': [logicalId(storage.key!), 'Arn'] });
    assert.deepEqual(c.ResultConfiguration.OutputLocation, {
      'Fn::Join': ['', ['s3://', { Ref: logicalId(lake.resultsBucket) }, '/results/']],
    });
    // The results bucket is encrypted with the same key.
    const bucket = t.toJSON().Resources[logicalId(lake.resultsBucket)].Properties;
    assert.deepEqual(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID, {
      'Fn::GetAtt': [logicalId(storage.key!), 'Arn'],
    });
    assert.throws(
      () =>
        new AnalystsLake(new Stack(testApp(), 'Tiny'), 'L', {
          operation: OPERATION,
          bucket: storage.bucket,
          analysts: portal,
          bytesScannedCutoffPerQuery: 1000,
        }),
      /at least 10,000,000/,
    );
  });

  const allowed = (s: Statement[], action: string) =>
    s.filter((x) => x.Effect === 'Allow' && actionsOf(x).includes(action)).flatMap(resourcesOf);
  const denied = (s: Statement[], action: string) =>
    s.filter((x) => x.Effect === 'Deny' && actionsOf(x).includes(action)).flatMap(resourcesOf);

  test('the Analyst may query in the workgroup, read the table and the results, and decrypt them', () => {
    const a = statementsOfRole(t, logicalId(access.analystRole));
    for (const action of ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'])
      assert.deepEqual(allowed(a, action), [`arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/Lake-analysts`], action);
    assert.ok(allowed(a, 'glue:GetTable').some((r) => r.endsWith(`:table/${lakeDatabaseName(OPERATION.id)}/lines`)));
    assert.ok(allowed(a, 'glue:GetPartitions').length > 0);
    assert.ok(allowed(a, 's3:PutObject').includes(`<${logicalId(lake.resultsBucket)}.Arn>/results/*`));
    assert.ok(allowed(a, 's3:GetObject').includes(`<${logicalId(storage.bucket)}.Arn>/*`), 'the Analyst reads lake/ (the whole bucket)');
    assert.ok(allowed(a, 'kms:Decrypt').includes(`<${logicalId(storage.key!)}.Arn>`));
    assert.deepEqual(denied(a, 's3:GetObject'), []);
  });

  test('Members and the portal are denied lake/ whatever else they may read, and get no Athena', () => {
    for (const role of [access.memberUploaderRole!, portal]) {
      const s = statementsOfRole(t, logicalId(role));
      assert.ok(denied(s, 's3:GetObject').includes(`<${logicalId(storage.bucket)}.Arn>/lake/*`), role.node.path);
      assert.deepEqual(allowed(s, 'athena:StartQueryExecution'), [], role.node.path);
    }
  });

  test('cdk-nag AwsSolutions: nothing open', () => {
    const report = new AwsSolutionsChecks().validateScope(lake);
    assert.deepEqual(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      [],
    );
  });

  test('the default: a rotated key of its own, and DEFAULT_BYTES_SCANNED_CUTOFF', () => {
    const s = new Stack(testApp(), 'Default');
    const st = new SeizureStorage(s, 'Storage');
    const role = new iam.Role(s, 'A', { assumedBy: new iam.AccountRootPrincipal() });
    const l = new AnalystsLake(s, 'Lake', { operation: OPERATION, bucket: st.bucket, analysts: role });
    const tt = Template.fromStack(s);
    tt.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [wg] = Object.values(tt.findResources('AWS::Athena::WorkGroup'));
    assert.equal(wg!.Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery, DEFAULT_BYTES_SCANNED_CUTOFF);
    assert.ok(l.key);
  });
});
