/**
 * `seizures preflight` on the real synth (the CDK CLI, as `npx cdk synth`, once for the file): every recorded call
 * allowed, every resource valid, every control finding accepted, the workflow valid. Then planted faults, each on a
 * copy of the synthesized app: a removed grant, a misspelt property (and a wrong type, a missing required property,
 * a GetAtt of an attribute that does not exist), a new resource with an unreviewed finding, a broken workflow. Each is
 * caught, and the CLI exits 1 on it with the contract's JSON.
 */
import { afterAll, beforeAll, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../functions/core/operation/config.ts';
import { preflight, recordedCalls, synthesize, type PreflightReport } from '../../../lib/preflight/index.ts';
import { controlFindings, loadAcceptances, type ControlFinding } from '../../../lib/preflight/controls.ts';
import { stacksOf, type Template } from '../../../lib/preflight/template.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 600_000 });

const NODE = resolve(PROJECT_ROOT, 'node_modules/.bin/node');
const CLI = resolve(PROJECT_ROOT, 'bin/seizures.ts');

describe('seizures preflight', () => {
  let out: string;
  let templatePath: string;
  let findings: ControlFinding[];
  let report: PreflightReport;
  const copies: string[] = [];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'preflight-synth-'));
    await synthesize(PROJECT_ROOT, out);
    const [stack] = stacksOf(out);
    templatePath = stack!.path;
    findings = controlFindings(templatePath);
    report = await preflight({ cdkOut: out, findings: { [templatePath]: findings } });
  });
  afterAll(() => {
    for (const d of [out, ...copies]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** A copy of the synthesized app whose template `change` rewrote; its path. */
  function mutated(change: (t: Template & { Resources: Record<string, any> }) => void): { dir: string; path: string } {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-copy-'));
    copies.push(dir);
    cpSync(out, dir, { recursive: true });
    const path = join(dir, templatePath.slice(out.length + 1));
    const t = JSON.parse(readFileSync(path, 'utf8'));
    change(t);
    writeFileSync(path, JSON.stringify(t));
    return { dir, path };
  }

  test('the real synth passes: every recorded call allowed, every resource valid, every finding accepted', () => {
    console.log(
      `preflight: ${report.calls.checked} calls checked (${report.calls.operator} operator's), ${report.schema.resources} resources, ` +
        `${report.controls.findings} control findings (${report.controls.accepted.length} accepted), ${report.asl.checked} workflow(s)`,
    );
    assert.deepEqual(report.calls.denied, []);
    assert.deepEqual(report.schema.problems, []);
    assert.deepEqual(report.controls.unexplained, []);
    assert.deepEqual(report.asl.problems, []);
    assert.deepEqual(report.controls.stale, [], 'acceptances that no longer match a finding: remove them');
    assert.equal(report.ok, true);
    // The recordings cover every function that calls AWS, and a call is checked for each of them.
    const callers = new Set(Object.values(recordedCalls()).flatMap((f) => f.calls.map((c) => c.who)));
    for (const who of [
      'ingest',
      'portal',
      'mail-events',
      'phase-aggregate',
      'phase-merge',
      'phase-analyse',
      'phase-render',
      'phase-store',
      'phase-alerts',
    ])
      assert.ok(callers.has(who), `${who} has recorded calls`);
    assert.ok(report.calls.checked > 100);
    // The CLI's --aws tests (test/bin/aws-paths.test.ts) mock DescribeStacks with these outputs: the stack has each.
    const [stack] = stacksOf(out);
    const mocked = Object.keys(JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/preflight/stack-outputs.json'), 'utf8')));
    assert.deepEqual(
      mocked.filter((o) => !(o in (stack!.template.Outputs ?? {}))),
      [],
    );
    // And the CLI's recorded calls are checked: status and close-phase as Analyst.
    assert.ok(Object.values(recordedCalls()).some((f) => f.calls.some((c) => c.who === 'cli:close-phase')));
    assert.ok(report.schema.resources > 100);
  });

  test('a removed grant is caught: the function, the action and the resource it needed', async () => {
    // The ingest role loses s3:PutObject (its feedback writes); the state machine's role, the right to invoke the
    // alerts function (a task of the workflow: checked from the definition, with no recording).
    const { dir, path } = mutated((t) => {
      for (const r of Object.values(t.Resources)) {
        if (r.Type !== 'AWS::IAM::Policy') continue;
        const roles = JSON.stringify(r.Properties.Roles);
        for (const s of r.Properties.PolicyDocument.Statement) {
          if (roles.includes('IngestionFunctionRole')) {
            if (Array.isArray(s.Action)) s.Action = s.Action.filter((a: string) => a !== 's3:PutObject');
            else if (s.Action === 's3:PutObject') s.Action = 's3:GetObject';
          }
          if (roles.includes('PhaseCloseStateMachineRole') && s.Action === 'lambda:InvokeFunction')
            s.Resource = (s.Resource as unknown[]).filter((x) => !JSON.stringify(x).includes('PhaseAlerts'));
        }
      }
    });
    const r = await preflight({ cdkOut: dir, findings: { [path]: findings } });
    assert.equal(r.ok, false);
    const denied = r.calls.denied.filter((d) => d.function === 'ingest' && d.action === 's3:PutObject');
    assert.ok(denied.length > 0, JSON.stringify(r.calls.denied));
    assert.match(denied[0]!.resource, /^arn:aws:s3:::[a-z0-9-]+\/feedback\//);
    assert.match(denied[0]!.from, /S3 PutObject \(lib\/preflight\/calls\/\w+\.json\)/);
    const invoke = r.calls.denied.filter((d) => d.action === 'lambda:InvokeFunction');
    assert.deepEqual(
      invoke.map((d) => [d.function.replace(/[0-9A-F]{8}$/, ''), d.resource.replace(/[0-9A-F]{8}$/, '')]),
      [['states:PhaseCloseStateMachine', 'arn:aws:lambda:us-east-1:123456789012:function:PhaseClosePhaseAlerts']],
    );
    // Nothing else was denied: the other functions' calls still hold.
    assert.deepEqual(
      new Set(r.calls.denied.map((d) => `${d.function.split(':')[0]} ${d.action}`)),
      new Set(['ingest s3:PutObject', 'states lambda:InvokeFunction']),
    );
  });

  test('a condition is evaluated: a LeadingKeys grant refuses an item outside its prefixes', async () => {
    // The portal may write only nil-return items (dynamodb:LeadingKeys NILRETURN#*): a call writing a case is denied.
    const calls = {
      planted: {
        recordedBy: 'this test',
        refresh: '',
        calls: [
          {
            who: 'portal',
            service: 'DynamoDBClient',
            command: 'PutItemCommand',
            input: { TableName: '{TableName}', Item: { pk: 'CASE#FR#X', sk: 'LINE#000001' } },
          },
        ],
      },
    };
    const r = await preflight({ cdkOut: out, calls, findings: { [templatePath]: findings } });
    assert.deepEqual(
      r.calls.denied.map((d) => [d.function, d.action]),
      [['portal', 'dynamodb:PutItem']],
    );
    const allowedCalls = {
      planted: {
        ...calls.planted,
        calls: [
          { ...calls.planted.calls[0]!, input: { TableName: '{TableName}', Item: { pk: 'NILRETURN#stop-ii', sk: 'PHASE#001#MEMBER#FR' } } },
        ],
      },
    };
    const ok = await preflight({ cdkOut: out, calls: allowedCalls, findings: { [templatePath]: findings } });
    assert.deepEqual(ok.calls.denied, []);
  });

  test('the bucket policy is evaluated too: an upload the role may make is refused with another storage class', async () => {
    const put = (input: Record<string, string>) => ({
      planted: {
        recordedBy: 'this test',
        refresh: '',
        calls: [
          {
            who: 'portal',
            service: 'S3Client',
            command: 'PutObjectCommand',
            input: { Bucket: '{BucketName}', Key: 'incoming/FR/x.csv', ...input },
          },
        ],
      },
    });
    const plain = await preflight({ cdkOut: out, calls: put({}), findings: { [templatePath]: findings } });
    assert.deepEqual(plain.calls.denied, []);
    const glacier = await preflight({ cdkOut: out, calls: put({ StorageClass: 'GLACIER' }), findings: { [templatePath]: findings } });
    assert.deepEqual(
      glacier.calls.denied.map((d) => [d.function, d.action, d.why]),
      [['portal', 's3:PutObject', 'ExplicitlyDenied']],
    );
  });

  test('a misspelt property, a wrong type, a missing required property and a bad GetAtt are each caught', async () => {
    const { dir, path } = mutated((t) => {
      const [queueId, queue] = Object.entries(t.Resources).find(([, r]) => r.Type === 'AWS::SQS::Queue')!;
      delete queue.Properties.VisibilityTimeout;
      queue.Properties.VisibilityTimout = 30;
      const table = Object.values(t.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
      table.Properties.DeletionProtectionEnabled = 'yes please';
      queue.Properties.MessageRetentionPeriod = 'two weeks';
      const queuePolicy = Object.values(t.Resources).find((r) => r.Type === 'AWS::SQS::QueuePolicy')!;
      delete queuePolicy.Properties.Queues;
      t.Outputs!.Planted = { Value: { 'Fn::GetAtt': [queueId, 'Url'] } };
    });
    const r = await preflight({ cdkOut: dir, findings: { [path]: findings } });
    assert.equal(r.ok, false);
    const problems = r.schema.problems.map((p) => `${p.property}: ${p.problem}`);
    assert.ok(problems.includes('VisibilityTimout: no such property (did you mean VisibilityTimeout?)'), problems.join('\n'));
    assert.ok(problems.includes('DeletionProtectionEnabled: expected true or false, got string "yes please"'), problems.join('\n'));
    assert.ok(problems.includes('MessageRetentionPeriod: expected a number, got string "two weeks"'), problems.join('\n'));
    assert.ok(problems.includes('Queues: required, missing'), problems.join('\n'));
    assert.ok(
      problems.some((p) => /^Value: GetAtt \w+\.Url: AWS::SQS::Queue has no attribute Url$/.test(p)),
      problems.join('\n'),
    );
    assert.equal(problems.length, 5, problems.join('\n'));
  });

  test('a new resource with an unreviewed Control Tower finding is unexplained; its rule and resource named', async () => {
    const { dir, path } = mutated((t) => {
      t.Resources.PlantedQueue = { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } };
    });
    const r = await preflight({ cdkOut: dir, findings: { [path]: controlFindings(path) } });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.controls.unexplained.map((u) => [u.rule, u.resource]),
      [['sqs_dlq_check', 'PlantedQueue']],
    );
    assert.equal(r.controls.accepted.length, report.controls.accepted.length);
    // An acceptance removed from the list: that finding is unexplained again.
    const [first, ...rest] = loadAcceptances();
    const less = await preflight({ cdkOut: out, acceptances: rest, findings: { [templatePath]: findings } });
    assert.deepEqual(
      less.controls.unexplained.map((u) => [u.rule, u.resource]),
      [[first!.rule, first!.resource]],
    );
  });

  test('a broken workflow is caught: a state of a type ASL does not have, a placeholder with no substitution', async () => {
    const { dir, path } = mutated(() => {});
    const t = JSON.parse(readFileSync(path, 'utf8')) as Template;
    const sm = Object.values(t.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine')!;
    const asset = join(dir, `asset.${(sm.Properties!.DefinitionS3Location as { Key: string }).Key}`);
    const asl = JSON.parse(readFileSync(asset, 'utf8'));
    const first = asl.States[asl.StartAt];
    first.Type = 'Tassk';
    asl.Comment = '${NotSubstituted}';
    writeFileSync(asset, JSON.stringify(asl));
    const r = await preflight({ cdkOut: dir, findings: { [path]: findings } });
    assert.equal(r.ok, false);
    assert.ok(
      r.asl.problems.some((p) => p.problem === 'placeholder ${NotSubstituted} has no substitution'),
      JSON.stringify(r.asl.problems),
    );
    assert.ok(
      r.asl.problems.some((p) => /Type|Tassk|must be equal/.test(p.problem)),
      JSON.stringify(r.asl.problems),
    );
  });

  test('the CLI: JSON of the contract, exit 1 on a planted fault, 64 on wrong usage', async () => {
    const run = async (args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(NODE, ['--import', 'tsx', CLI, 'preflight', ...args], {
          cwd: PROJECT_ROOT,
          timeout: 240_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        return { code: 0, stdout, stderr };
      } catch (e) {
        const x = e as { code: number; stdout: string; stderr: string };
        return { code: x.code, stdout: x.stdout, stderr: x.stderr };
      }
    };
    const { dir } = mutated((t) => {
      const q = Object.values(t.Resources).find((r) => r.Type === 'AWS::SQS::Queue')!;
      q.Properties.MessageRetentionPeriodd = 60;
    });
    const bad = await run(['--cdk-out', dir, '--format', 'json']);
    assert.equal(bad.code, 1, bad.stderr);
    const j = JSON.parse(bad.stdout);
    assert.equal(j.ok, false);
    assert.deepEqual(Object.keys(j.calls).slice(0, 2), ['checked', 'denied']);
    assert.equal(j.calls.checked, report.calls.checked);
    assert.deepEqual(j.calls.denied, []);
    assert.equal(j.schema.resources, report.schema.resources);
    assert.deepEqual(j.schema.problems, [
      {
        resource: j.schema.problems[0].resource,
        property: 'MessageRetentionPeriodd',
        problem: 'no such property (did you mean MessageRetentionPeriod?)',
      },
    ]);
    assert.equal(j.controls.findings, report.controls.findings);
    assert.ok(j.controls.accepted.every((a: Record<string, string>) => a.rule && a.resource && a.reason));
    assert.deepEqual(j.controls.unexplained, []);

    assert.equal((await run(['--format', 'xml'])).code, 64);
    const missing = await run(['--cdk-out', join(dir, 'nowhere')]);
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /no manifest\.json there/);
    assert.equal((await run(['extra'])).code, 64);
  });
});
