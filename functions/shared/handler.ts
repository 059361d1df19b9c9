/**
 * The one middy chain every Lambda handler is built with: `lambdaHandler(app, { service })` wraps the function's app
 * (event, Lambda context) -> result with, in order,
 * 1. the Tracer's handler segment (cold start, response or error annotated; off outside Lambda),
 * 2. the Logger's Lambda context (request id, function name, cold start on every log line of the invocation),
 * 3. metrics published once per invocation, only when the app added some (the phase steps add none, and Powertools'
 *    own logMetrics would warn on every invocation that there was nothing to publish),
 * 4. one outcome line per invocation: `<service> done` with its duration (and event and result when `logPayloads`), or
 *    `<service> failed` with the error as core/platform/logged-error.ts logs it (name, code, message digest, frames: never the
 *    message, which may quote a case reference or an address); the error is then rethrown unchanged (Step Functions
 *    and SQS see the same error).
 * The event, the context and the result pass through unchanged.
 */
// First: it must run before the X-Ray SDK loads.
import './xray-mode.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { loggedError } from '../core/platform/logged-error.ts';
import { powertools, type Powertools } from './powertools.ts';

export interface LambdaHandlerOptions<E = unknown> {
  /** The function's name under functions/ (POWERTOOLS_SERVICE_NAME on AWS): the `service` of its logs and metrics. */
  readonly service: string;
  /**
   * Whether the outcome line carries the event and the result. Yes for the phase steps (small JSON, the run's story);
   * no for batch events whose records the app logs one by one.
   * @default false
   */
  readonly logPayloads?: boolean;
  /**
   * The event as the outcome line shows it, when `logPayloads`: for an event that carries text the logs must not
   * (phase-failure's error Cause quotes the failed step's message).
   * @default the event as it is
   */
  readonly loggedEvent?: (event: E) => unknown;
}

export type LambdaApp<E, R> = (event: E, context: Context) => Promise<R>;

export function lambdaHandler<E, R>(app: LambdaApp<E, R>, options: LambdaHandlerOptions<E>): MiddyfiedHandler<E, R, Error, Context> {
  const tools = powertools(options.service);
  return middy<E, R, Error, Context>(app)
    .use(captureLambdaHandler(tools.tracer))
    .use(injectLambdaContext(tools.logger))
    .use(publishMetrics(tools))
    .use(outcome(tools, options));
}

function publishMetrics({ metrics }: Powertools): MiddlewareObj {
  const publish = async (): Promise<void> => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

function outcome<E, R>(
  { logger }: Powertools,
  { service, logPayloads = false, loggedEvent = (e) => e }: LambdaHandlerOptions<E>,
): MiddlewareObj<E, R, Error, Context> {
  const input = (event: E) => loggedEvent(event) as Record<string, unknown>;
  const started = new WeakMap<object, number>();
  return {
    before: async (request) => {
      started.set(request, Date.now());
    },
    after: async (request) => {
      const ms = Date.now() - (started.get(request) ?? Date.now());
      logger.info(
        `${service} done`,
        logPayloads ? { input: input(request.event), ms, result: request.response as Record<string, unknown> } : { ms },
      );
    },
    onError: async (request) => {
      logger.error(`${service} failed`, {
        ...(logPayloads ? { input: input(request.event) } : {}),
        error: loggedError(request.error),
      });
    },
  };
}
