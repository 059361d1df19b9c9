/**
 * Bounces and complaints (functions/core/mail, functions/mail-events): which SES events make a contact unreachable,
 * the records in the table (dynalite), the handler over SNS records, and the alerts skipping those contacts.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Context, SNSEvent } from 'aws-lambda';
import { NotAnSesEventError, unreachableFromSesEvent } from '../../../../functions/core/mail/events.ts';
import { UnreachableContacts } from '../../../../functions/core/mail/unreachable.ts';
import { recipientsOf } from '../../../../functions/core/phase/alerts.ts';
import { createMailEventsHandler } from '../../../../functions/mail-events/app.ts';
import { startDynalite, type LocalDynamo } from '../store/local-dynamo.ts';
import { fileURLToPath } from 'node:url';
import { recorded, sentBy } from '../../../../functions/core/platform/aws.ts';
import { callsAreCurrent, recordCalls } from '../../../lib/preflight/record.ts';

// The mail-events function's AWS calls, kept for `seizures preflight` (lib/preflight/calls/mail-events.json).
const recording = recordCalls();

const mail = {
  timestamp: '2027-03-08T06:00:01.000Z',
  source: 'alerts@stop-iii.example.org',
  messageId: '0100018f-abc',
  destination: ['ncp.fr@customs.example.org'],
};
const permanent = (email: string) =>
  JSON.stringify({
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'NoEmail',
      timestamp: '2027-03-08T06:00:03.000Z',
      feedbackId: 'f1',
      bouncedRecipients: [{ emailAddress: email, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    },
    mail,
  });
const transient = JSON.stringify({
  eventType: 'Bounce',
  bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'ncp.de@customs.example.org' }] },
  mail,
});
const complaint = (email: string) =>
  JSON.stringify({
    eventType: 'Complaint',
    complaint: { timestamp: '2027-03-09T10:00:00.000Z', complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: email }] },
    mail,
  });
/** The Lambda context the chain hands to the logger. */
const context = {
  functionName: 'mail-events',
  functionVersion: '$LATEST',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const sns = (...messages: string[]): SNSEvent =>
  ({ Records: messages.map((Message, i) => ({ EventSource: 'aws:sns', Sns: { Message, MessageId: `m${i}` } })) }) as unknown as SNSEvent;

describe('SES events', () => {
  test('a permanent bounce makes each bounced recipient unreachable, with its detail and diagnostic', () => {
    assert.deepEqual(unreachableFromSesEvent(permanent('NCP.FR@customs.example.org')), [
      {
        email: 'NCP.FR@customs.example.org',
        reason: 'bounce',
        detail: 'Permanent/NoEmail',
        diagnostic: 'smtp; 550 5.1.1 user unknown',
        at: '2027-03-08T06:00:03.000Z',
        messageId: '0100018f-abc',
        source: 'alerts@stop-iii.example.org',
      },
    ]);
  });

  test('a complaint makes the complaining recipient unreachable', () => {
    const [c] = unreachableFromSesEvent(complaint('ncp.es@customs.example.org'));
    assert.deepEqual(
      [c!.email, c!.reason, c!.detail, c!.at],
      ['ncp.es@customs.example.org', 'complaint', 'abuse', '2027-03-09T10:00:00.000Z'],
    );
  });

  test('a transient bounce, a delivery or a delay does not; the older notificationType form is read too', () => {
    assert.deepEqual(unreachableFromSesEvent(transient), []);
    assert.deepEqual(unreachableFromSesEvent(JSON.stringify({ eventType: 'Delivery', mail })), []);
    assert.deepEqual(unreachableFromSesEvent(JSON.stringify({ eventType: 'DeliveryDelay', mail })), []);
    const old = JSON.parse(permanent('a@b.org'));
    delete old.eventType;
    old.notificationType = 'Bounce';
    assert.equal(unreachableFromSesEvent(JSON.stringify(old)).length, 1);
  });

  test('a message that is not an SES event is named as such (a CloudWatch alarm is JSON without eventType)', () => {
    assert.throws(() => unreachableFromSesEvent('not json'), NotAnSesEventError);
    assert.throws(() => unreachableFromSesEvent(JSON.stringify({ AlarmName: 'x', NewStateValue: 'ALARM' })), NotAnSesEventError);
  });
});

describe('unreachable contacts in the table, the mail-events handler, the alerts', () => {
  let db: LocalDynamo;
  let contacts: UnreachableContacts;
  let tableName: string;
  beforeAll(async () => {
    db = await startDynalite();
    tableName = await db.table();
    contacts = new UnreachableContacts({ client: db.client(), tableName, now: () => new Date('2027-03-08T06:01:00.000Z') });
  });
  afterAll(async () => {
    await db?.close();
    if (tableName) callsAreCurrent('mail-events', recording, { [tableName]: 'TableName' }, fileURLToPath(import.meta.url));
  });

  test('the handler records permanent bounces and complaints, ignores the rest, and a redelivery changes nothing', async () => {
    const warned: string[] = [];
    // The handler's calls, as the function's: a recorded client named as functions/mail-events/app.ts names it.
    const own = new UnreachableContacts({
      client: recorded(sentBy(db.client(), 'mail-events')),
      tableName,
      now: () => new Date('2027-03-08T06:01:00.000Z'),
    });
    const handler = createMailEventsHandler({
      contacts: own,
      log: { info: () => {}, warn: (m: string) => void warned.push(m) } as never,
    });
    const event = sns(
      permanent('NCP.FR@customs.example.org'),
      transient,
      complaint('ncp.es@customs.example.org'),
      JSON.stringify({ AlarmName: 'DLQ' }),
    );
    assert.deepEqual(await handler(event, context), { marked: 2 });
    assert.deepEqual(warned, ['not an SES event, ignored']);
    assert.deepEqual(await handler(event, context), { marked: 2 });
    const list = await contacts.list();
    assert.deepEqual(
      list.map((c) => [c.email, c.reason, c.markedAt]),
      [
        ['ncp.es@customs.example.org', 'complaint', '2027-03-08T06:01:00.000Z'],
        ['NCP.FR@customs.example.org', 'bounce', '2027-03-08T06:01:00.000Z'],
      ],
    );
    assert.deepEqual([...(await contacts.addresses())].sort(), ['ncp.es@customs.example.org', 'ncp.fr@customs.example.org']);
  });

  test('the alerts skip unreachable addresses (any case), analysts included; clear() makes one reachable again', async () => {
    const c = {
      members: [
        { code: 'FR', ncpEmail: 'ncp.fr@customs.example.org' },
        { code: 'ES', ncpEmail: 'NCP.ES@customs.example.org', language: 'es' as const },
        { code: 'DE', ncpEmail: 'ncp.de@customs.example.org' },
      ],
      analysts: ['analysts@stop-iii.example.org', 'ncp.es@customs.example.org'],
    };
    assert.deepEqual(
      recipientsOf(c).map((r) => r.email),
      ['analysts@stop-iii.example.org', 'ncp.es@customs.example.org', 'ncp.de@customs.example.org', 'ncp.fr@customs.example.org'],
    );
    assert.deepEqual(
      recipientsOf(c, await contacts.addresses()).map((r) => r.email),
      ['analysts@stop-iii.example.org', 'ncp.de@customs.example.org'],
    );
    await contacts.clear('ncp.fr@CUSTOMS.example.org');
    assert.deepEqual(
      recipientsOf(c, await contacts.addresses()).map((r) => r.email),
      ['analysts@stop-iii.example.org', 'ncp.de@customs.example.org', 'ncp.fr@customs.example.org'],
    );
  });
});
