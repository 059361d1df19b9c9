/**
 * The ingest Lambda's parts: SQS messages carrying S3 notifications -> ingestUpload for each upload. A thin adapter: it
 * parses the event, calls the core and maps failures to partial batch responses, so SQS retries only the failed
 * messages and moves them to the DLQ after the third receive.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoClient, s3Client } from '../core/platform/aws.ts';
import { loggedError } from '../core/platform/logged-error.ts';
import { ingestUpload, isBusy, isPermanentFailure, NotAnUploadError, recordFailure, type IngestDeps } from '../core/ingest/ingest.ts';
import { NilReturnStore } from '../core/operation/nil-return.ts';
import { SeizureStore } from '../core/store/store.ts';
import { operationConfigOf, requireEnv } from '../shared/env.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { powertools, traced } from '../shared/powertools.ts';
import { uploadsFromSqsBody } from './event.ts';
import { budgetFromEnv } from './budget.ts';

export { MissingEnvError } from '../shared/errors.ts';

const SERVICE = 'ingest';
const { logger, metrics } = powertools(SERVICE);

/** The dependencies, from the Lambda environment; checked at init so a misconfigured function fails at once. */
export function depsFromEnv(env: NodeJS.ProcessEnv): IngestDeps {
  const vars = requireEnv(SERVICE, env, ['TABLE_NAME', 'OPERATION_CONFIG']);
  const maxReceives = Number(env.MAX_RECEIVE_COUNT ?? 3);
  const dynamo = traced(SERVICE, dynamoClient());
  const budget = budgetFromEnv(env);
  return {
    ...(Object.keys(budget).length ? { limits: budget } : {}),
    maxReceives: Number.isInteger(maxReceives) && maxReceives > 0 ? maxReceives : 3,
    s3: traced(SERVICE, s3Client()),
    store: new SeizureStore({ client: dynamo, tableName: vars.TABLE_NAME }),
    nilReturns: new NilReturnStore({ client: dynamo, tableName: vars.TABLE_NAME }),
    config: operationConfigOf(vars.OPERATION_CONFIG),
  };
}

export function createRecordHandler(deps: IngestDeps, log: Pick<Logger, 'info' | 'warn' | 'error'> = logger) {
  return async (record: SQSRecord, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const lastReceive = receives >= (deps.maxReceives ?? 3);
    // The run's deadline: the core stops, and the Member hears, before the timeout kills the run without a word.
    const run = context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {};
    for (const upload of uploadsFromSqsBody(record.body)) {
      try {
        const s = await ingestUpload(deps, upload, run);
        log.info('ingested', { key: upload.key, status: s.status, rows: s.rows, stored: s.stored });
        if (s.status === 'failed') {
          // A failure a retry cannot fix: the Member has feedback saying so; the UploadsFailed alarm tells the team.
          log.error('upload failed for good; the Member was told', {
            key: upload.key,
            error: s.failure ? { name: s.failure.type } : undefined,
          });
          metrics.addMetric('uploadsFailed', MetricUnit.Count, 1);
        }
        metrics.addMetric('rowsValid', MetricUnit.Count, s.rows.valid);
        metrics.addMetric('rowsInvalid', MetricUnit.Count, s.rows.invalid);
      } catch (e) {
        if (e instanceof NotAnUploadError) {
          log.warn('not an upload, ignored', { key: upload.key });
          continue;
        }
        if (isBusy(e) && !lastReceive) {
          // Not a failure of the upload: another upload of the Member is being stored, or the run had no time left.
          // The submission stays `processing` and SQS delivers the message again.
          log.info('another upload of this Member is being stored; the message will be retried', { key: upload.key });
          throw e;
        }
        // A failure a retry would repeat (the store or DynamoDB refusing what it was given) ends now, with feedback.
        const permanent = isPermanentFailure(e);
        log.error(
          permanent
            ? 'ingest failed for good; the Member is told'
            : lastReceive
              ? 'ingest failed on the last receive; the message goes to the DLQ and the Member is told'
              : 'ingest failed; the message will be retried',
          { key: upload.key, receives, error: loggedError(e) },
        );
        await recordFailure(deps, upload, e, lastReceive || permanent).catch((re: unknown) =>
          log.error('could not record the failure', { error: loggedError(re) }),
        );
        if (permanent) {
          metrics.addMetric('uploadsFailed', MetricUnit.Count, 1);
          continue;
        }
        throw e;
      }
    }
  };
}

export function createIngestHandler(deps: IngestDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = createRecordHandler(deps);
  return lambdaHandler(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    { service: SERVICE },
  );
}
