/**
 * phase-alerts: {input, prefix, keys, signalCount} -> {sent, skipped}. The contacts (NCP addresses, languages,
 * analysts) are read from S3 at CONTACTS_KEY on every run, so a changed address needs no redeploy.
 *
 * PORTAL_URL: the portal every email links to (functions/core/phase/links.ts), checked at init: https, or http to
 * 127.0.0.1 when the function runs on the local cloud (SEIZURES_LOCAL_S3 set). Required on AWS (the stack always sets
 * it: lib/phase-close.ts); on the local cloud without its portal the emails say where the summary is, with no link.
 */
import { dynamoClient, LOCAL_ENV, s3Client, sesClient } from '../core/platform/aws.ts';
import { parseContacts, sesMailer, type Mailer, type SendResult } from '../core/phase/alerts.ts';
import { getJson } from '../core/phase/io.ts';
import { checkPortalUrl, PortalUrlError } from '../core/phase/links.ts';
import { UnreachableContacts } from '../core/mail/unreachable.ts';
import { NilReturnStore } from '../core/operation/nil-return.ts';
import { PhaseTable } from '../core/phase/items.ts';
import { alertsStep, type StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { MissingEnvError } from '../shared/errors.ts';
import { traced } from '../shared/powertools.ts';
import { countOf, inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export type AlertsDeps = StepContext & {
  readonly table: PhaseTable;
  readonly mailer: Mailer;
  readonly contactsKey: string;
  /** The portal the emails link to; absent only on the local cloud without its portal. */
  readonly portalUrl?: string;
  /** The Members that sent "nothing to report" for a phase (not nudged). */
  readonly nilReturns?: (operation: string, phase: number) => Promise<ReadonlySet<string>>;
  /** The addresses that bounced for good or complained (functions/core/mail), read at every run. */
  readonly unreachableContacts?: Pick<UnreachableContacts, 'addresses'>;
};

/** PORTAL_URL checked (see the module comment); throws MissingEnvError when it is absent or not a portal's URL. */
export function portalUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  const local = !!env[LOCAL_ENV.s3];
  const url = env.PORTAL_URL;
  if (!url) {
    if (local) return undefined;
    throw new MissingEnvError(
      "phase-alerts: environment variable not set: PORTAL_URL (the portal the alert emails link to; the stack sets it from the portal's CloudFront distribution)",
    );
  }
  try {
    return checkPortalUrl(url, { local, origin: 'phase-alerts: PORTAL_URL' });
  } catch (e) {
    if (e instanceof PortalUrlError) throw new MissingEnvError(e.message);
    throw e;
  }
}

export function depsFromEnv(env: NodeJS.ProcessEnv): AlertsDeps {
  const { config, get } = readEnv('phase-alerts', env, ['BUCKET_NAME', 'TABLE_NAME', 'CONTACTS_KEY']);
  const portalUrl = portalUrlOf(env);
  const dynamo = traced('phase-alerts', dynamoClient());
  const nilStore = new NilReturnStore({ client: dynamo, tableName: get('TABLE_NAME') });
  return {
    config,
    s3: traced('phase-alerts', s3Client()),
    bucket: get('BUCKET_NAME'),
    table: new PhaseTable({ client: dynamo, tableName: get('TABLE_NAME') }),
    mailer: sesMailer(traced('phase-alerts', sesClient()), env.SES_CONFIGURATION_SET || undefined),
    contactsKey: get('CONTACTS_KEY'),
    unreachableContacts: new UnreachableContacts({ client: dynamo, tableName: get('TABLE_NAME') }),
    nilReturns: async (operation, phase) => new Set((await nilStore.list(operation, phase)).map((n) => n.member)),
    ...(portalUrl ? { portalUrl } : {}),
  };
}

export function createAlertsHandler(deps: AlertsDeps) {
  return lambdaHandler(
    async (event: unknown): Promise<SendResult> => {
      const { input, event: e } = inputOf(event, deps.config);
      const contacts = parseContacts(await getJson(deps.s3, deps.bucket, deps.contactsKey), `s3://${deps.bucket}/${deps.contactsKey}`);
      const unreachable = await deps.unreachableContacts?.addresses();
      return alertsStep(
        { ...deps, contacts, ...(unreachable ? { unreachable } : {}) },
        input,
        stringOf(e, 'prefix'),
        e.keys,
        countOf(e, 'signalCount'),
      );
    },
    { service: 'phase-alerts', logPayloads: true },
  );
}
