/**
 * The one place the Powertools utilities are created: a Logger, Metrics and Tracer per service (the function's name,
 * which the CDK construct also sets as POWERTOOLS_SERVICE_NAME). Memoised by service, because the local cloud hosts
 * every function in one process and must keep their log lines apart, as Lambda does.
 *
 * The Tracer turns itself off outside Lambda (no AWS_EXECUTION_ENV), so the local cloud and the tests send no traces.
 */
// First: it must run before the X-Ray SDK loads.
import './xray-mode.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { recorded, sentBy } from '../core/platform/aws.ts';

export interface Powertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** The namespace of every custom metric (POWERTOOLS_METRICS_NAMESPACE on AWS says the same). */
export const METRICS_NAMESPACE = 'SeizurePipeline';

const byService = new Map<string, Powertools>();

export function powertools(service: string): Powertools {
  let tools = byService.get(service);
  if (!tools) {
    tools = {
      logger: new Logger({ serviceName: service }),
      metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: service }),
      tracer: new Tracer({ serviceName: service }),
    };
    byService.set(service, tools);
  }
  return tools;
}

/**
 * An AWS SDK v3 client whose calls appear as X-Ray subsegments of the service's invocation (on Lambda, where tracing
 * is active; elsewhere the client is returned as it is).
 */
export function traced<C>(service: string, client: C): C {
  // Named for the preflight's recording (functions/core/platform/aws.ts), and recorded whatever made it (a client the
  // function makes itself, e.g. Secrets Manager's): the service is the function's.
  return powertools(service).tracer.captureAWSv3Client(recorded(sentBy(client, service)));
}
