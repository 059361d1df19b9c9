import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { fmtNum, useApp } from '../app.ts';
import { currentSession } from '../auth.ts';
import type { Lang } from '../i18n.ts';

type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };
interface Param {
  name: string;
  label: string;
  type: 'phase' | 'dimension' | 'text';
}
interface Saved {
  name: string;
  title: string;
  description: string;
  params: Param[];
}
interface List {
  available: boolean;
  queries: Saved[];
  dimensions: string[];
  phases: number[];
}
interface Result {
  name: string;
  columns: { name: string; type: string }[];
  rows: Record<string, Cell>[];
}

/** The page's words (analysts read it in their language too); query titles by name, the API's English otherwise. */
const WORDS: Record<Lang, Record<string, string>> = {
  en: {
    heading: 'Saved queries',
    intro: 'Questions over every seizure line the phase closes counted. Each answer shows as a table and downloads as CSV.',
    run: 'Run',
    running: 'Running…',
    csv: 'Download CSV',
    rows: 'rows',
    none: 'No rows.',
    unavailable: 'Queries are not available here.',
    'lines-by-route-month': 'Lines by route and month',
    'members-by-product': 'Members by product',
    'signal-lines': 'The lines behind a signal',
    'lines-by-route-month:desc':
      'Seizure lines, cases and Members of each route (departure or origin, transits, destination), month by month.',
    'members-by-product:desc':
      'Which Members seized each product: lines, cases, units (pieces, doses, packs) and kg, first and last seizure.',
    'signal-lines:desc': 'Every line of a phase with one value of a breakdown (a product, route, origin, …), as a signal names it.',
    row: 'row',
    phase: 'Phase',
    dimension: 'About',
    key: 'Value',
  },
  fr: {
    heading: 'Requêtes enregistrées',
    intro:
      'Des questions sur toutes les lignes de saisie comptées par les clôtures de phase. Chaque réponse s’affiche en tableau et se télécharge en CSV.',
    run: 'Lancer',
    running: 'En cours…',
    csv: 'Télécharger le CSV',
    rows: 'lignes',
    none: 'Aucune ligne.',
    unavailable: 'Les requêtes ne sont pas disponibles ici.',
    'lines-by-route-month': 'Lignes par itinéraire et par mois',
    'members-by-product': 'Membres par produit',
    'signal-lines': 'Les lignes derrière un signal',
    'lines-by-route-month:desc':
      'Lignes de saisie, cas et Membres de chaque itinéraire (départ ou origine, transits, destination), mois par mois.',
    'members-by-product:desc':
      'Quels Membres ont saisi chaque produit : lignes, cas, unités (pièces, doses, boîtes) et kg, première et dernière saisie.',
    'signal-lines:desc':
      'Toutes les lignes d’une phase ayant une valeur donnée (un produit, un itinéraire, une origine…), telle qu’un signal la nomme.',
    row: 'ligne',
    phase: 'Phase',
    dimension: 'Sur',
    key: 'Valeur',
  },
  es: {
    heading: 'Consultas guardadas',
    intro:
      'Preguntas sobre todas las líneas de incautación contadas por los cierres de fase. Cada respuesta se muestra como tabla y se descarga en CSV.',
    run: 'Ejecutar',
    running: 'Ejecutando…',
    csv: 'Descargar CSV',
    rows: 'filas',
    none: 'Ninguna fila.',
    unavailable: 'Las consultas no están disponibles aquí.',
    'lines-by-route-month': 'Líneas por ruta y mes',
    'members-by-product': 'Miembros por producto',
    'signal-lines': 'Las líneas detrás de una señal',
    'lines-by-route-month:desc': 'Líneas de incautación, casos y Miembros de cada ruta (salida u origen, tránsitos, destino), mes a mes.',
    'members-by-product:desc':
      'Qué Miembros incautaron cada producto: líneas, casos, unidades (piezas, dosis, envases) y kg, primera y última incautación.',
    'signal-lines:desc':
      'Todas las líneas de una fase con un valor dado (un producto, una ruta, un origen…), tal como lo nombra una señal.',
    row: 'fila',
    phase: 'Fase',
    dimension: 'Sobre',
    key: 'Valor',
  },
};

/** POSTs a run with ?format=csv and saves the answer (the token is needed, so not a plain link). */
async function downloadCsv(name: string, params: Record<string, string>): Promise<void> {
  const s = currentSession();
  const res = await fetch(`/api/queries/${name}/run?format=csv`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(s ? { authorization: `Bearer ${s.idToken}` } : {}) },
    body: JSON.stringify({ params }),
  });
  if (!res.ok) {
    const e = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiError(res.status, e.error ?? 'download', e.message ?? res.statusText);
  }
  const file = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${name}.csv`;
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: file });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const show = (v: Cell, lang: Lang): string =>
  v === null
    ? ''
    : typeof v === 'number'
      ? fmtNum(v, lang)
      : typeof v === 'object'
        ? Array.isArray(v)
          ? v.join(' > ')
          : JSON.stringify(v)
        : String(v);

function SavedQuery({ q, list }: { q: Saved; list: List }) {
  const { t, lang } = useApp();
  const w = WORDS[lang];
  const [params, setParams] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      q.params.map((p) => [p.name, p.type === 'phase' ? String(list.phases.at(-1) ?? '') : p.type === 'dimension' ? 'product' : '']),
    ),
  );
  const [result, setResult] = useState<Result | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = (p: string) => `q-${q.name}-${p}`;
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await api<Result>(`queries/${q.name}/run`, { method: 'POST', body: { params } }));
    } catch (x) {
      setError((x as Error).message || t.error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby={id('title')}>
      <h2 id={id('title')}>{w[q.name] ?? q.title}</h2>
      <p class="muted">{w[`${q.name}:desc`] ?? q.description}</p>
      <form onSubmit={run}>
        {q.params.length > 0 && (
          <div class="row">
            {q.params.map((p) => (
              <span>
                <label for={id(p.name)}>{w[p.name] ?? p.label}</label>
                {p.type === 'text' ? (
                  <input
                    id={id(p.name)}
                    required
                    value={params[p.name]}
                    onInput={(e) => setParams({ ...params, [p.name]: (e.target as HTMLInputElement).value })}
                  />
                ) : (
                  <select
                    id={id(p.name)}
                    value={params[p.name]}
                    onChange={(e) => setParams({ ...params, [p.name]: (e.target as HTMLSelectElement).value })}
                  >
                    {(p.type === 'phase' ? list.phases.map(String) : list.dimensions).map((v) => (
                      <option value={v}>{v}</option>
                    ))}
                  </select>
                )}
              </span>
            ))}
          </div>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? w.running : w.run}
          </button>
          {result && (
            <button type="button" class="secondary" onClick={() => downloadCsv(q.name, params).catch((x: Error) => setError(x.message))}>
              {w.csv}
            </button>
          )}
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <p class="muted" role="status">
            {fmtNum(result.rows.length, lang)} {result.rows.length === 1 ? w.row : w.rows}
          </p>
          {result.rows.length === 0 ? (
            <p>{w.none}</p>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a wide table scrolls sideways on a phone; keyboard users must reach it (WCAG 2.1.1, axe scrollable-region-focusable)
            <section class="scroll" aria-label={w[q.name] ?? q.title} tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    {result.columns.map((c) => (
                      <th scope="col" class={/int|double|decimal|real|float/i.test(c.type) ? 'n' : undefined}>
                        {c.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {result.rows.map((r) => (
                    <tr>
                      {result.columns.map((c) => (
                        <td class={typeof r[c.name] === 'number' ? 'n' : undefined}>{show(r[c.name] ?? null, lang)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </section>
  );
}

/** Analysts: saved questions over the lake (every counted line), answered as tables and CSV. */
export function Queries() {
  const { t, lang } = useApp();
  const w = WORDS[lang];
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<List>('queries').then(setList, (e: Error) => setError(e.message || t.error));
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!list) return <p role="status">{t.loading}</p>;
  return (
    <>
      <h1>{w.heading}</h1>
      <p>{w.intro}</p>
      {!list.available && <p class="error">{w.unavailable}</p>}
      {list.queries.map((q) => (
        <SavedQuery q={q} list={list} />
      ))}
    </>
  );
}
