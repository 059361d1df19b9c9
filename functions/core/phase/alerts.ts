/**
 * Alert emails (SES v2, one message per recipient: nobody sees another's address) and the failure email.
 *
 * Recipients: each Member's National Contact Point with an address in the contacts, in the Member's language, who
 * get the NCP version; and the analysts, in English, who get the analysts' version. An address that is both is an
 * analyst. Subject: the operation, the phase and the number of signals; body: the headline figures, the strongest
 * signals first (one sentence each, with its figures), and the link to the run's page on the portal (links.ts: never
 * a presigned or s3 link). HTML with a plain-text alternative. The content is a function of the summary and the
 * reader's Member only (no clock), so a rerun composes the same emails.
 *
 * Idempotent sending (items.ts): each email is claimed in the table under (run, recipient, content hash) before it
 * is sent, and marked sent after; a rerun skips what was sent and sends only the missing ones.
 */
import { createHash } from 'node:crypto';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Lang, OperationConfig } from '../operation/config.ts';
import type { PhaseCloseInput } from './input.ts';
import type { PhaseTable } from './items.ts';
import type { SummaryJson } from './summary.ts';
import type { Signal } from './signals.ts';
import { portalNilReturnUrl, portalSummaryUrl, portalUploadUrl } from './links.ts';
import { MAIL_WORDS } from './mail-words.ts';
import { counted, esc, keyLabel, NBSP, typeset } from './text.ts';
import { signalText } from './sentences.ts';

export interface ContactMember {
  readonly code: string;
  readonly ncpEmail?: string;
  readonly language?: Lang;
}

/** The contacts object at CONTACTS_KEY: NCP addresses are kept out of the Lambda environment. */
export interface Contacts {
  readonly members: readonly ContactMember[];
  readonly analysts: readonly (string | { readonly email: string; readonly language?: Lang })[];
}

export class ContactsError extends Error {
  override readonly name = 'ContactsError';
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Checks a contacts object; throws ContactsError naming what is wrong. */
export function parseContacts(raw: unknown, origin = 'contacts'): Contacts {
  const fail = (m: string): never => {
    throw new ContactsError(`${origin}: ${m}`);
  };
  if (!raw || typeof raw !== 'object') fail('expected an object {members, analysts}');
  const o = raw as Record<string, unknown>;
  const members = Array.isArray(o.members) ? o.members : fail('"members" must be an array');
  const analysts = Array.isArray(o.analysts) ? o.analysts : o.analysts === undefined ? [] : fail('"analysts" must be an array');
  return {
    members: members.map((m, i) => {
      const mm = m as Record<string, unknown>;
      if (!mm || typeof mm.code !== 'string') fail(`members[${i}].code must be a string`);
      if (mm.ncpEmail !== undefined && (typeof mm.ncpEmail !== 'string' || !EMAIL.test(mm.ncpEmail)))
        fail(`members[${i}].ncpEmail is not an address`);
      const language = mm.language === 'fr' || mm.language === 'es' || mm.language === 'en' ? mm.language : undefined;
      return { code: mm.code as string, ...(mm.ncpEmail ? { ncpEmail: mm.ncpEmail as string } : {}), ...(language ? { language } : {}) };
    }),
    analysts: analysts.map((a, i) => {
      const email = typeof a === 'string' ? a : (a as { email?: unknown })?.email;
      if (typeof email !== 'string' || !EMAIL.test(email)) fail(`analysts[${i}] is not an address`);
      return email as string;
    }),
  };
}

/** The contacts of an operation config that has its NCP addresses (the full config, e.g. from cdk.json). */
export function contactsFromConfig(config: OperationConfig): Contacts {
  return {
    members: config.members.map((m) => ({
      code: m.code,
      ...(m.ncpEmail ? { ncpEmail: m.ncpEmail } : {}),
      ...(m.language ? { language: m.language } : {}),
    })),
    analysts: [...config.analysts],
  };
}

export interface Recipient {
  readonly email: string;
  readonly language: Lang;
  readonly role: 'ncp' | 'analyst';
  /** The NCP's Member. */
  readonly member?: string;
}

/**
 * Analysts first, then NCPs by Member; one entry per address (case-insensitive). `unreachable`: addresses (lower
 * case) that bounced for good or complained (functions/core/mail), left out.
 */
export function recipientsOf(contacts: Contacts, unreachable?: ReadonlySet<string>): Recipient[] {
  const out: Recipient[] = [];
  const seen = new Set<string>(unreachable);
  for (const a of contacts.analysts) {
    const email = typeof a === 'string' ? a : a.email;
    if (seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    out.push({ email, language: 'en', role: 'analyst' });
  }
  for (const m of [...contacts.members].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    if (!m.ncpEmail || seen.has(m.ncpEmail.toLowerCase())) continue;
    seen.add(m.ncpEmail.toLowerCase());
    out.push({ email: m.ncpEmail, language: m.language ?? 'en', role: 'ncp', member: m.code });
  }
  return out;
}

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface AlertEmail extends EmailContent {
  readonly to: string;
  readonly role: Recipient['role'];
  readonly language: Lang;
  /** First 16 hex digits of SHA-256 over subject, text and html. */
  readonly contentHash: string;
}

export const contentHash = (c: EmailContent): string =>
  createHash('sha256').update(`${c.subject}\u0000${c.text}\u0000${c.html}`).digest('hex').slice(0, 16);

/**
 * Where an email's links go (links.ts): the portal, never a report's S3 object. `portalUrl` absent: a local cloud run
 * without its portal (the stack always has one, lib/phase-close.ts): the email then says where the summary is, in
 * words, with no link.
 */
export interface AlertLinks {
  readonly portalUrl?: string;
}

/**
 * The reader's own Member in the phase (NCP emails only: per-Member figures go to that Member alone). `nilReturn`:
 * the Member sent "nothing to report" for the phase. A Member with no line and no nil return gets the nudge instead
 * of "0 seizures".
 */
export interface OwnRow {
  readonly member: string;
  readonly lines: number;
  readonly cases: number;
  readonly units: number;
  readonly nilReturn?: boolean;
}

/** Signals shown in an email; the rest are counted and left to the report. */
export const MAX_SIGNALS_IN_EMAIL = 10;

const KIND_WORDS: Readonly<Record<Lang, Readonly<Record<Signal['kind'], readonly [string, string]>>>> = {
  en: {
    rising: ['rising', 'rising'],
    falling: ['falling', 'falling'],
    alarm: ['weekly alarm', 'weekly alarms'],
    new: ['new item', 'new items'],
    outlier: ['unusual size', 'unusual sizes'],
  },
  fr: {
    rising: ['en hausse', 'en hausse'],
    falling: ['en baisse', 'en baisse'],
    alarm: ['alerte hebdomadaire', 'alertes hebdomadaires'],
    new: ['nouveauté', 'nouveautés'],
    outlier: ['taille inhabituelle', 'tailles inhabituelles'],
  },
  es: {
    rising: ['en aumento', 'en aumento'],
    falling: ['en descenso', 'en descenso'],
    alarm: ['alerta semanal', 'alertas semanales'],
    new: ['novedad', 'novedades'],
    outlier: ['tamaño inusual', 'tamaños inusuales'],
  },
};

const ANALYSTS_FOOTER = "Analysts' version: it names Members' cases. Do not forward.";

/**
 * The alert email of a summary for one recipient (summary: the version for that recipient's role): for an NCP whose
 * Member reported nothing, first the nudge (upload, or "nothing to report", with the portal's links); then the
 * phase's figures and the reader's own Member, the headline (the strongest signals, at most maxSignals), how many
 * more there are by kind, and the link to the run's page on the portal in the reader's language. NCPs read plain
 * sentences; analysts the statistics. Every French text has its no-break spaces.
 */
export function composeAlert(
  summary: SummaryJson,
  r: Recipient,
  links: AlertLinks,
  maxSignals = MAX_SIGNALS_IN_EMAIL,
  own?: OwnRow,
): AlertEmail {
  const lang = r.language;
  const w = MAIL_WORDS[lang];
  const T = (t: string) => typeset(t, lang);
  const op = summary.operation.name;
  const n = summary.signalCount;
  const phase = summary.phase.phase;
  const subject = T(summary.mode === 'final' ? w.subjectFinal(op, phase, n) : w.subjectInterim(op, phase, summary.asOf, n));
  const f = summary.figures.phase;
  const intro = T(w.intro(op, phase, summary.mode, summary.asOf));
  const figures = T(w.figures({ lines: f.lines, cases: f.cases, units: f.units.total, members: f.reportingMembers }));
  const ncpOwn = own && r.role === 'ncp' ? own : undefined;
  const name = ncpOwn ? keyLabel('member', ncpOwn.member, lang) : '';
  const nothing = ncpOwn !== undefined && ncpOwn.lines === 0;
  const ownLine = !ncpOwn
    ? undefined
    : nothing
      ? ncpOwn.nilReturn
        ? T(w.ownNil(name))
        : undefined
      : T(w.own({ name, lines: ncpOwn.lines, cases: ncpOwn.cases, units: ncpOwn.units }));
  const nudge = nothing && !ncpOwn.nilReturn ? [T(w.nudge(name, phase, summary.mode)), T(w.nudgeHow)] : undefined;
  const register = r.role === 'analyst' ? 'analyst' : 'plain';
  const headCount = Math.min(maxSignals, summary.headline?.length ?? maxSignals);
  const sentences = summary.signals.slice(0, headCount).map((s) => signalText(s.signal, lang, summary.thresholds.outlierScore, register));
  const rest = summary.signals.slice(headCount);
  const byKind = (['rising', 'alarm', 'new', 'falling', 'outlier'] as const)
    .map((k) => [k, rest.filter((e) => e.signal.kind === k).length] as const)
    .filter(([, c]) => c > 0)
    .map(([k, c]) => counted(c, lang, ...KIND_WORDS[lang][k]))
    .join(', ');
  const more = rest.length ? T(w.more(rest.length, byKind)) : undefined;
  const portal = links.portalUrl;
  const page = portal ? portalSummaryUrl(portal, phase, summary.runLabel, lang) : undefined;
  const upload = portal ? portalUploadUrl(portal, lang) : undefined;
  const nil = portal ? portalNilReturnUrl(portal, lang) : undefined;
  const footer = r.role === 'ncp' ? w.confidential : ANALYSTS_FOOTER;
  const head = sentences.length ? T(w.signalsHead) : w.none;
  const lead = (label: string, url: string) => `${label}${lang === 'fr' ? `${NBSP}: ` : ': '}${url}`;

  const text = [
    ...(nudge ? [...nudge, ...(upload && nil ? [lead(w.uploadLink, upload), lead(T(w.nilLink), nil)] : [w.noLink]), '', '---', ''] : []),
    intro,
    '',
    figures,
    ...(ownLine ? [ownLine] : []),
    '',
    head,
    ...sentences.map((s, i) => `${i + 1}. ${s}`),
    ...(more ? [more] : []),
    '',
    page ? lead(w.read, page) : T(w.noLink),
    '',
    footer,
    '',
  ].join('\n');

  const a = (u: string, label: string, button = false) =>
    `<a href="${esc(u)}"${button ? ' style="display:inline-block;padding:.6em 1em;background:#0b5cad;color:#fff;border-radius:4px;text-decoration:none"' : ''}>${esc(label)}</a>`;
  const body = [
    nudge
      ? `<div style="border-left:4px solid #0b5cad;padding:.2em 0 .2em 1em;margin:0 0 1.2em">${nudge.map((p) => `<p>${esc(p)}</p>`).join('')}${
          upload && nil ? `<p>${a(upload, w.uploadLink, true)}</p><p>${a(nil, T(w.nilLink))}</p>` : `<p>${esc(T(w.noLink))}</p>`
        }</div>`
      : '',
    `<p>${esc(intro)}</p>`,
    `<p>${esc(figures)}${ownLine ? `<br>${esc(ownLine)}` : ''}</p>`,
    sentences.length
      ? `<p><strong>${esc(head)}</strong></p><ol style="padding-left:1.4em">${sentences.map((s) => `<li style="margin:.5em 0">${esc(s)}</li>`).join('')}</ol>`
      : `<p>${esc(head)}</p>`,
    more ? `<p>${esc(more)}</p>` : '',
    `<p style="margin:1.2em 0">${page ? a(page, w.open, !nudge) : esc(T(w.noLink))}</p>`,
    `<p style="color:#5b6470;font-size:90%">${esc(footer)}</p>`,
  ]
    .filter(Boolean)
    .join('\n');
  const htmlDoc = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head><body style="font-family:system-ui,Arial,sans-serif;font-size:16px;line-height:1.5;max-width:640px;margin:0 auto;padding:12px;overflow-wrap:anywhere">\n${body}\n</body></html>\n`;
  // The hash leaves the portal's address out: a local portal on another port, or a new domain, is not new content.
  const unlink = (t: string) => (portal ? t.split(portal).join('{portal}') : t);
  return {
    subject,
    text,
    html: htmlDoc,
    to: r.email,
    role: r.role,
    language: lang,
    contentHash: contentHash({ subject, text: unlink(text), html: unlink(htmlDoc) }),
  };
}

/** Sends one email; returns the message id. */
export interface Mailer {
  send(from: string, to: string, content: EmailContent): Promise<string | undefined>;
}

/**
 * A Mailer over SES v2: one SendEmail per recipient, the address alone in To. `configurationSet`: the stack's
 * (SES_CONFIGURATION_SET), whose event destination reports bounces and complaints.
 */
export function sesMailer(ses: Pick<SESv2Client, 'send'>, configurationSet?: string): Mailer {
  return {
    async send(from, to, c) {
      const out = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: c.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: c.text, Charset: 'UTF-8' }, Html: { Data: c.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
      return out.MessageId;
    },
  };
}

/** Some emails could not be sent; what was sent is recorded, so a retry sends only the rest. */
/**
 * How an address appears in errors and logs: a short digest, never the address (logs are read by more people than
 * the contacts file). The same address always gives the same id, so an engineer can find it in the contacts.
 */
export const recipientId = (address: string): string =>
  `to-${createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 12)}`;

export class AlertSendError extends Error {
  override readonly name = 'AlertSendError';
}

/** Some emails are claimed by another sender that may still be at work; retry after the lease. */
export class AlertsPendingError extends Error {
  override readonly name = 'AlertsPendingError';
}

export interface SendResult {
  sent: number;
  skipped: number;
}

/**
 * Sends every email not yet sent for this run, at most `concurrency` at once. Throws AlertSendError when some sends
 * failed (their claims are given back) and AlertsPendingError when some are claimed by a live sender, after every
 * other email has been dealt with.
 */
export async function sendAlerts(
  opts: {
    table: PhaseTable;
    mailer: Mailer;
    from: string;
    run: { operation: string; phase: number; runLabel: string };
    concurrency?: number;
  },
  emails: readonly AlertEmail[],
): Promise<SendResult> {
  let sent = 0;
  let skipped = 0;
  const failed: string[] = [];
  const pending: string[] = [];
  const queue = [...emails];
  const worker = async (): Promise<void> => {
    for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
      const claim = await opts.table.claimAlert(opts.run, e.to, e.contentHash);
      if (claim === 'sent') {
        skipped++;
        continue;
      }
      if (claim === 'pending') {
        pending.push(recipientId(e.to));
        continue;
      }
      let id: string | undefined;
      try {
        id = await opts.mailer.send(opts.from, e.to, e);
      } catch (err) {
        // The error's name only: SES messages may quote the address.
        failed.push(`${recipientId(e.to)}: ${(err as Error).name ?? 'Error'}`);
        await opts.table.releaseAlert(opts.run, e.to, e.contentHash);
        continue;
      }
      await opts.table.markSent(opts.run, e.to, e.contentHash, id);
      sent++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, emails.length)) }, worker));
  if (failed.length)
    throw new AlertSendError(
      `${failed.length} of ${emails.length} alert email(s) not sent (${sent} sent, ${skipped} already sent): ${failed.slice(0, 5).join('; ')}`,
    );
  if (pending.length)
    throw new AlertsPendingError(
      `${pending.length} alert email(s) are being sent by another run; retry after the lease (${pending.slice(0, 5).join(', ')})`,
    );
  return { sent, skipped };
}

/** The failure email to the analysts: which run failed, and why. */
export function composeFailure(
  input: Partial<PhaseCloseInput> & Record<string, unknown>,
  error: { Error?: string; Cause?: string },
  operationName: string,
): EmailContent {
  const run = `phase ${String(input.phase ?? '?')} ${input.mode === 'interim' ? `interim as of ${String(input.asOf ?? '?')}` : String(input.mode ?? '?')}`;
  const subject = `${operationName}: the phase close failed (${run})`;
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorType?: string; errorMessage?: string; trace?: string[] };
    if (parsed && typeof parsed === 'object' && (parsed.errorMessage || parsed.errorType)) {
      cause = [`${parsed.errorType ?? ''}: ${parsed.errorMessage ?? ''}`, ...(parsed.trace ?? []).slice(0, 12)].join('\n');
    }
  } catch {
    // not JSON: shown as given
  }
  if (cause.length > 6000) cause = `${cause.slice(0, 6000)}…`;
  const lines = [
    `The phase close of ${operationName} failed.`,
    '',
    `Run: ${run}`,
    `Input: ${JSON.stringify(input)}`,
    `Error: ${error.Error ?? 'unknown'}`,
    '',
    'Cause:',
    cause || '(none given)',
    '',
    'Fix the cause, then run the same phase close again: it replaces the summary and sends only the alert emails not sent yet.',
    '',
  ];
  const text = lines.join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(subject)}</title></head><body style="font-family:system-ui,Arial,sans-serif">
<p>The phase close of ${esc(operationName)} failed.</p>
<p><strong>Run:</strong> ${esc(run)}<br><strong>Input:</strong> <code>${esc(JSON.stringify(input))}</code><br><strong>Error:</strong> ${esc(error.Error ?? 'unknown')}</p>
<pre style="white-space:pre-wrap">${esc(cause || '(none given)')}</pre>
<p>Fix the cause, then run the same phase close again: it replaces the summary and sends only the alert emails not sent yet.</p>
</body></html>
`;
  return { subject, text, html };
}
