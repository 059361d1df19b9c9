/**
 * mail-events: the SES bounce and complaint events the configuration set publishes to the alarms topic (SNS) ->
 * the contacts they make unreachable, recorded in the table (functions/core/mail). A thin adapter on the one middy
 * chain (functions/shared/handler.ts): it parses the SNS records and calls the core. Messages that are not SES events
 * (a CloudWatch alarm on the same topic) are ignored; the subscription's filter policy normally keeps them away.
 *
 * Environment: TABLE_NAME.
 */
import type { SNSEvent } from 'aws-lambda';
import { dynamoClient } from '../core/platform/aws.ts';
import { NotAnSesEventError, type UnreachableContact, unreachableFromSesEvent } from '../core/mail/events.ts';
import { UnreachableContacts } from '../core/mail/unreachable.ts';
import { recipientId } from '../core/phase/alerts.ts';
import { requireEnv } from '../shared/env.ts';
import { lambdaHandler } from '../shared/handler.ts';
import { powertools, traced } from '../shared/powertools.ts';

const SERVICE = 'mail-events';

export interface MailEventsDeps {
  readonly contacts: Pick<UnreachableContacts, 'mark'>;
  readonly log?: {
    info(message: string, extra?: Record<string, unknown>): void;
    warn(message: string, extra?: Record<string, unknown>): void;
  };
}

export function depsFromEnv(env: NodeJS.ProcessEnv): MailEventsDeps {
  const { TABLE_NAME } = requireEnv(SERVICE, env, ['TABLE_NAME']);
  return { contacts: new UnreachableContacts({ client: traced(SERVICE, dynamoClient()), tableName: TABLE_NAME }) };
}

export function createMailEventsHandler(deps: MailEventsDeps) {
  const log = deps.log ?? powertools(SERVICE).logger;
  return lambdaHandler(
    async (event: SNSEvent): Promise<{ marked: number }> => {
      let marked = 0;
      for (const record of event.Records ?? []) {
        let found: UnreachableContact[];
        try {
          found = unreachableFromSesEvent(record.Sns?.Message ?? '');
        } catch (e) {
          if (!(e instanceof NotAnSesEventError)) throw e;
          log.warn('not an SES event, ignored', { messageId: record.Sns?.MessageId, reason: e.message });
          continue;
        }
        for (const c of found) {
          await deps.contacts.mark(c);
          log.info('contact marked unreachable: later alerts skip it', {
            recipient: recipientId(c.email),
            reason: c.reason,
            detail: c.detail,
          });
          marked++;
        }
      }
      return { marked };
    },
    // No payloads in the logs: a bounce or complaint event carries the recipients' addresses.
    { service: SERVICE },
  );
}
