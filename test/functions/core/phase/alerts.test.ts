import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { aggregateLines } from '../../../../functions/core/phase/aggregate.ts';
import { addDays } from '../../../../functions/core/operation/days.ts';
import { analyse } from '../../../../functions/core/phase/analyse.ts';
import { buildSummary, type SummaryJson } from '../../../../functions/core/phase/summary.ts';
import {
  AlertSendError,
  AlertsPendingError,
  composeAlert,
  composeFailure,
  contactsFromConfig,
  recipientsOf,
  sendAlerts,
  sesMailer,
  type AlertEmail,
  type Mailer,
} from '../../../../functions/core/phase/alerts.ts';
import { PhaseTable } from '../../../../functions/core/phase/items.ts';
import { MAIL_WORDS } from '../../../../functions/core/phase/mail-words.ts';
import { num } from '../../../../functions/core/phase/text.ts';
import type { SeizureRecord } from '../../../../functions/core/vocabulary/record.ts';
import { useDynalite } from '../store/local-dynamo.ts';
import { CONFIG, FINAL_2, L, sorted } from './fixtures.ts';

const local = useDynalite();

let n = 0;
const line = (member: string, day: string, over: Partial<SeizureRecord> = {}) =>
  L({ reporting_member: member, case_ref: `A${++n}`, line_no: 1, seizure_date: day, ...over });

async function summaries(): Promise<Record<'ncp' | 'analysts', SummaryJson>> {
  const lines: SeizureRecord[] = [];
  for (let i = 0; i < 2; i++) lines.push(line('FR', addDays('2021-05-03', i * 7), { product: 'ivermectin' }));
  for (let i = 0; i < 10; i++) lines.push(line('NL', addDays('2021-05-03', i * 5))); // paracetamol, air cargo: steady
  for (let i = 0; i < 30; i++) lines.push(line(['FR', 'DE', 'ES'][i % 3]!, addDays('2021-06-28', i), { product: 'ivermectin' }));
  lines.push(line('DE', '2021-07-02', { origin_country: 'TR', destination_country: 'DE' }));
  const agg = await aggregateLines(FINAL_2, CONFIG, sorted(lines));
  const a = analyse(FINAL_2, CONFIG, agg);
  return { ncp: buildSummary(FINAL_2, CONFIG, agg, a, 'ncp'), analysts: buildSummary(FINAL_2, CONFIG, agg, a, 'analysts') };
}

const LINK = { portalUrl: 'https://portal.example.org' };

async function emails(): Promise<AlertEmail[]> {
  const s = await summaries();
  return recipientsOf(contactsFromConfig(CONFIG)).map((r) => composeAlert(r.role === 'ncp' ? s.ncp : s.analysts, r, LINK));
}

/** A fake SES v2 client that keeps every SendEmailCommand's input. */
function fakeSes(fail?: (to: string) => boolean) {
  const sent: {
    FromEmailAddress?: string;
    Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } } } };
  }[] = [];
  const client = {
    async send(cmd: { constructor: { name: string }; input: unknown }) {
      assert.equal(cmd.constructor.name, 'SendEmailCommand');
      const input = cmd.input as (typeof sent)[number];
      if (fail?.(input.Destination!.ToAddresses![0]!)) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
      sent.push(input);
      return { MessageId: `m-${sent.length}` };
    },
  } as unknown as SESv2Client;
  return { client, sent, mailer: sesMailer(client) };
}

const RUN = { operation: 'stop-ii', phase: 2, runLabel: 'final' };

test('one email per recipient, each addressed to that recipient alone, with text and html parts', async () => {
  const ses = fakeSes();
  const table = new PhaseTable({ client: local.client(), tableName: await local.table() });
  const mails = await emails();
  const r = await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, mails);
  assert.deepEqual(r, { sent: 4, skipped: 0 }); // the analyst and the NCPs of FR, DE, ES (NL has no address)
  assert.deepEqual(
    ses.sent.map((m) => m.Destination),
    [
      { ToAddresses: ['analysts@stop-ii.example.org'] },
      { ToAddresses: ['ncp.de@customs.example.org'] },
      { ToAddresses: ['ncp.es@customs.example.org'] },
      { ToAddresses: ['ncp.fr@customs.example.org'] },
    ],
  );
  for (const m of ses.sent) {
    assert.equal(m.FromEmailAddress, CONFIG.mailFrom);
    assert.ok(m.Content!.Simple!.Body!.Text!.Data!.length > 0 && m.Content!.Simple!.Body!.Html!.Data!.startsWith('<!doctype html>'));
  }
});

test('the subject names the operation, the phase and the number of signals, in the NCP language', async () => {
  const s = await summaries();
  const mails = await emails();
  const by = Object.fromEntries(mails.map((m) => [m.to, m.subject]));
  // Issue 8: the one-line new route and the Members' firsts are no longer signals: one signal, in the singular.
  assert.equal(s.ncp.signalCount, 1);
  assert.equal(by['ncp.de@customs.example.org'], 'Operation STOP II: phase 2 summary, 1 signal');
  assert.equal(by['ncp.fr@customs.example.org'], 'Opération STOP II\u00a0: synthèse de la phase 2, 1 signal');
  assert.equal(by['ncp.es@customs.example.org'], 'Operación STOP II: resumen de la fase 2, 1 señal');
});

// Issue 8 (6), issue 17 (6): plain words for officers (how big, in round numbers; how sure), no p or q, no interval;
// the link is the portal's page of the run in the reader's language.
test('the strongest signal comes first, in plain words, and the link is the portal page in the reader language', async () => {
  const mail = (await emails()).find((m) => m.to === 'ncp.de@customs.example.org')!;
  const body = mail.text.split('\n');
  const first = body.find((l) => l.startsWith('1. '))!;
  assert.match(
    first,
    /^1\. Rising: ivermectin — about \d+ times as many seizures a week for each Member that reported as in phase 1 \(30 seizures by 3 Members, against 2\); (very )?unlikely to be chance\./,
  );
  assert.ok(!/\bq [<=]|\bp [<=]|between|interval/.test(mail.text), 'no p, q or interval in the NCP email');
  assert.ok(mail.text.includes('https://portal.example.org/summaries/2/final?lang=en'));
  assert.ok(mail.html.includes('href="https://portal.example.org/summaries/2/final?lang=en"'));
  assert.ok(!mail.text.includes('s3://') && !mail.html.includes('s3://'));
  assert.ok(!mail.text.includes('New route'), 'one line at one Member is no signal');
});

test('NCPs get the NCP report and analysts the analysts’ one, with p and q, linking to the same portal page', async () => {
  const s = await summaries();
  const [analyst] = recipientsOf(contactsFromConfig(CONFIG));
  const m = composeAlert(s.analysts, analyst!, LINK);
  assert.ok(m.text.includes('https://portal.example.org/summaries/2/final?lang=en') && m.text.includes('Do not forward'));
  assert.match(m.text, /BH q < 0\.001|BH q = /);
});

test('without a portal (a local cloud run without its portal) the email says where the summary is, with no link', async () => {
  const s = await summaries();
  const [analyst] = recipientsOf(contactsFromConfig(CONFIG));
  const m = composeAlert(s.analysts, analyst!, {});
  assert.ok(!/https?:\/\//.test(m.text) && !m.html.includes('href='));
  assert.ok(m.text.includes("The full summary is on the operation's portal: sign in to read it."));
});

test('French and Spanish sentences agree in gender and number; an NCP email carries its own Member row', async () => {
  const s = await summaries();
  const rs = recipientsOf(contactsFromConfig(CONFIG));
  const fr = composeAlert(s.ncp, rs.find((r) => r.language === 'fr')!, LINK, 10, { member: 'FR', lines: 11, cases: 11, units: 1200 });
  assert.match(
    fr.text,
    /En hausse\u00a0: ivermectine — environ \d+ fois plus de saisies par semaine et par Membre déclarant qu'en phase 1/,
  );
  assert.ok(fr.text.includes(`Votre Membre (France) dans cette phase\u00a0: 11 saisies dans 11 cas, ${num(1200, 'fr')} unités.`));
  const es = composeAlert(s.ncp, rs.find((r) => r.language === 'es')!, LINK);
  assert.match(es.text, /En aumento: ivermectina — unas \d+ veces más incautaciones por semana y por Miembro declarante que en la fase 1/);
});

test('running the alerts twice sends nothing the second time', async () => {
  const ses = fakeSes();
  const table = new PhaseTable({ client: local.client(), tableName: await local.table() });
  const mails = await emails();
  await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, mails);
  const again = await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, mails);
  assert.deepEqual(again, { sent: 0, skipped: 4 });
  assert.equal(ses.sent.length, 4);
});

test('after a failed send, the rerun sends only the missing email', async () => {
  const table = new PhaseTable({ client: local.client(), tableName: await local.table() });
  const mails = await emails();
  const flaky = fakeSes((to) => to === 'ncp.es@customs.example.org');
  await assert.rejects(sendAlerts({ table, mailer: flaky.mailer, from: CONFIG.mailFrom, run: RUN }, mails), (e: Error) => {
    assert.ok(e instanceof AlertSendError);
    // Logged by the handler: recipients appear as digests, never as addresses.
    assert.doesNotMatch(e.message, /@/);
    assert.match(e.message, /to-[0-9a-f]{12}/);
    return true;
  });
  assert.equal(flaky.sent.length, 3);
  const ok = fakeSes();
  assert.deepEqual(await sendAlerts({ table, mailer: ok.mailer, from: CONFIG.mailFrom, run: RUN }, mails), { sent: 1, skipped: 3 });
  assert.deepEqual(
    ok.sent.map((m) => m.Destination!.ToAddresses),
    [['ncp.es@customs.example.org']],
  );
});

test('a claim left by a sender that died is pending within the lease and taken over after it', async () => {
  let now = new Date('2022-02-01T06:00:00Z');
  const tableName = await local.table();
  const table = new PhaseTable({ client: local.client(), tableName, now: () => now, leaseMs: 60_000 });
  const [mail] = await emails();
  // The first sender claims, then dies before sending.
  assert.equal(await table.claimAlert(RUN, mail!.to, mail!.contentHash), 'claimed');
  const ses = fakeSes();
  await assert.rejects(sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, [mail!]), AlertsPendingError);
  now = new Date(now.getTime() + 61_000);
  assert.deepEqual(await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, [mail!]), { sent: 1, skipped: 0 });
});

test('changed content is a new email: the same recipient gets the corrected summary', async () => {
  const table = new PhaseTable({ client: local.client(), tableName: await local.table() });
  const [mail] = await emails();
  const ses = fakeSes();
  await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, [mail!]);
  const changed: AlertEmail = { ...mail!, text: `${mail!.text}\ncorrected`, contentHash: 'ffffffffffffffff' };
  assert.deepEqual(await sendAlerts({ table, mailer: ses.mailer, from: CONFIG.mailFrom, run: RUN }, [changed]), { sent: 1, skipped: 0 });
});

test('the failure email says which run failed and why', () => {
  const m = composeFailure(
    FINAL_2 as unknown as Record<string, unknown>,
    {
      Error: 'LineOrderError',
      Cause: JSON.stringify({ errorType: 'LineOrderError', errorMessage: 'phase 2, Member FR: line out of order', trace: ['at x'] }),
    },
    CONFIG.name,
  );
  assert.equal(m.subject, 'Operation STOP II: the phase close failed (phase 2 final)');
  assert.ok(m.text.includes('Error: LineOrderError') && m.text.includes('line out of order') && m.text.includes('"asOf":"2021-08-23"'));
  assert.ok(m.html.includes('LineOrderError'));
});

test('an address listed twice, or both NCP and analyst, gets one email', () => {
  const r = recipientsOf({
    members: [
      { code: 'FR', ncpEmail: 'A@x.org' },
      { code: 'DE', ncpEmail: 'a@X.org' },
    ],
    analysts: ['a@x.org'],
  });
  assert.deepEqual(
    r.map((x) => [x.email, x.role]),
    [['a@x.org', 'analyst']],
  );
});

test('a mailer is only ever given one address', async () => {
  const seen: string[] = [];
  const mailer: Mailer = {
    async send(_from, to) {
      seen.push(to);
      return 'id';
    },
  };
  const table = new PhaseTable({ client: local.client(), tableName: await local.table() });
  await sendAlerts({ table, mailer, from: CONFIG.mailFrom, run: RUN }, await emails());
  assert.ok(seen.every((a) => !a.includes(',') && !a.includes(';')));
});

// Review: "reported by 1 Members", "1 lignes … 1 cas", "1 Miembros": every count agrees with its number (plural.ts).
test('the phase figures of an alert agree with their numbers, singular and plural, in en, fr and es', () => {
  const one = { lines: 1, cases: 1, units: 1, members: 1 };
  const many = { lines: 1234, cases: 2, units: 5, members: 3 };
  assert.equal(MAIL_WORDS.en.figures(one), 'In this phase: 1 seizure in 1 case, 1 unit, reported by 1 Member.');
  assert.equal(MAIL_WORDS.en.figures(many), 'In this phase: 1,234 seizures in 2 cases, 5 units, reported by 3 Members.');
  assert.equal(MAIL_WORDS.fr.figures(one), 'Dans cette phase\u00a0: 1 saisie dans 1 cas, 1 unité, déclarée par 1 Membre.');
  assert.equal(
    MAIL_WORDS.fr.figures(many),
    `Dans cette phase\u00a0: ${num(1234, 'fr')} saisies dans 2 cas, 5 unités, déclarées par 3 Membres.`,
  );
  assert.equal(MAIL_WORDS.es.figures(one), 'En esta fase: 1 incautación en 1 caso, 1 unidad, declarada por 1 Miembro.');
  assert.equal(
    MAIL_WORDS.es.figures(many),
    `En esta fase: ${num(1234, 'es')} incautaciones en 2 casos, 5 unidades, declaradas por 3 Miembros.`,
  );
  assert.equal(MAIL_WORDS.en.subjectInterim('Op', 2, '2021-07-04', 0), 'Op: phase 2 interim update to 4\u00a0Jul\u00a02021, 0 signals');
  assert.equal(
    MAIL_WORDS.fr.subjectInterim('Operation X', 2, '2022-02-01', 0),
    "Opération X\u00a0: point d'étape de la phase 2 au 1er\u00a0févr.\u00a02022, 0 signal",
  );
  assert.equal(MAIL_WORDS.es.subjectFinal('Op', 2, 3), 'Op: resumen de la fase 2, 3 señales');
});

test("an NCP's own Member row agrees with its numbers", async () => {
  const s = await summaries();
  const fr = recipientsOf(contactsFromConfig(CONFIG)).find((r) => r.email === 'ncp.fr@customs.example.org')!;
  const es = recipientsOf(contactsFromConfig(CONFIG)).find((r) => r.email === 'ncp.es@customs.example.org')!;
  const own = { member: 'FR', lines: 1, cases: 1, units: 1 };
  assert.ok(
    composeAlert(s.ncp, fr, LINK, undefined, own).text.includes(
      'Votre Membre (France) dans cette phase\u00a0: 1 saisie dans 1 cas, 1 unité.',
    ),
  );
  assert.ok(
    composeAlert(s.ncp, es, LINK, undefined, { ...own, member: 'ES', lines: 2, cases: 2 }).text.includes(
      'Su Miembro (España) en esta fase: 2 incautaciones en 2 casos, 1 unidad.',
    ),
  );
  const de = (await emails()).find((m) => m.to === 'ncp.de@customs.example.org')!;
  assert.match(de.text, /^In this phase: [\d,]+ seizures in [\d,]+ cases, [\d,]+ units, reported by \d+ Members\.$/m);
});
