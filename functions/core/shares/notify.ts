/**
 * The fan-out of a new share: to each recipient Member, an email to its NCP in the NCP's language that says only that a
 * share is waiting, with the portal link (no seizure content, no presigned link), and a web push to every subscribed
 * device of the Member's users (the same words, the link as the notification's target). Sent once each: every email
 * and push is claimed in the share's partition (`SENT#{member}#mail`, `SENT#{member}#push#{hash}`) by a conditional
 * put before it is sent, and the claim is removed when the sending fails, so a retried message (SQS) sends only what
 * is missing. A subscription the push service says is gone (404, 410) is deleted.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import webpush from 'web-push';
import { countryName } from '../vocabulary/countries.ts';
import type { Lang, OperationConfig } from '../operation/config.ts';
import type { Contacts, EmailContent, Mailer } from '../phase/alerts.ts';
import { documentClient, forEachLimit, isConditionFailure } from '../store/batch.ts';
import { endpointHash, sentSk, sharePk, TTL_ATTRIBUTE } from './keys.ts';
import type { PushSubscriptions, StoredSubscription, VapidKeys, VapidSource } from './push.ts';
import type { ShareStore } from './store.ts';
import { SHARE_TTL_GRACE_DAYS } from './store.ts';

/** The queue message: which share to announce. */
export interface ShareMessage {
  readonly shareId: string;
  readonly operation: string;
}

export interface FanOutDeps {
  readonly config: OperationConfig;
  readonly shares: ShareStore;
  readonly subscriptions: PushSubscriptions;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly contacts: Contacts;
  /** Lower-case addresses that bounced for good or complained: not written to. */
  readonly unreachable?: ReadonlySet<string>;
  readonly mailer: Mailer;
  readonly vapid: VapidSource;
  /** The portal's origin, https (locally http://127.0.0.1:PORT). */
  readonly portalUrl: string;
  /** Pushes in flight at once. @default 16 */
  readonly concurrency?: number;
  /** How long a push service keeps an undelivered push (seconds). @default 86400 */
  readonly pushTtlSeconds?: number;
  /** Test seam: sends one push, answers the push service's status. @default sendWebPush */
  readonly sendPush?: typeof sendWebPush;
  readonly now?: () => Date;
}

export interface FanOutResult {
  readonly emails: number;
  readonly pushes: number;
  /** Subscriptions deleted because the push service said they are gone. */
  readonly gone: number;
  /** Already sent by an earlier delivery of the message. */
  readonly skipped: number;
  /** No share, or not active any more: nothing sent. */
  readonly inactive?: boolean;
}

/** A send failed after its claim: the message is retried (only what is unsent is sent again). */
export class FanOutError extends Error {
  override readonly name = 'FanOutError';
  constructor(
    readonly failures: number,
    readonly firstError: unknown,
  ) {
    super(`${failures} notification(s) of the share could not be sent; they are retried`);
  }
}

interface MailWords {
  readonly subject: (operation: string) => string;
  /** That a share waits for the Member (no content), where to read it, and that the email holds nothing of it. */
  readonly lead: (member: string) => string;
  readonly read: string;
  /** The link's words (a button in the HTML part). */
  readonly open: string;
  readonly nothing: string;
  readonly push: string;
  readonly pushBody: (member: string) => string;
}

const WORDS: Record<Lang, MailWords> = {
  en: {
    subject: (op) => `${op}: a seizure has been shared with you`,
    lead: (member) => `Another Member's National Contact Point has shared a seizure with your administration (${member}).`,
    read: 'Read it in the portal (you will be asked to sign in):',
    open: 'Open in the portal',
    nothing: 'This email holds nothing of the seizure itself: it is only in the portal.',
    push: 'A seizure has been shared with you',
    pushBody: (member) => `Recipient Member: ${member}. Open to read it in the portal.`,
  },
  fr: {
    subject: (op) => `${op} : une saisie vous a été partagée`,
    lead: (member) => `Le point de contact national d’un autre Membre a partagé une saisie avec votre administration (${member}).`,
    read: 'Lisez-la sur le portail (il vous sera demandé de vous connecter) :',
    open: 'Ouvrir sur le portail',
    nothing: 'Ce courriel ne contient rien de la saisie elle-même : elle n’est que sur le portail.',
    push: 'Une saisie vous a été partagée',
    pushBody: (member) => `Membre destinataire : ${member}. Ouvrez pour la lire sur le portail.`,
  },
  es: {
    subject: (op) => `${op}: se ha compartido una incautación con usted`,
    lead: (member) => `El punto de contacto nacional de otro Miembro ha compartido una incautación con su administración (${member}).`,
    read: 'Léala en el portal (se le pedirá que inicie sesión):',
    open: 'Abrir en el portal',
    nothing: 'Este correo no contiene nada de la incautación: solo está en el portal.',
    push: 'Se ha compartido una incautación con usted',
    pushBody: (member) => `Miembro destinatario: ${member}. Abra para leerla en el portal.`,
  },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The share's address in the portal (the page asks for sign-in first). */
export const shareUrl = (portalUrl: string, id: string, lang: Lang) => `${portalUrl.replace(/\/+$/, '')}/shares/${id}?lang=${lang}`;

/** The email to a recipient Member's NCP: that a share is waiting, and the link. Nothing of the seizure. */
export function shareEmail(operationName: string, memberName: string, url: string, lang: Lang): EmailContent {
  const w = WORDS[lang];
  return {
    subject: w.subject(operationName),
    text: `${w.lead(memberName)}\n\n${w.read}\n${url}\n\n${w.nothing}\n`,
    html:
      `<!doctype html><html lang="${lang}"><head><meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
      `<body style="font-family:sans-serif;font-size:16px;line-height:1.5;max-width:36em;margin:0 auto;padding:12px">` +
      `<p>${esc(w.lead(memberName))}</p><p>${esc(w.read)}</p>` +
      `<p><a href="${esc(url)}" style="display:inline-block;background:#1f5f99;color:#fff;padding:12px 18px;border-radius:8px;text-decoration:none;font-weight:600">${esc(w.open)}</a></p>` +
      `<p style="font-size:14px;color:#4f5863;word-break:break-all">${esc(url)}</p>` +
      `<p style="color:#4f5863">${esc(w.nothing)}</p></body></html>`,
  };
}

/**
 * One push: the payload encrypted for the device (aes128gcm, RFC 8291) and signed for the push service (VAPID), by
 * web-push's generateRequestDetails, sent with fetch (web-push's own sender speaks https only, and the local cloud's
 * tests run their push service on http://127.0.0.1). Answers the push service's status.
 */
export async function sendWebPush(
  s: Pick<StoredSubscription, 'endpoint' | 'keys'>,
  payload: string,
  vapid: VapidKeys,
  ttlSeconds: number,
): Promise<number> {
  const r = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: s.keys }, payload, {
    vapidDetails: vapid,
    TTL: ttlSeconds,
    contentEncoding: 'aes128gcm',
    urgency: 'high',
  });
  const res = await fetch(r.endpoint, {
    method: r.method,
    headers: r.headers as Record<string, string>,
    ...(r.body ? { body: new Uint8Array(r.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

/** The push payload (encrypted for the device by web-push): words and the link, nothing of the seizure. */
export function pushPayload(memberName: string, url: string, id: string, lang: Lang): string {
  const w = WORDS[lang];
  return JSON.stringify({ title: w.push, body: w.pushBody(memberName), url, tag: `share-${id}`, lang });
}

export async function fanOut(d: FanOutDeps, m: ShareMessage): Promise<FanOutResult> {
  const got = await d.shares.get(m.shareId);
  const now = (d.now ?? (() => new Date()))();
  if (!got || got.share.revokedAt || Date.parse(got.share.expiresAt) <= now.getTime())
    return { emails: 0, pushes: 0, gone: 0, skipped: 0, inactive: true };
  const { share } = got;
  const doc = documentClient(d.dynamo);
  const ttl = Math.floor(Date.parse(share.expiresAt) / 1000) + SHARE_TTL_GRACE_DAYS * 86_400;
  const claim = async (sk: string): Promise<boolean> => {
    try {
      await doc.send(
        new PutCommand({
          TableName: d.tableName,
          Item: { pk: sharePk(share.id), sk, claimedAt: now.toISOString(), [TTL_ATTRIBUTE]: ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  };
  const unclaim = (sk: string) => doc.send(new DeleteCommand({ TableName: d.tableName, Key: { pk: sharePk(share.id), sk } }));
  let emails = 0;
  let pushes = 0;
  let gone = 0;
  let skipped = 0;
  const failures: unknown[] = [];
  const vapid = await d.vapid();
  const send = d.sendPush ?? sendWebPush;
  const ttlSeconds = d.pushTtlSeconds ?? 86_400;
  const langOf = (member: string): Lang =>
    d.contacts.members.find((c) => c.code === member)?.language ?? d.config.members.find((c) => c.code === member)?.language ?? 'en';
  // The Member's name in the NCP's language (ICU's country name), else the operation config's.
  const nameOf = (member: string, lang: Lang) => {
    const country = countryName(member, lang);
    return country !== member ? country : (d.config.members.find((c) => c.code === member)?.name ?? member);
  };

  const jobs: (() => Promise<void>)[] = [];
  for (const member of share.to) {
    const lang = langOf(member);
    const url = shareUrl(d.portalUrl, share.id, lang);
    const ncp = d.contacts.members.find((c) => c.code === member)?.ncpEmail;
    if (ncp && !d.unreachable?.has(ncp.toLowerCase())) {
      jobs.push(async () => {
        const sk = sentSk(member, 'mail');
        if (!(await claim(sk))) return void skipped++;
        try {
          await d.mailer.send(d.config.mailFrom, ncp, shareEmail(d.config.name, nameOf(member, lang), url, lang));
          emails++;
        } catch (e) {
          failures.push(e);
          await unclaim(sk);
        }
      });
    }
    for (const s of await d.subscriptions.ofMember(member)) {
      jobs.push(async () => {
        const sk = sentSk(member, `push#${endpointHash(s.endpoint)}`);
        if (!(await claim(sk))) return void skipped++;
        let status: number;
        try {
          status = await send(s, pushPayload(nameOf(member, lang), url, share.id, lang), vapid, ttlSeconds);
        } catch (e) {
          failures.push(e);
          await unclaim(sk);
          return;
        }
        if (status === 404 || status === 410) {
          await d.subscriptions.delete(s.sub, s.endpoint);
          gone++;
        } else if (status >= 200 && status < 300) pushes++;
        else {
          failures.push(new Error(`the push service answered ${status}`));
          await unclaim(sk);
        }
      });
    }
  }
  await forEachLimit(jobs, d.concurrency ?? 16, (job) => job());
  if (failures.length) throw new FanOutError(failures.length, failures[0]);
  return { emails, pushes, gone, skipped };
}

export type { StoredSubscription };
