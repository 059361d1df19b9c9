/**
 * mail-events: the SES bounce and complaint events the configuration set publishes to the alarms topic (SNS) ->
 * the contacts they make unreachable, recorded in the table (functions/core/mail). A thin adapter: it parses the SNS
 * records and calls the core. Messages that are not SES events (a CloudWatch alarm on the same topic) are ignored;
 * the subscription's filter policy normally keeps them away.
 *
 * Environment: TABLE_NAME.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { dynamoClient } from '../core/aws.ts';
import { NotAnSesEventError, unreachableFromSesEvent } from '../core/mail/events.ts';
import { UnreachableContacts } from '../core/mail/unreachable.ts';

export class MissingEnvError extends Error {
  override readonly name = 'MissingEnvError';
}

const logger = new Logger({ serviceName: 'mail-events' });

export interface MailEventsDeps {
  readonly contacts: Pick<UnreachableContacts, 'mark'>;
  readonly log?: Pick<Logger, 'info' | 'warn'>;
}

export function depsFromEnv(env: NodeJS.ProcessEnv): MailEventsDeps {
  if (!env.TABLE_NAME) throw new MissingEnvError('mail-events: environment variables not set: TABLE_NAME');
  return { contacts: new UnreachableContacts({ client: dynamoClient(), tableName: env.TABLE_NAME }) };
}

export function createMailEventsHandler(deps: MailEventsDeps) {
  const log = deps.log ?? logger;
  return async (event: SNSEvent): Promise<{ marked: number }> => {
    let marked = 0;
    for (const record of event.Records ?? []) {
      let found;
      try {
        found = unreachableFromSesEvent(record.Sns?.Message ?? '');
      } catch (e) {
        if (!(e instanceof NotAnSesEventError)) throw e;
        log.warn('not an SES event, ignored', { messageId: record.Sns?.MessageId, reason: e.message });
        continue;
      }
      for (const c of found) {
        await deps.contacts.mark(c);
        log.info('contact marked unreachable: later alerts skip it', { email: c.email, reason: c.reason, detail: c.detail });
        marked++;
      }
    }
    return { marked };
  };
}
