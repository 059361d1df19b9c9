/**
 * Issue 17: what each NCP and analyst receives, read as its reader would. The demo's phase 3 (fixtures/demo-phase-3.json:
 * the five signals of the planted story, the first annex entries, as the phase close wrote them) and a signal of
 * every other kind, in en, fr and es: no bearer link, no English in French or Spanish, French spacing, short plain
 * sentences, days and numbers in the reader's locale, and the nudge for a Member that reported nothing.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { composeAlert, type OwnRow, type Recipient } from '../../../../functions/core/phase/alerts.ts';
import { MAIL_WORDS } from '../../../../functions/core/phase/mail-words.ts';
import { signalText } from '../../../../functions/core/phase/sentences.ts';
import type { Signal } from '../../../../functions/core/phase/signals.ts';
import type { SummaryJson } from '../../../../functions/core/phase/summary.ts';
import { day, frenchSpacing, num, ofOperation, operationName } from '../../../../functions/core/phase/text.ts';
import type { Lang } from '../../../../functions/core/operation/config.ts';

const DEMO = JSON.parse(readFileSync(new URL('./fixtures/demo-phase-3.json', import.meta.url), 'utf8')) as Record<
  'ncp' | 'analysts',
  SummaryJson
>;
const PORTAL = 'https://d111abcdef8.cloudfront.net';
const LANGS: readonly Lang[] = ['en', 'fr', 'es'];

/** A signal of every kind the demo's phase 3 lacks. */
const OTHERS: Signal[] = [
  {
    kind: 'rising',
    dimension: 'origin',
    key: 'IN',
    earlier: { phase: 2, phases: [1, 2], lines: 0, members: 0 },
    later: { phase: 3, lines: 15, members: 4 },
    rateRatio: null,
    ci: { low: 6.1, high: null },
    p: 1e-6,
    q: 2e-5,
  },
  {
    kind: 'falling',
    dimension: 'transport_mode',
    key: 'air_cargo',
    earlier: { phase: 2, lines: 300, members: 40 },
    later: { phase: 3, lines: 150, members: 35 },
    rateRatio: 0.62,
    ci: { low: 0.5, high: 0.76 },
    p: 1e-5,
    q: 0.004,
  },
  {
    kind: 'rising',
    dimension: 'route',
    key: 'CN>AE>SN',
    earlier: { phase: 2, lines: 10, members: 4 },
    later: { phase: 3, lines: 16, members: 5 },
    rateRatio: 1.43,
    p: 0.01,
    q: 0.03,
  },
  {
    kind: 'alarm',
    dimension: 'product',
    key: 'face_mask',
    week: '2022-03-07',
    weeks: ['2022-02-28', '2022-03-07', '2022-03-14', '2022-03-21', '2022-03-28'],
    count: 12,
    members: 4,
    expected: 3.1,
    upperBound: 9,
    score: 5,
    methods: ['exact'],
    p: 1e-6,
    q: 1e-4,
    baselineWeeks: 12,
    baselineSum: 37,
  },
  {
    kind: 'alarm',
    dimension: 'concealment',
    key: 'baggage',
    week: '2022-03-07',
    count: 7,
    upperBound: 3.2,
    score: 4,
    methods: ['c1', 'c2'],
  },
  { kind: 'new', novelty: 'origin', key: 'IN', origin: 'IN', week: '2022-03-01', lines: 9, members: 3, q: 0.004 },
  {
    kind: 'new',
    novelty: 'product_multi_member',
    key: 'ivermectin',
    product: 'ivermectin',
    week: '2022-02-07',
    lines: 40,
    members: 14,
    expected: 6.2,
    q: 0.002,
  },
  { kind: 'outlier', product: 'oxygen_cylinder', unit: 'pieces', count: 1, maxScore: 12, p: 1e-5 },
  { kind: 'outlier', product: 'azithromycin', unit: 'doses', count: 3, maxScore: 8, p: 1e-4 },
];

const allSignals = (s: SummaryJson): Signal[] => [...s.signals.map((e) => e.signal), ...(s.annex ?? []).map((e) => e.signal), ...OTHERS];

/** The demo's summary with every kind of signal in its headline. */
function withEverything(s: SummaryJson): SummaryJson {
  const signals = allSignals(s).map((signal) => ({ text: '', signal }));
  return { ...s, signals, headline: signals, signalCount: signals.length };
}

const ncp = (language: Lang, member = 'SN'): Recipient => ({ email: `ncp.${member}@x.org`, language, role: 'ncp', member });
const analyst: Recipient = { email: 'analyst@x.org', language: 'en', role: 'analyst' };
const REPORTED: OwnRow = { member: 'SN', lines: 145482, cases: 12, units: 145482425 };
const NOTHING: OwnRow = { member: 'SN', lines: 0, cases: 0, units: 0 };

function everyEmail() {
  const out: { who: string; lang: Lang; subject: string; text: string; html: string }[] = [];
  for (const lang of LANGS)
    for (const own of [REPORTED, NOTHING, { ...NOTHING, nilReturn: true }]) {
      const m = composeAlert(withEverything(DEMO.ncp), ncp(lang), { portalUrl: PORTAL }, 30, own);
      out.push({ who: `ncp ${lang} ${own.lines ? 'reported' : own.nilReturn ? 'nil' : 'nothing'}`, lang, ...m });
    }
  const a = composeAlert(withEverything(DEMO.analysts), analyst, { portalUrl: PORTAL }, 30);
  out.push({ who: 'analysts', lang: 'en', ...a });
  return out;
}

/** The text a reader reads: the plain text and the HTML's text, links left out (they are checked on their own). */
const readable = (m: { subject: string; text: string; html: string }) =>
  [
    m.subject,
    m.text.replace(/https?:\/\/\S+/g, ''),
    m.html
      .replace(/<[^>]+>/g, ' ')
      .replace(/https?:\/\/\S+/g, '')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  ].join('\n');

test('no email, NCP or analysts, in any language, carries a presigned or S3 link: every link is a portal page', () => {
  for (const m of everyEmail()) {
    for (const t of [m.text, m.html]) {
      assert.doesNotMatch(t, /X-Amz-/i, m.who);
      assert.doesNotMatch(t, /s3:\/\/|\.s3[.-][a-z0-9-]*\.?amazonaws\.com|amazonaws\.com|127\.0\.0\.1:4569/i, m.who);
      for (const u of t.match(/https?:\/\/[^\s"<)]+/g) ?? []) assert.ok(u.startsWith(`${PORTAL}/`), `${m.who}: ${u}`);
    }
    assert.ok(m.text.includes(`${PORTAL}/summaries/3/final?lang=${m.lang}`), `${m.who}: the run's page in the reader's language`);
  }
});

/** The English of the templates: none of it may appear in a French or Spanish email. */
const ENGLISH = [
  ...Object.values(MAIL_WORDS.en).filter((v): v is string => typeof v === 'string'),
  'seizure',
  'Members',
  'Rising',
  'Falling',
  'Weekly alarm',
  'New route',
  'New origin',
  'New concealment',
  'Spreading',
  'First seizures',
  'Unusually large',
  'unlikely to be chance',
  'could be chance',
  'times as many',
  'fewer',
  'a week for each',
  'in the week of',
  'since the week of',
  'expected',
  'Also',
  'Your Member',
  'In this phase',
  'reported',
  'concealment',
  'origin ',
  'route ',
  'transport mode',
  'Jan ',
  'Feb ',
  'Mar ',
  'summary',
  'phase 3 summary',
  'Operation STOP',
  ' of ',
  ' by ',
  ' and ',
];

test('French and Spanish emails hold no English phrase of the templates', () => {
  for (const m of everyEmail().filter((x) => x.lang !== 'en')) {
    const t = readable(m);
    for (const phrase of ENGLISH) {
      const re = new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), phrase.trim() === phrase ? 'i' : '');
      assert.doesNotMatch(t, re, `${m.who}: "${phrase}"`);
    }
  }
});

test('French puts a no-break space before : ; ? ! and inside « », so no mark wraps to the start of a line', () => {
  for (const m of everyEmail().filter((x) => x.lang === 'fr')) {
    const t = readable(m).replace(/&nbsp;/g, '\u00a0');
    for (const x of t.matchAll(/[:;?!»]/g)) {
      const before = t[x.index! - 1];
      assert.ok(before === '\u00a0' || before === '\u202f', `${m.who}: "${t.slice(Math.max(0, x.index! - 25), x.index! + 3)}"`);
    }
    for (const x of t.matchAll(/«/g)) assert.ok(/[\u00a0\u202f]/.test(t[x.index! + 1]!), `${m.who}: after «`);
  }
  assert.equal(frenchSpacing('Signaux : a ; b ! « c »'), 'Signaux\u00a0: a\u00a0; b\u00a0! «\u00a0c\u00a0»');
  assert.equal(frenchSpacing('https://x.org/?lang=fr'), 'https://x.org/?lang=fr', 'URLs are left alone');
});

const words = (t: string) => t.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

test('plain sentences are short, name what each key is, and carry no statistics, test names, keys or codes', () => {
  for (const lang of LANGS)
    for (const s of allSignals(DEMO.ncp)) {
      const t = signalText(s, lang, 3.5, 'plain');
      // About 40 words: the same sentence runs about a tenth longer in French and Spanish than in English.
      assert.ok(words(t) <= (lang === 'en' ? 40 : 44), `${lang} (${words(t)} words): ${t}`);
      assert.doesNotMatch(t, /\b[pq] [<=]|z-score|\bscore|Benjamini|\btest|interval|interv|\bkeys?\b|\bclés?\b|\bclaves?\b|\[|\]|∞/iu, t);
      assert.doesNotMatch(t, /\bBH\b|\bCI\b|\bIC\b|95 ?%|Member-week/, t);
      assert.doesNotMatch(t, /[a-z]+_[a-z_]+|\b[A-Z]{2}>[A-Z]{2}/, `no code: ${t}`);
      assert.doesNotMatch(t, /\d{4}-\d{2}-\d{2}/, `no ISO day: ${t}`);
    }
  const route = DEMO.ncp.signals[0]!.signal;
  assert.equal(
    signalText(route, 'en', 3.5),
    'New route: Türkiye → Bulgaria → Romania → Hungary → Austria → Germany — 30 seizures by 5 Members since the week of 31\u00a0Jan\u00a02022; very unlikely to be chance. Also: rising concealment “vehicle cavity”, new origin Türkiye and 4 new transit countries.',
  );
  assert.equal(
    signalText(route, 'fr', 3.5),
    'Nouvel itinéraire\u00a0: Turquie → Bulgarie → Roumanie → Hongrie → Autriche → Allemagne — 30 saisies par 5 Membres depuis la semaine du 31\u00a0janv.\u00a02022\u00a0; très probablement pas un hasard. Également\u00a0: dissimulation «\u00a0cache dans un véhicule\u00a0» en hausse, nouvelle origine Turquie et 4 nouveaux pays de transit.',
  );
  assert.equal(
    signalText(route, 'es', 3.5),
    'Nueva ruta: Turquía → Bulgaria → Rumanía → Hungría → Austria → Alemania — 30 incautaciones de 5 Miembros desde la semana del 31\u00a0ene\u00a02022; muy improbable que se deba al azar. También: ocultación «doble fondo en vehículo» en aumento, nuevo origen Turquía y 4 nuevos países de tránsito.',
  );
  const falling = DEMO.ncp.signals.find((e) => e.signal.kind === 'falling')!.signal;
  assert.equal(
    signalText(falling, 'en', 3.5),
    'Falling: oxygen cylinder — about 5 times fewer seizures a week for each Member that reported than in phase 2 (12 seizures by 6 Members, against 80); very unlikely to be chance.',
  );
});

test('"Spreading" only when more Members seized a product than expected; fewer is a plain count, with no "chance"', () => {
  const annex = DEMO.ncp.annex![0]!.signal; // 8 Members, about 11 expected
  for (const lang of LANGS) assert.doesNotMatch(signalText(annex, lang, 3.5), /Spreading|diffusion|expansión|chance|hasard|azar/);
  assert.match(
    signalText(annex, 'en', 3.5),
    /^First seizures: azithromycin — 8 Members seized it for the first time \(about 11 expected\)/,
  );
  const spread = OTHERS.find((s) => s.kind === 'new' && s.novelty === 'product_multi_member')!;
  assert.match(signalText(spread, 'en', 3.5), /^Spreading: ivermectin — 14 Members seized it for the first time \(about 6 expected\)/);
  assert.match(signalText(spread, 'fr', 3.5), /^En diffusion\u00a0: ivermectine — 14 Membres en ont saisi pour la première fois/);
  assert.match(signalText(spread, 'es', 3.5), /^En expansión: ivermectina — 14 Miembros incautaron este producto por primera vez/);
});

test('sizes in round words: times for 2 and more, tens of percent below; nothing before is said as counts', () => {
  const [inf, fall, rise] = OTHERS as [Signal, Signal, Signal];
  assert.match(
    signalText(inf, 'en', 3.5),
    /^Rising: origin India — 15 seizures by 4 Members in phase 3, none in phases 1–2; very unlikely to be chance\.$/,
  );
  assert.match(signalText(inf, 'fr', 3.5), /^En hausse\u00a0: origine Inde — 15 saisies par 4 Membres en phase 3, aucune en phases 1–2/);
  assert.match(signalText(fall, 'en', 3.5), /about 40% fewer seizures a week for each Member that reported than in phase 2/);
  assert.match(signalText(fall, 'fr', 3.5), /mode de transport «\u00a0fret aérien\u00a0» — environ 40\u00a0% de saisies en moins/);
  assert.match(signalText(rise, 'es', 3.5), /ruta China → Emiratos Árabes Unidos → Senegal — un 40\u00a0% más de incautaciones/);
});

test('French elides "de" before a vowel and agrees with the count', () => {
  const [one, three] = OTHERS.filter((s) => s.kind === 'outlier');
  assert.match(signalText(one!, 'fr', 3.5), /^Taille inhabituelle\u00a0: 1 saisie de bouteille d'oxygène \(pièces\) bien plus grande que/);
  assert.match(signalText(three!, 'fr', 3.5), /^Taille inhabituelle\u00a0: 3 saisies d'azithromycine \(doses\) bien plus grandes que/);
  assert.match(signalText(three!, 'es', 3.5), /^Tamaño inusual: 3 incautaciones de azitromicina \(dosis\) mucho mayores/);
});

test("days and numbers in the reader's locale, in the email and its sentences", () => {
  assert.equal(day('2022-01-31', 'en'), '31\u00a0Jan\u00a02022');
  assert.equal(day('2022-01-31', 'fr'), '31\u00a0janv.\u00a02022');
  assert.equal(day('2022-02-01', 'fr'), '1er\u00a0févr.\u00a02022');
  assert.equal(day('2022-01-31', 'es'), '31\u00a0ene\u00a02022');
  const fr = composeAlert(DEMO.ncp, ncp('fr'), { portalUrl: PORTAL }, 10, REPORTED);
  assert.ok(fr.text.includes(`${num(145482425, 'fr')} unités`) && num(145482425, 'fr') === '145\u202f482\u202f425', fr.text);
  assert.ok(fr.text.includes('31\u00a0janv.\u00a02022'));
  assert.ok(fr.text.includes("La synthèse de la phase 3 de l'opération STOP II est prête."));
  const es = composeAlert(DEMO.ncp, ncp('es'), { portalUrl: PORTAL }, 10, REPORTED);
  assert.ok(es.text.includes('145.482.425 unidades') && es.text.includes('Su Miembro (Senegal)'));
  const en = composeAlert(DEMO.ncp, ncp('en'), { portalUrl: PORTAL }, 10, REPORTED);
  assert.ok(en.text.includes('145,482,425 units') && en.text.includes('Your Member (Senegal)'));
});

test('an NCP whose Member reported nothing is nudged, in their language, with the upload and "nothing to report" links', () => {
  const want = {
    en: ['Your Member (Senegal) reported no seizures for phase 3.', 'Upload seizures: ', 'Send “nothing to report”: '],
    fr: [
      "Votre Membre (Sénégal) n'a déclaré aucune saisie pour la phase 3.",
      'Déposer des saisies\u00a0: ',
      'Envoyer «\u00a0rien à déclarer\u00a0»\u00a0: ',
    ],
    es: ['Su Miembro (Senegal) no declaró ninguna incautación en la fase 3.', 'Subir incautaciones: ', 'Enviar «nada que declarar»: '],
  };
  for (const lang of LANGS) {
    const m = composeAlert(DEMO.ncp, ncp(lang), { portalUrl: PORTAL }, 10, NOTHING);
    const [nudge, how, upload, nil] = m.text.split('\n');
    assert.equal(nudge, want[lang][0]);
    assert.ok(how!.length > 20);
    assert.equal(upload, `${want[lang][1]}${PORTAL}/?lang=${lang}`);
    assert.equal(nil, `${want[lang][2]}${PORTAL}/?lang=${lang}#nil-title`);
    assert.doesNotMatch(m.text, /\b0 (seizure|saisie|incautaci)/, 'no "0 seizures in 0 cases"');
    assert.ok(m.html.includes(`href="${PORTAL}/?lang=${lang}"`));
    // A Member that sent "nothing to report" is told so, not nudged.
    const nil2 = composeAlert(DEMO.ncp, ncp(lang), { portalUrl: PORTAL }, 10, { ...NOTHING, nilReturn: true });
    assert.ok(!nil2.text.includes(want[lang][0]) && /nothing to report|rien à déclarer|nada que declarar/.test(nil2.text));
  }
  // The interim run says "so far".
  const interim = composeAlert(
    { ...DEMO.ncp, mode: 'interim', asOf: '2022-03-14', runLabel: 'interim-2022-03-14' },
    ncp('en'),
    { portalUrl: PORTAL },
    10,
    NOTHING,
  );
  assert.match(interim.text, /^Your Member \(Senegal\) has reported no seizures for phase 3 so far\./);
  assert.ok(interim.subject.endsWith('interim update to 14\u00a0Mar\u00a02022, 5 signals'));
});

test('the same email composed twice has the same content hash; the portal moving (another local port) is not new content', () => {
  const a = composeAlert(DEMO.ncp, ncp('fr'), { portalUrl: 'http://127.0.0.1:8080' }, 10, NOTHING);
  const b = composeAlert(DEMO.ncp, ncp('fr'), { portalUrl: 'http://127.0.0.1:8080' }, 10, NOTHING);
  const c = composeAlert(DEMO.ncp, ncp('fr'), { portalUrl: 'http://127.0.0.1:9090' }, 10, NOTHING);
  assert.equal(a.contentHash, b.contentHash);
  assert.equal(a.contentHash, c.contentHash);
  const d = composeAlert(DEMO.ncp, ncp('fr'), { portalUrl: 'http://127.0.0.1:8080' }, 10, REPORTED);
  assert.notEqual(a.contentHash, d.contentHash, 'the nudge replaced by the figures is new content');
});

test("the operation's name in each language: its own word for operation, with French elision", () => {
  assert.equal(ofOperation('Operation STOP II', 'fr'), "de l'opération STOP II");
  assert.equal(ofOperation('Opération STOP II', 'fr'), "de l'opération STOP II");
  assert.equal(ofOperation('Operation STOP II', 'es'), 'de la operación STOP II');
  assert.equal(ofOperation('Atlas', 'fr'), "d'Atlas");
  assert.equal(ofOperation('Pangea XVII', 'fr'), 'de Pangea XVII');
  assert.equal(operationName('Operation STOP II', 'fr'), 'Opération STOP II');
  assert.equal(operationName('Pangea XVII', 'es'), 'Pangea XVII');
});
