/**
 * The CLI's `--aws` paths (status, close-phase, users, nil-return, upload, smoke) against mocked AWS clients
 * (aws-sdk-client-mock): each reads the stack's outputs (DescribeStacks, the names test/fixtures/preflight/
 * stack-outputs.json holds, which test/lib/preflight/preflight.test.ts checks against the real synth) and sends its
 * commands to the resources they name; a missing output is exit 69 with its name. The commands sent are kept in
 * lib/preflight/calls/cli.json, where `seizures preflight` checks those of a stack role (status and close-phase as
 * Analyst, upload as MemberUploader) against the synthesized policies.
 */
import { afterAll, afterEach, beforeEach, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { resourceFields } from '../../functions/core/platform/aws.ts';
import { PROJECT_ROOT } from '../../functions/core/operation/config.ts';
import { callsAreCurrent } from '../lib/preflight/record.ts';

vi.setConfig({ testTimeout: 60_000 });

const OUTPUTS: Record<string, string> = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/preflight/stack-outputs.json'), 'utf8'));
const STACK = 'SeizurePipeline-stop-ii';

process.env.AWS_REGION ??= 'us-east-1';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
// The store reads and writes through lib-dynamodb's document client (its commands, its plain values).
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const MOCKS: Record<string, AwsStub<any, any, any>> = {
  CloudFormationClient: cfn,
  S3Client: s3,
  DynamoDBClient: dynamo,
  SFNClient: sfn,
  CognitoIdentityProviderClient: cognito,
};

const dir = mkdtempSync(join(tmpdir(), 'aws-paths-'));
const raw = join(dir, 'calls.jsonl');
writeFileSync(raw, '');

const stackWith = (outputs: Record<string, string>) =>
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });

/** The command modules' entry points, loaded as the dispatcher (bin/seizures.ts) loads them. */
const COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<number>>> = {
  status: async () => (await import('../../bin/cli/status.ts')).statusCommand,
  'close-phase': async () => (await import('../../bin/cli/close-phase.ts')).closePhaseCommand,
  users: async () => (await import('../../bin/cli/users.ts')).usersCommand,
  'nil-return': async () => (await import('../../bin/cli/nil-return.ts')).nilReturnCommand,
  upload: async () => (await import('../../bin/cli/upload.ts')).uploadCommand,
  smoke: async () => (await import('../../bin/cli/smoke.ts')).smokeCommand,
};

/** Runs a command in this process, its output captured; then keeps what it sent, as `cli:<name>`'s calls. */
async function run(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = await COMMANDS[name]!();
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  let code: number;
  try {
    code = await command(args);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  for (const [service, m] of Object.entries(MOCKS))
    for (const c of m.calls()) {
      const cmd = c.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      appendFileSync(
        raw,
        `${JSON.stringify({ who: `cli:${name}`, service, command: cmd.constructor.name, input: resourceFields(cmd.input) })}\n`,
      );
    }
  return { code, stdout, stderr };
}

const sent = (m: AwsStub<any, any, any>, command: unknown) =>
  m.commandCalls(command as never).map((c) => c.args[0].input as Record<string, any>);

beforeEach(() => {
  for (const m of Object.values(MOCKS)) m.reset();
  stackWith(OUTPUTS);
});
afterEach(() => {
  process.exitCode = 0;
});
afterAll(() => {
  try {
    callsAreCurrent(
      'cli',
      raw,
      {
        [OUTPUTS.BucketName!]: 'BucketName',
        [OUTPUTS.TableName!]: 'TableName',
        [OUTPUTS.PhaseCloseStateMachineArn!]: 'PhaseCloseStateMachineArn',
        [OUTPUTS.UserPoolId!]: 'UserPoolId',
      },
      fileURLToPath(import.meta.url),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the CLI on AWS (mocked clients, the stack outputs they read)', () => {
  test('status --aws reads the table the stack names, and says where', async () => {
    dynamo.onAnyCommand().resolves({ Items: [] });
    const r = await run('status', ['--aws', '--stack', STACK]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`no submissions yet on AWS \\(stack ${STACK}\\)`));
    const reads = dynamo.calls().map((c) => c.args[0].input as { TableName?: string });
    assert.ok(reads.length > 0);
    for (const q of reads) assert.equal(q.TableName, OUTPUTS.TableName);
    assert.deepEqual(sent(cfn, DescribeStacksCommand), [{ StackName: STACK }]);
  });

  test('close-phase --aws starts the stack state machine and follows it; a failed run is exit 1', async () => {
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `${OUTPUTS.PhaseCloseStateMachineArn!.replace(':stateMachine:', ':execution:')}:run-1`,
      startDate: new Date(),
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'States.TaskFailed', cause: 'planted' } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const r = await run('close-phase', ['--phase', '1', '--interim', '--as-of', '2021-11-15', '--aws', '--stack', STACK]);
    assert.equal(r.code, 1, r.stderr);
    const [start] = sent(sfn, StartExecutionCommand);
    assert.equal(start!.stateMachineArn, OUTPUTS.PhaseCloseStateMachineArn);
    assert.deepEqual(JSON.parse(start!.input), { operation: 'stop-ii', phase: 1, mode: 'interim', asOf: '2021-11-15' });
    assert.equal(
      sent(sfn, DescribeExecutionCommand)[0]!.executionArn,
      `${OUTPUTS.PhaseCloseStateMachineArn!.replace(':stateMachine:', ':execution:')}:run-1`,
    );
  });

  test('close-phase --aws on a stack without PhaseCloseStateMachineArn: exit 69, naming the output', async () => {
    const { PhaseCloseStateMachineArn: _, ...older } = OUTPUTS;
    stackWith(older);
    const r = await run('close-phase', ['--phase', '1', '--interim', '--as-of', '2021-11-15', '--aws', '--stack', STACK]);
    assert.equal(r.code, 69);
    assert.match(r.stderr, /no PhaseCloseStateMachineArn output/);
    assert.equal(sent(sfn, StartExecutionCommand).length, 0);
  });

  test("users list and add --aws use the stack's user pool", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
    const list = await run('users', ['list', '--aws', '--stack', STACK, '--format', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: 'officer@douane.fr.example' } });
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const add = await run('users', [
      'add',
      '--member',
      'FR',
      '--email',
      'officer@douane.fr.example',
      '--password',
      'Choose-a-passw0rd',
      '--aws',
      '--stack',
      STACK,
    ]);
    assert.equal(add.code, 0, add.stderr);
    const all = cognito.calls().map((c) => c.args[0].input as { UserPoolId?: string });
    assert.ok(all.length >= 3);
    for (const i of all) assert.equal(i.UserPoolId, OUTPUTS.UserPoolId);
  });

  test('nil-return --aws writes to the table the stack names', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [], Count: 0 });
    dynamo.on(GetCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
    const r = await run('nil-return', ['--member', 'FR', '--phase', '1', '--aws', '--stack', STACK, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).created, true);
    const puts = sent(dynamo, PutCommand);
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.TableName, OUTPUTS.TableName);
  });

  test("upload --aws --bucket as a Member (no table access): puts under incoming/XX/ in the stack's bucket, then reads its feedback", async () => {
    const file = join(dir, 'week 12.csv');
    writeFileSync(file, 'x\n');
    s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });
    s3.on(HeadObjectCommand).resolves({ LastModified: new Date(Date.now() + 1000) });
    const report = {
      stats: { rows: 1, validRows: 1, invalidRows: 0, blankRows: 0, warnings: 0, errors: 0 },
      errors: [],
      warnings: [],
      fileErrors: [],
    };
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(report) } as never });
    // A Member's credentials may not describe stacks: the bucket is given (the BucketName output, from the operation).
    const r = await run('upload', [
      file,
      '--member',
      'FR',
      '--aws',
      '--bucket',
      OUTPUTS.BucketName!,
      '--format',
      'json',
      '--timeout',
      '10',
    ]);
    const [put] = sent(s3, PutObjectCommand);
    assert.equal(put!.Bucket, OUTPUTS.BucketName);
    assert.match(put!.Key, /^incoming\/FR\/.*week 12\.csv$/);
    const [head] = sent(s3, HeadObjectCommand);
    assert.equal(head!.Key, `feedback/${put!.Key.slice('incoming/'.length)}.report.json`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).stats, report.stats);
  });

  test('smoke --aws on a stack deployed without smokeTests: refuses, saying how, and uploads nothing', async () => {
    stackWith({ ...OUTPUTS, SmokeTests: 'false' });
    const r = await run('smoke', ['--aws', '--stack', STACK, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout + r.stderr, /smokeTests/);
    assert.equal(sent(s3, PutObjectCommand).length, 0);
  });
});
