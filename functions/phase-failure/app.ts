/**
 * phase-failure: {input, error: {Error, Cause}} -> {notified}; emails the analysts which run failed and why. It takes
 * the input as it came (it may be the malformed input that made the run fail) and never throws on its shape.
 */
import { sesClient } from '../core/platform/aws.ts';
import type { OperationConfig } from '../core/operation/config.ts';
import { sesMailer, type Mailer } from '../core/phase/alerts.ts';
import { messageDigest } from '../core/platform/logged-error.ts';
import { failureStep } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { readEnv } from '../shared/phase-event.ts';

export interface FailureDeps {
  readonly config: OperationConfig;
  readonly mailer: Mailer;
}

export function depsFromEnv(env: NodeJS.ProcessEnv): FailureDeps {
  return {
    config: readEnv('phase-failure', env, []).config,
    mailer: sesMailer(traced('phase-failure', sesClient()), env.SES_CONFIGURATION_SET || undefined),
  };
}

function withCauseDigest(event: unknown): unknown {
  const e = event as { error?: { Cause?: unknown } } | undefined;
  if (typeof e?.error?.Cause !== 'string') return event;
  const { Cause, ...error } = e.error;
  return { ...e, error: { ...error, causeSha256: messageDigest(Cause) } };
}

export function createFailureHandler(deps: FailureDeps) {
  return lambdaHandler(
    async (event: unknown): Promise<{ notified: number }> => {
      const e = (event && typeof event === 'object' ? event : {}) as { input?: unknown; error?: { Error?: unknown; Cause?: unknown } };
      const error = {
        ...(typeof e.error?.Error === 'string' ? { Error: e.error.Error } : {}),
        ...(typeof e.error?.Cause === 'string' ? { Cause: e.error.Cause } : {}),
      };
      return failureStep(deps, e.input ?? {}, error);
    },
    // The Cause is the failed step's error message, which may quote a case reference: the analysts' email has it,
    // the log only its digest.
    { service: 'phase-failure', logPayloads: true, loggedEvent: withCauseDigest },
  );
}
