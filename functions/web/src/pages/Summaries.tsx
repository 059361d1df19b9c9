import { useEffect, useState } from 'preact/hooks';
import { VOCABS } from '../../../core/vocabulary/vocab.ts';
import { api } from '../api.ts';
import { agree } from '../../../core/vocabulary/plural.ts';
import { fmtNum, useApp } from '../app.ts';
import type { Lang } from '../i18n.ts';

interface Counts {
  lines: number;
  cases: number;
  units: number;
  kg: number;
  litres: number;
  reportingMembers: number;
  participatingMembers: number;
}
interface Entry {
  phase: number;
  runLabel: string;
  mode: string;
  asOf: string;
  counts: Counts;
  signalCount: number;
  alert: boolean;
  storedAt: string;
  /** The last day the run covers (older APIs: absent, asOf stands in). */
  covers?: string;
  sentToNcps?: boolean;
}
interface Row {
  key: string;
  label: string;
  /** Rows whose key is no code (the merged small cells): their label in each language. */
  labels?: Partial<Record<Lang, string>>;
  lines: number;
  units: number;
  members: number;
}
interface Signal {
  kind: string;
  dimension?: string;
  key?: string;
  week?: string;
  product?: string;
  route?: string;
  origin?: string;
}
interface Page {
  version: 'ncp' | 'analysts';
  /** The caller's own Member's row (NCP version only; null where it has no line). */
  own?: { member: string; phase: (Row & { cases?: number }) | null };
  charts: { title: string; svg: string }[];
  summary: {
    operation: { name: string };
    phase: { phase: number; start: string; end: string };
    runLabel: string;
    figures: {
      phase: {
        lines: number;
        cases: number;
        units: { total: number };
        reportingMembers: number;
        participatingMembers: number;
        byProduct: Row[];
      };
    };
    signals: SignalEntry[];
  };
}

/** A signal of summary.json: `texts` its sentence in en, fr and es (core/phase/labels.ts withTexts; older runs: none). */
interface SignalEntry {
  text: string;
  texts?: Partial<Record<Lang, string>>;
  signal: Signal;
}

/** A signal in the page's language (the same sentence as the reports and emails), else the stored English one. */
export const signalIn = (x: SignalEntry, lang: Lang): string => x.texts?.[lang] ?? x.text;

/** The full report and the workbook: 5-minute links asked of the API on click (the token decides which version). */
function Files({ phase, run }: { phase: string; run: string }) {
  const { t, lang } = useApp();
  const [error, setError] = useState(false);
  const open = async (which: 'html' | 'xlsx') => {
    setError(false);
    try {
      const f = await api<{ html: string; xlsx: string }>(`summaries/${phase}/${run}/files?lang=${lang}`);
      location.assign(f[which]);
    } catch {
      setError(true);
    }
  };
  return (
    <div class="files">
      <button type="button" onClick={() => void open('html')}>
        {t.fullReport}
      </button>
      <button type="button" class="secondary" onClick={() => void open('xlsx')}>
        {t.workbook}
      </button>
      <p class="muted">{t.filesHelp}</p>
      {error && (
        <p class="error" role="alert">
          {t.error}
        </p>
      )}
    </div>
  );
}

/** A Member's name in the page's language (its code is its country's). */
function regionName(code: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A product's name in the page's language; the merged small cells' row in words. */
const productName = (r: Row, lang: Lang, other: string): string => {
  if (r.labels?.[lang]) return r.labels[lang]!;
  if (r.key === 'other') return other;
  const l = VOCABS.product.label(r.key, lang);
  return l && l !== r.key ? l : r.label;
};

/** The lineage query of a signal: the dimension and key whose lines make it (and the week of an EARS alarm). */
export function lineageOf(s: Signal): { dimension: string; key: string; week?: string } | null {
  if ((s.kind === 'rising' || s.kind === 'falling') && s.dimension && s.key) return { dimension: s.dimension, key: s.key };
  if (s.kind === 'alarm' && s.dimension && s.key) return { dimension: s.dimension, key: s.key, ...(s.week ? { week: s.week } : {}) };
  if (s.kind === 'outlier' && s.product) return { dimension: 'product', key: s.product };
  if (s.kind === 'new') {
    if (s.route) return { dimension: 'route', key: s.route };
    if (s.origin) return { dimension: 'origin', key: s.origin };
    if (s.product) return { dimension: 'product', key: s.product };
  }
  return null;
}

function PhaseClose() {
  const { t, me } = useApp();
  const [phase, setPhase] = useState(String(me.operation.phases.at(-1)?.phase ?? 1));
  const [mode, setMode] = useState('final');
  const [asOf, setAsOf] = useState(new Date().toISOString().slice(0, 10));
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <section class="card">
      <h2>{t.startClose}</h2>
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api('phase-close', { method: 'POST', body: { phase: Number(phase), mode, asOf } });
            setMsg(t.started);
          } catch (err) {
            setMsg((err as Error).message || t.error);
          }
        }}
      >
        <span>
          <label for="pc-phase">{t.phase}</label>
          <select id="pc-phase" value={phase} onChange={(e) => setPhase((e.target as HTMLSelectElement).value)}>
            {me.operation.phases.map((p) => (
              <option value={p.phase}>
                {p.phase} ({p.start} – {p.end})
              </option>
            ))}
          </select>
        </span>
        <span>
          <label for="pc-mode">{t.mode}</label>
          <select id="pc-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            <option value="final">{t.final}</option>
            <option value="interim">{t.interim}</option>
          </select>
        </span>
        <span>
          <label for="pc-asof">{t.asOf}</label>
          <input id="pc-asof" type="date" value={asOf} onInput={(e) => setAsOf((e.target as HTMLInputElement).value)} />
        </span>
        <button type="submit">{t.start}</button>
      </form>
      {msg && <p role="status">{msg}</p>}
    </section>
  );
}

/** The list's own words: what a run covers, its signals, and whether the NCPs were emailed (a fact, not an alarm). */
const LIST_WORDS: Record<Lang, { upTo: string; signal: [string, string]; sent: string }> = {
  en: { upTo: 'up to', signal: ['signal', 'signals'], sent: 'sent to\u00a0NCPs' },
  fr: { upTo: 'jusqu’au', signal: ['signal', 'signaux'], sent: 'envoyée aux\u00a0PCN' },
  es: { upTo: 'hasta el', signal: ['señal', 'señales'], sent: 'enviado a los\u00a0PCN' },
};

/** A day (YYYY-MM-DD) as the reader's language writes it: "31 Jan 2022", "31 janv. 2022", "31 ene 2022". */
const fmtDay = (iso: string, lang: Lang) =>
  new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString({ en: 'en-GB', fr: 'fr-FR', es: 'es-ES' }[lang], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });

export function SummariesPage() {
  const { t, lang, me, navigate } = useApp();
  const w = LIST_WORDS[lang];
  const [list, setList] = useState<Entry[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(
    () =>
      void api<{ summaries: Entry[] }>('summaries').then(
        (r) => setList(r.summaries),
        () => setFailed(true),
      ),
    [],
  );
  return (
    <>
      <section class="card">
        <h1>{t.summaries}</h1>
        {failed && (
          <p class="error" role="alert">
            {t.error}
          </p>
        )}
        {!list && !failed && <p role="status">{t.loading}</p>}
        {list && list.length === 0 && <p>{t.noSummaries}</p>}
        {list && list.length > 0 && (
          <ul class="list">
            {list.map((s) => {
              const path = `/summaries/${s.phase}/${s.runLabel}`;
              return (
                <li>
                  <a
                    href={path}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(path);
                    }}
                  >
                    <span class="name">
                      {t.phase} {s.phase} · {s.mode === 'final' ? t.final : t.interim} · {w.upTo} {fmtDay(s.covers ?? s.asOf, lang)}
                    </span>
                  </a>
                  <span class="muted">
                    {fmtNum(s.counts.lines, lang)} {t.lines} · {fmtNum(s.counts.cases, lang)} {t.cases} · {fmtNum(s.signalCount, lang)}{' '}
                    {agree(s.signalCount, lang, ...w.signal)}
                    {(s.sentToNcps ?? s.alert) && ` · ${w.sent}`}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {me.analyst && <PhaseClose />}
    </>
  );
}

export function SummaryPage({ phase, run }: { phase: string; run: string }) {
  const { t, lang, me, navigate } = useApp();
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void api<Page>(`summaries/${phase}/${run}?lang=${lang}`).then(setPage, (e: { status?: number }) =>
        setError(e.status === 404 ? t.notFound : t.error),
      ),
    [phase, run, lang],
  );
  const go = (q: { dimension: string; key: string; week?: string }) => {
    const p = new URLSearchParams({ phase, dimension: q.dimension, key: q.key, ...(q.week ? { week: q.week } : {}) });
    navigate(`/lineage?${p}`);
  };
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!page) return <p role="status">{t.loading}</p>;
  const s = page.summary;
  const f = s.figures.phase;
  return (
    <>
      <section class="card">
        <h1>
          {s.operation.name}: {t.phase} {s.phase.phase} ·{' '}
          {s.runLabel === 'final' ? t.final : `${t.interim} ${fmtDay(s.runLabel.replace('interim-', ''), lang)}`}
        </h1>
        <p class="muted">
          {fmtDay(s.phase.start, lang)} – {fmtDay(s.phase.end, lang)} ·{' '}
          <span class="badge">{page.version === 'analysts' ? t.analystsVersion : t.ncpVersion}</span>
        </p>
        <Files phase={phase} run={run} />
        <h2>{t.figures}</h2>
        <ul class="counts">
          <li>
            <b>{fmtNum(f.lines, lang)}</b> {t.lines}
          </li>
          <li>
            <b>{fmtNum(f.cases, lang)}</b> {t.cases}
          </li>
          <li>
            <b>{fmtNum(f.units.total, lang)}</b> {t.units}
          </li>
          <li>
            <b>
              {f.reportingMembers} / {f.participatingMembers}
            </b>{' '}
            {t.members}
          </li>
        </ul>
        {page.own && (
          <p class="own">
            {t.yourMember(regionName(page.own.member, lang))} <b>{fmtNum(page.own.phase?.lines ?? 0, lang)}</b> {t.lines} ·{' '}
            <b>{fmtNum(page.own.phase?.cases ?? 0, lang)}</b> {t.cases} · <b>{fmtNum(page.own.phase?.units ?? 0, lang)}</b> {t.units}
          </p>
        )}
      </section>
      <section class="card">
        <h2>{t.signals}</h2>
        {s.signals.length === 0 ? (
          <p>{t.noSignals}</p>
        ) : (
          <ol class="signals">
            {s.signals.map((x) => {
              const q = me.analyst ? lineageOf(x.signal) : null;
              return (
                <li>
                  {signalIn(x, lang)}
                  {q && (
                    <>
                      {' '}
                      <a
                        href="/lineage"
                        onClick={(e) => {
                          e.preventDefault();
                          go(q);
                        }}
                      >
                        {t.linesBehind}
                      </a>
                    </>
                  )}
                </li>
              );
            })}
          </ol>
        )}
      </section>
      {page.charts.map((c) => (
        <figure class="card chart">
          {/* SVG rendered on the server by the phase close (Vega-Lite): no chart library here. */}
          <div dangerouslySetInnerHTML={{ __html: c.svg }} />
          <figcaption>{c.title}</figcaption>
        </figure>
      ))}
      <section class="card">
        <h2>{t.topProducts}</h2>
        <div class="scroll">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">{t.product}</th>
                <th scope="col" class="n">
                  {t.lines}
                </th>
                <th scope="col" class="n">
                  {t.units}
                </th>
              </tr>
            </thead>
            <tbody>
              {f.byProduct.slice(0, 10).map((r) => (
                <tr>
                  <td>
                    {me.analyst ? (
                      <a
                        href="/lineage"
                        onClick={(e) => {
                          e.preventDefault();
                          go({ dimension: 'product', key: r.key });
                        }}
                      >
                        {productName(r, lang, t.otherRows)}
                      </a>
                    ) : (
                      productName(r, lang, t.otherRows)
                    )}
                  </td>
                  <td class="n" data-label={t.lines}>
                    {fmtNum(r.lines, lang)}
                  </td>
                  <td class="n" data-label={t.units}>
                    {fmtNum(r.units, lang)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
