/**
 * phase-alerts: {input, prefix, keys, signalCount} -> {sent, skipped}. The contacts (NCP addresses, languages,
 * analysts) are read from S3 at CONTACTS_KEY on every run, so a changed address needs no redeploy.
 */
import { dynamoClient, s3Client, sesClient } from '../core/platform/aws.ts';
import { parseContacts, sesMailer, type Mailer, type SendResult } from '../core/phase/alerts.ts';
import { getJson } from '../core/phase/io.ts';
import { UnreachableContacts } from '../core/mail/unreachable.ts';
import { PhaseTable } from '../core/phase/items.ts';
import { alertsStep, type StepContext } from '../core/phase/steps.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { traced } from '../shared/powertools.ts';
import { countOf, inputOf, readEnv, stringOf } from '../shared/phase-event.ts';

export type AlertsDeps = StepContext & {
  readonly table: PhaseTable;
  readonly mailer: Mailer;
  readonly contactsKey: string;
  readonly reportBaseUrl?: string;
  /** The addresses that bounced for good or complained (functions/core/mail), read at every run. */
  readonly unreachableContacts?: Pick<UnreachableContacts, 'addresses'>;
};

export function depsFromEnv(env: NodeJS.ProcessEnv): AlertsDeps {
  const { config, get } = readEnv('phase-alerts', env, ['BUCKET_NAME', 'TABLE_NAME', 'CONTACTS_KEY']);
  return {
    config,
    s3: traced('phase-alerts', s3Client()),
    bucket: get('BUCKET_NAME'),
    table: new PhaseTable({ client: traced('phase-alerts', dynamoClient()), tableName: get('TABLE_NAME') }),
    mailer: sesMailer(traced('phase-alerts', sesClient()), env.SES_CONFIGURATION_SET || undefined),
    contactsKey: get('CONTACTS_KEY'),
    unreachableContacts: new UnreachableContacts({ client: traced('phase-alerts', dynamoClient()), tableName: get('TABLE_NAME') }),
    ...(env.REPORT_BASE_URL ? { reportBaseUrl: env.REPORT_BASE_URL } : {}),
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
