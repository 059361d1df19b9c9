/**
 * SES sending events (configuration set event publishing to SNS) as the contacts they make unreachable. A permanent
 * bounce (the address does not exist, the domain refuses mail) or a complaint (the recipient marked the alert as
 * spam) means later alerts to that address must stop; a transient bounce (mailbox full, greylisting) does not, and
 * neither does any other event type. The older identity notifications (`notificationType`) are read alike.
 */

export interface UnreachableContact {
  /** As SES gave it; compared in lower case. */
  readonly email: string;
  readonly reason: 'bounce' | 'complaint';
  /** `Permanent/General`, `Permanent/NoEmail`...; for a complaint its feedback type (`abuse`) or `complaint`. */
  readonly detail: string;
  /** The bounce's diagnostic code (SMTP status and text), when SES gives one. */
  readonly diagnostic?: string;
  /** When the bounce or complaint happened (the event's timestamp). */
  readonly at: string;
  /** The SES message id of the email that bounced. */
  readonly messageId?: string;
  /** The sender of that email. */
  readonly source?: string;
}

/** The message is not an SES event (not JSON, or no event type): nothing to do, logged by the handler. */
export class NotAnSesEventError extends Error {
  override readonly name = 'NotAnSesEventError';
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; source?: string; timestamp?: string };
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    timestamp?: string;
    bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string; status?: string }[];
  };
  complaint?: { timestamp?: string; complaintFeedbackType?: string; complainedRecipients?: { emailAddress?: string }[] };
}

/** The contacts an SES event (the SNS message's text) makes unreachable; [] for events that do not. */
export function unreachableFromSesEvent(message: string): UnreachableContact[] {
  let e: SesEvent;
  try {
    e = JSON.parse(message) as SesEvent;
  } catch {
    throw new NotAnSesEventError('the SNS message is not JSON');
  }
  if (!e || typeof e !== 'object') throw new NotAnSesEventError('the SNS message is not an object');
  const type = e.eventType ?? e.notificationType;
  if (typeof type !== 'string') throw new NotAnSesEventError('the SNS message has no eventType');
  const mail = { ...(e.mail?.messageId ? { messageId: e.mail.messageId } : {}), ...(e.mail?.source ? { source: e.mail.source } : {}) };
  if (type === 'Bounce') {
    const b = e.bounce ?? {};
    if (b.bounceType !== 'Permanent') return [];
    return (b.bouncedRecipients ?? [])
      .filter((r) => typeof r.emailAddress === 'string' && r.emailAddress !== '')
      .map((r) => ({
        email: r.emailAddress!,
        reason: 'bounce' as const,
        detail: `Permanent/${b.bounceSubType ?? 'General'}`,
        ...(r.diagnosticCode || r.status ? { diagnostic: r.diagnosticCode ?? r.status! } : {}),
        at: b.timestamp ?? e.mail?.timestamp ?? new Date().toISOString(),
        ...mail,
      }));
  }
  if (type === 'Complaint') {
    const c = e.complaint ?? {};
    return (c.complainedRecipients ?? [])
      .filter((r) => typeof r.emailAddress === 'string' && r.emailAddress !== '')
      .map((r) => ({
        email: r.emailAddress!,
        reason: 'complaint' as const,
        detail: c.complaintFeedbackType ?? 'complaint',
        at: c.timestamp ?? e.mail?.timestamp ?? new Date().toISOString(),
        ...mail,
      }));
  }
  return [];
}
