/**
 * The one middy chain of every handler (functions/shared/handler.ts), observed from outside: what the app receives,
 * what the caller gets back, and the JSON lines Powertools writes to stdout (as CloudWatch would receive them).
 */
import { afterEach, beforeEach, describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MissingEnvError } from '../../../functions/shared/errors.ts';
import { operationConfigOf, requireEnv } from '../../../functions/shared/env.ts';
import { lambdaHandler } from '../../../functions/shared/handler.ts';
import { powertools, traced } from '../../../functions/shared/powertools.ts';
import { S3Client } from '@aws-sdk/client-s3';

const context = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${functionName}`,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

let lines: Record<string, unknown>[];
/** Powertools writes info lines and EMF to stdout and error lines to stderr: collect the JSON lines of both. */
function capture(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream);
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const json = String(chunk)
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      });
    if (json.length === 0 || json.includes(undefined)) return write(chunk, ...(rest as []));
    lines.push(...(json as Record<string, unknown>[]));
    return true;
  });
}
beforeEach(() => {
  lines = [];
  capture(process.stdout);
  capture(process.stderr);
});
afterEach(() => vi.restoreAllMocks());

describe('lambdaHandler', () => {
  test('the app gets the event and the Lambda context; the caller gets its result; one outcome line with the context', async () => {
    let seen: { event: unknown; context: Context } | undefined;
    const handler = lambdaHandler(
      async (event: { n: number }, ctx: Context) => {
        seen = { event, context: ctx };
        return { doubled: event.n * 2 };
      },
      { service: 'test-pass', logPayloads: true },
    );
    const ctx = context('test-pass');
    assert.deepEqual(await handler({ n: 21 }, ctx), { doubled: 42 });
    assert.deepEqual(seen?.event, { n: 21 });
    assert.equal(seen?.context.awsRequestId, 'req-test-pass');
    const done = lines.find((l) => l.message === 'test-pass done');
    assert.ok(done, `no outcome line in ${JSON.stringify(lines)}`);
    assert.equal(done.service, 'test-pass');
    assert.equal(done.function_request_id, 'req-test-pass');
    assert.equal(done.function_name, 'test-pass');
    assert.deepEqual(done.input, { n: 21 });
    assert.deepEqual(done.result, { doubled: 42 });
    assert.equal(typeof done.ms, 'number');
  });

  test('without logPayloads the outcome line has the duration only', async () => {
    const handler = lambdaHandler(async (_event: { secret: string }) => 'ok', { service: 'test-quiet' });
    assert.equal(await handler({ secret: 'x' }, context('test-quiet')), 'ok');
    const done = lines.find((l) => l.message === 'test-quiet done');
    assert.ok(done);
    assert.equal(done.input, undefined);
    assert.equal(done.result, undefined);
  });

  test('an error reaches the caller unchanged, after a `failed` line naming it', async () => {
    class StepError extends Error {
      override readonly name = 'StepError';
    }
    const boom = new StepError('boom');
    const handler = lambdaHandler(
      async (_event: unknown) => {
        throw boom;
      },
      { service: 'test-fail', logPayloads: true },
    );
    await assert.rejects(handler({ a: 1 }, context('test-fail')), (e) => e === boom);
    const failed = lines.find((l) => l.message === 'test-fail failed');
    assert.ok(failed);
    assert.equal((failed.error as { name: string }).name, 'StepError');
    assert.deepEqual(failed.input, { a: 1 });
    assert.equal(failed.function_request_id, 'req-test-fail');
  });

  test('metrics the app adds are published once, as EMF, with the service; none are published when it adds none', async () => {
    const { metrics } = powertools('test-metrics');
    const handler = lambdaHandler(
      async (event: { add: boolean }) => {
        if (event.add) metrics.addMetric('rowsValid', MetricUnit.Count, 3);
        return null;
      },
      { service: 'test-metrics' },
    );
    await handler({ add: false }, context('test-metrics'));
    assert.equal(lines.filter((l) => '_aws' in l).length, 0, 'an empty invocation publishes nothing');
    assert.ok(!lines.some((l) => String(l.message ?? '').includes('No application metrics')));
    await handler({ add: true }, context('test-metrics'));
    const emf = lines.filter((l) => '_aws' in l);
    assert.equal(emf.length, 1);
    assert.equal(emf[0]!.rowsValid, 3);
    assert.equal(emf[0]!.service, 'test-metrics');
  });

  test('one set of Powertools per service', () => {
    assert.equal(powertools('a'), powertools('a'));
    assert.notEqual(powertools('a').logger, powertools('b').logger);
  });
});

describe('traced', () => {
  const xray = (c: S3Client) => c.middlewareStack.identify().filter((m) => /XRay/i.test(m));

  test('on Lambda, an SDK client gets the X-Ray middleware; elsewhere it is left as it is', () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    try {
      assert.deepEqual(xray(traced('test-traced-on', new S3Client({ region: 'eu-west-1' }))), ['XRaySDKInstrumentation - build']);
    } finally {
      vi.unstubAllEnvs();
    }
    const plain = new S3Client({ region: 'eu-west-1' });
    assert.equal(traced('test-traced-off', plain), plain);
    assert.deepEqual(xray(plain), []);
  });
});

describe('env', () => {
  test('requireEnv names every missing variable once, with the service', () => {
    assert.throws(
      () => requireEnv('phase-x', { A: '1' }, ['A', 'B', 'C', 'B']),
      (e: Error) => e instanceof MissingEnvError && e.name === 'MissingEnvError' && e.message === 'phase-x: environment variables not set: B, C',
    );
    assert.deepEqual(requireEnv('phase-x', { A: '1', B: '2' }, ['A', 'B']), { A: '1', B: '2' });
  });

  test('operationConfigOf refuses a config that is not JSON', () => {
    assert.throws(() => operationConfigOf('{nope'), SyntaxError);
  });
});
