/**
 * Alert emails (SES v2, one message per recipient: nobody sees another's address) and the failure email.
 *
 * Recipients: each Member's National Contact Point with an address in the contacts, in the Member's language, who
 * get the NCP version; and the analysts, in English, who get the analysts' version. An address that is both is an
 * analyst. Subject: the operation, the phase and the number of signals; body: the headline figures, the strongest
 * signals first (one sentence each, with its figures), and where the full report is. HTML with a plain-text
 * alternative. The content is a function of the summary only (no clock), so a rerun composes the same emails.
 *
 * Idempotent sending (items.ts): each email is claimed in the table under (run, recipient, content hash) before it
 * is sent, and marked sent after; a rerun skips what was sent and sends only the missing ones.
 */
import { createHash } from 'node:crypto';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Lang, OperationConfig } from '../operation/config.ts';
import { agree } from '../vocabulary/plural.ts';
import type { PhaseCloseInput } from './input.ts';
import type { PhaseTable } from './items.ts';
import type { SummaryJson } from './summary.ts';
import type { Signal } from './signals.ts';
import { count, counted, esc, MAIL_WORDS } from './text.ts';
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

export interface ReportLink {
  /** The S3 key of the HTML report (and of the workbook). */
  readonly htmlKey: string;
  readonly xlsxKey: string;
  readonly bucket: string;
  /**
   * The https page the reader opens: the portal's summary page (`{portalUrl}/summaries/{phase}/{runLabel}`), or a
   * presigned GET URL of the report (reportLinks in steps.ts). Preferred over baseUrl.
   */
  readonly url?: string;
  /** The workbook's link (presigned); absent with a portal page, which offers it. */
  readonly xlsxUrl?: string;
  /** When set (and no url), links are baseUrl + key (e.g. a site serving the bucket over https). */
  readonly baseUrl?: string;
}

/** A report link no reader could open (no url, no baseUrl): emails link only to https pages, never to s3://. */
export class ReportLinkError extends Error {
  override readonly name = 'ReportLinkError';
}

/** The reader's own Member's row (NCP emails only: per-Member figures go to that Member alone). */
export interface OwnRow {
  readonly member: string;
  readonly lines: number;
  readonly cases: number;
  readonly units: number;
}

/** Signals shown in an email; the rest are counted and left to the report. */
export const MAX_SIGNALS_IN_EMAIL = 10;

function where(l: ReportLink): { html: string; xlsx?: string } {
  if (l.url) return { html: l.url, ...(l.xlsxUrl ? { xlsx: l.xlsxUrl } : {}) };
  if (l.baseUrl) {
    const base = l.baseUrl.replace(/\/?$/, '/');
    return { html: `${base}${l.htmlKey}`, xlsx: `${base}${l.xlsxKey}` };
  }
  throw new ReportLinkError(`no link a reader can open for ${l.htmlKey}: give the portal's page or a presigned https URL`);
}

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

const EXTRA: Readonly<Record<Lang, { more: (n: number, kinds: string) => string; own: (o: OwnRow, lang: Lang) => string; open: string }>> =
  {
    en: {
      more: (n, kinds) => `… and ${n} more in the report (${kinds}).`,
      own: (o, lang) =>
        `Your Member (${o.member}) in this phase: ${count(o.lines, 'seizureLine', lang)} in ${count(o.cases, 'case', lang)}, ${count(o.units, 'unit', lang)}.`,
      open: 'Open the report',
    },
    fr: {
      more: (n, kinds) => `… et ${n} ${agree(n, 'fr', 'autre', 'autres')} dans le rapport (${kinds}).`,
      own: (o, lang) =>
        `Votre Membre (${o.member}) dans cette phase : ${count(o.lines, 'seizureLine', lang)} dans ${count(o.cases, 'case', lang)}, ${count(o.units, 'unit', lang)}.`,
      open: 'Ouvrir le rapport',
    },
    es: {
      more: (n, kinds) => `… y ${n} más en el informe (${kinds}).`,
      own: (o, lang) =>
        `Su Miembro (${o.member}) en esta fase: ${count(o.lines, 'seizureLine', lang)} en ${count(o.cases, 'case', lang)}, ${count(o.units, 'unit', lang)}.`,
      open: 'Abrir el informe',
    },
  };

/**
 * The alert email of a summary for one recipient (summary: the version for that recipient's role): the headline
 * (the strongest signals, at most maxSignals), then how many more there are by kind, and the https link to the report.
 * NCPs read plain sentences and, when given, their own Member's row; analysts the statistics.
 */
export function composeAlert(
  summary: SummaryJson,
  r: Recipient,
  link: ReportLink,
  maxSignals = MAX_SIGNALS_IN_EMAIL,
  own?: OwnRow,
): AlertEmail {
  const lang = r.language;
  const w = MAIL_WORDS[lang];
  const x = EXTRA[lang];
  const op = summary.operation.name;
  const n = summary.signalCount;
  const subject =
    summary.mode === 'final' ? w.subjectFinal(op, summary.phase.phase, n) : w.subjectInterim(op, summary.phase.phase, summary.asOf, n);
  const f = summary.figures.phase;
  const intro = w.intro(op, summary.phase.phase, summary.mode, summary.asOf);
  const figures = w.figures({ lines: f.lines, cases: f.cases, units: f.units.total, members: f.reportingMembers });
  const ownLine = own && r.role === 'ncp' ? x.own(own, lang) : undefined;
  const register = r.role === 'analyst' ? 'analyst' : 'plain';
  const headCount = Math.min(maxSignals, summary.headline?.length ?? maxSignals);
  const sentences = summary.signals.slice(0, headCount).map((s) => signalText(s.signal, lang, summary.thresholds.outlierScore, register));
  const rest = summary.signals.slice(headCount);
  const byKind = (['rising', 'alarm', 'new', 'falling', 'outlier'] as const)
    .map((k) => [k, rest.filter((e) => e.signal.kind === k).length] as const)
    .filter(([, c]) => c > 0)
    .map(([k, c]) => counted(c, lang, ...KIND_WORDS[lang][k]))
    .join(', ');
  const more = rest.length ? x.more(rest.length, byKind) : undefined;
  const links = where(link);
  const footer = r.role === 'ncp' ? w.confidential : "Analysts' version: it names Members' cases. Do not forward.";

  const text = [
    intro,
    '',
    figures,
    ...(ownLine ? [ownLine] : []),
    '',
    sentences.length ? w.signalsHead : w.none,
    ...sentences.map((s, i) => `${i + 1}. ${s}`),
    ...(more ? [more] : []),
    '',
    `${w.report}${lang === 'fr' ? ' : ' : ': '}${links.html}`,
    ...(links.xlsx ? [`XLSX: ${links.xlsx}`] : []),
    '',
    footer,
    '',
  ].join('\n');

  const a = (u: string, label: string) => `<a href="${esc(u)}">${esc(label)}</a>`;
  const body = [
    `<p>${esc(intro)}</p>`,
    `<p>${esc(figures)}${ownLine ? `<br>${esc(ownLine)}` : ''}</p>`,
    sentences.length
      ? `<p><strong>${esc(w.signalsHead)}</strong></p><ol>${sentences.map((s) => `<li style="margin:.35em 0">${esc(s)}</li>`).join('')}</ol>`
      : `<p>${esc(w.none)}</p>`,
    more ? `<p>${esc(more)}</p>` : '',
    `<p style="margin:1.2em 0">${a(links.html, x.open)}${links.xlsx ? ` · ${a(links.xlsx, 'XLSX')}` : ''}</p>`,
    `<p style="color:#5b6470;font-size:90%">${esc(footer)}</p>`,
  ].join('\n');
  const htmlDoc = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(subject)}</title></head><body style="font-family:system-ui,Arial,sans-serif;line-height:1.45;max-width:640px">\n${body}\n</body></html>\n`;
  const content = { subject, text, html: htmlDoc };
  // A presigned link changes at every signing: the hash leaves the links out, so a rerun recognises what it sent.
  const unlink = (t: string) =>
    [links.html, links.xlsx, esc(links.html), links.xlsx ? esc(links.xlsx) : undefined].reduce(
      (acc: string, u) => (u ? acc.split(u).join('{link}') : acc),
      t,
    );
  return {
    ...content,
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
