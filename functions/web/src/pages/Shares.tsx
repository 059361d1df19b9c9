/**
 * Shares between Members: the received shares (newest first, unread marked), the sent ones with how many recipient
 * Members read and acknowledged them, a share read in the reader's language (acknowledge; the sharer sees each
 * recipient's status and can revoke), and the form that shares a stored case. Loaded when first opened.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, uploadFile } from '../api.ts';
import { fmtDate, fmtNum, useApp } from '../app.ts';
import { pushState, turnPushOff, turnPushOn, type PushState } from '../pwa.ts';
import { SHARE_WORDS } from '../shares-words.ts';

interface Worded {
  code: string;
  label: string;
}
interface Entry {
  id: string;
  from: string;
  fromName: string;
  to: string[] | 'all';
  caseRef?: string;
  createdAt: string;
  expiresAt: string;
  read: boolean;
  acknowledged: boolean;
  date: string;
  products: Worded[];
  readCount?: number;
  acknowledgedCount?: number;
  recipientCount?: number;
  revokedAt?: string;
  expired?: boolean;
}
interface WordedCase {
  date: string;
  items: { category: Worded; product: Worded; quantity: number; unit: Worded }[];
  route: { origin: Worded[]; departure: Worded[]; transit: Worded[]; destination: Worded[] };
  transportModes: Worded[];
  concealment: Worded[];
}
interface ShareView {
  id: string;
  from: string;
  fromName: string;
  to: string[] | 'all';
  toNames: { code: string; name: string }[];
  caseRef?: string;
  note: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
  read: boolean;
  acknowledged: boolean;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  case: WordedCase;
  recipients?: { member: string; memberName: string; readAt: string | null; acknowledgedAt: string | null }[];
  canAcknowledge: boolean;
  canRevoke: boolean;
  photos?: { url: string; contentType: string }[];
}

function useWords() {
  const app = useApp();
  return { ...app, w: SHARE_WORDS[app.lang] };
}

function Link({ to, children, class: cls }: { to: string; children: preact.ComponentChildren; class?: string }) {
  const { navigate } = useApp();
  return (
    <a
      href={to}
      class={cls}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function PushToggle() {
  const { w } = useWords();
  const [state, setState] = useState<PushState | 'busy' | null>(null);
  useEffect(() => {
    pushState().then(setState, () => setState('unsupported'));
  }, []);
  if (state === null) return null;
  if (state === 'unsupported') return <p class="muted">{w.notifyUnsupported}</p>;
  const flip = async () => {
    const was = state;
    setState('busy');
    try {
      setState(was === 'on' ? await turnPushOff() : await turnPushOn());
    } catch {
      setState(was);
    }
  };
  return (
    <div aria-live="polite">
      {state === 'denied' ? (
        <p class="muted">{w.notifyDenied}</p>
      ) : (
        <button type="button" class="secondary" disabled={state === 'busy'} onClick={flip}>
          {state === 'on' ? w.notifyOff : w.notifyOn}
        </button>
      )}
      {state === 'on' && <p class="hint">{w.notifyOnDone}</p>}
    </div>
  );
}

function ShareList({ list, sent }: { list: Entry[]; sent?: boolean }) {
  const { w, lang } = useWords();
  if (!list.length) return <p class="muted">{w.none}</p>;
  return (
    <ul class="list">
      {list.map((s) => (
        <li>
          <Link to={`/shares/${s.id}`}>
            <span class="name">
              {s.products.map((p) => p.label).join(', ')} · {s.date}
            </span>
          </Link>
          {!sent && !s.read && <span class="badge alert">{w.unread}</span>}
          {s.revokedAt && <span class="badge">{w.revoked.split(':')[0]}</span>}
          {s.expired && <span class="badge">{w.expired}</span>}
          <span class="muted">
            {sent ? `${w.to} ${s.to === 'all' ? w.everyone : s.to.join(', ')}` : `${w.from} ${s.fromName}`}
            {s.caseRef ? ` · ${s.caseRef}` : ''} · {w.sharedOn(fmtDate(s.createdAt, lang))}
            {sent && s.recipientCount !== undefined
              ? ` · ${w.readBy(s.readCount ?? 0, s.recipientCount)} · ${w.ackBy(s.acknowledgedCount ?? 0, s.recipientCount)}`
              : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function SharesPage() {
  const { w, t, me, lang } = useWords();
  const [data, setData] = useState<{ received: Entry[]; sent: Entry[]; all?: Entry[] } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api<{ received: Entry[]; sent: Entry[]; all?: Entry[] }>(`shares?lang=${lang}`).then(setData, () => setFailed(true));
  }, [lang]);
  return (
    <>
      <section class="card">
        <h1>{w.sharesTitle}</h1>
        {me.member && (
          <Link to="/shares/new" class="button">
            {w.shareCase}
          </Link>
        )}
        {me.member && <PushToggle />}
      </section>
      {failed ? (
        <p class="error" role="alert">
          {t.error}
        </p>
      ) : !data ? (
        <p role="status">{t.loading}</p>
      ) : (
        <>
          {me.member && (
            <section class="card" aria-labelledby="received">
              <h2 id="received">{w.received}</h2>
              <ShareList list={data.received} />
            </section>
          )}
          {me.member && (
            <section class="card" aria-labelledby="sent">
              <h2 id="sent">{w.sent}</h2>
              <ShareList list={data.sent} sent />
            </section>
          )}
          {data.all && (
            <section class="card" aria-labelledby="all">
              <h2 id="all">{w.all}</h2>
              <ShareList list={data.all} sent />
            </section>
          )}
        </>
      )}
    </>
  );
}

const places = (list: Worded[]) => list.map((c) => c.label).join(', ');

function CaseFields({ c }: { c: WordedCase }) {
  const { w, lang } = useWords();
  const route: [string, Worded[]][] = [
    [w.origin, c.route.origin],
    [w.departure, c.route.departure],
    [w.transit, c.route.transit],
    [w.destination, c.route.destination],
  ];
  return (
    <>
      <p>
        <b>{w.date}:</b> {new Date(`${c.date}T00:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'long' })}
      </p>
      <h2>{w.products}</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>{w.product}</th>
              <th class="n">{w.quantity}</th>
              <th>{w.unit}</th>
            </tr>
          </thead>
          <tbody>
            {c.items.map((i) => (
              <tr>
                <td>{i.product.label}</td>
                <td class="n">{fmtNum(i.quantity, lang)}</td>
                <td>{i.unit.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{w.route}</h2>
      <ul class="list">
        {route
          .filter(([, l]) => l.length)
          .map(([label, l]) => (
            <li>
              <b>{label}:</b> {places(l)}
            </li>
          ))}
        {c.transportModes.length > 0 && (
          <li>
            <b>{w.transport}:</b> {places(c.transportModes)}
          </li>
        )}
        {c.concealment.length > 0 && (
          <li>
            <b>{w.concealment}:</b> {places(c.concealment)}
          </li>
        )}
      </ul>
    </>
  );
}

/** The photos, fetched from their presigned URLs into blob: URLs (the CSP allows images from the origin and blob:). */
function Photos({ photos }: { photos: { url: string }[] }) {
  const { w } = useWords();
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    let made: string[] = [];
    Promise.all(photos.map(async (p) => URL.createObjectURL(await (await fetch(p.url)).blob()))).then(
      (u) => setUrls((made = u)),
      () => setUrls([]),
    );
    return () => {
      for (const u of made) URL.revokeObjectURL(u);
    };
  }, [photos.map((p) => p.url).join(' ')]);
  if (!urls.length) return null;
  return (
    <div class="photos">
      {urls.map((u, i) => (
        <img src={u} alt={w.photo(i + 1)} loading="lazy" />
      ))}
    </div>
  );
}

export function SharePage({ id }: { id: string }) {
  const { w, t, lang } = useWords();
  const [s, setS] = useState<ShareView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const load = () =>
    api<ShareView>(`shares/${id}?lang=${lang}`).then(
      (v) => {
        setS(v);
        setOffline(!navigator.onLine);
      },
      (e: unknown) => setError(e instanceof ApiError && e.status === 404 ? w.notFound : t.error),
    );
  useEffect(() => {
    void load();
  }, [id, lang]);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      await load();
    } catch {
      setError(t.error);
    }
  };
  return (
    <>
      <p>
        <Link to="/shares">← {w.shares}</Link>
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : !s ? (
        <p role="status">{t.loading}</p>
      ) : (
        <section class="card">
          {offline && <p class="note">{w.offline}</p>}
          <h1>
            {s.case.items
              .map((i) => i.product.label)
              .filter((p, i, all) => all.indexOf(p) === i)
              .join(', ')}
          </h1>
          <p class="muted">
            {w.from} {s.fromName} · {w.to} {s.to === 'all' ? w.everyone : s.toNames.map((m) => m.name).join(', ')}
            {s.caseRef ? ` · ${s.caseRef}` : ''}
            <br />
            {w.sharedOn(fmtDate(s.createdAt, lang))} · {w.expiresOn(fmtDate(s.expiresAt, lang))}
          </p>
          {s.revokedAt && (
            <p class="note" role="status">
              {w.revoked}
            </p>
          )}
          {s.note && (
            <blockquote class="note" lang="">
              {s.note}
            </blockquote>
          )}
          <CaseFields c={s.case} />
          {s.photos && s.photos.length > 0 && <Photos photos={s.photos} />}
          {s.acknowledgedAt && <p role="status">{w.acknowledged(fmtDate(s.acknowledgedAt, lang), s.acknowledgedBy ?? '')}</p>}
          {s.canAcknowledge && (
            <button type="button" onClick={() => act(() => api(`shares/${id}/ack`, { method: 'POST' }))}>
              {w.acknowledge}
            </button>
          )}
          {s.recipients && (
            <>
              <h2>{w.recipients}</h2>
              <div class="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>{w.to}</th>
                      <th>{w.status}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.recipients.map((r) => (
                      <tr data-member={r.member}>
                        <td>{r.memberName}</td>
                        <td>
                          {r.acknowledgedAt
                            ? `${w.stAcknowledged} (${fmtDate(r.acknowledgedAt, lang)})`
                            : r.readAt
                              ? `${w.stRead} (${fmtDate(r.readAt, lang)})`
                              : w.stSent}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          {s.canRevoke && (
            <button
              type="button"
              class="secondary"
              onClick={async () => {
                if (!confirm(w.revokeConfirm)) return;
                try {
                  // Revoked, it is 404 to the sharer too: the page says it, from the answer.
                  const r = await api<{ revokedAt: string }>(`shares/${id}`, { method: 'DELETE' });
                  setS({ ...s, revokedAt: r.revokedAt, canRevoke: false, canAcknowledge: false });
                } catch {
                  setError(t.error);
                }
              }}
            >
              {w.revoke}
            </button>
          )}
        </section>
      )}
    </>
  );
}

interface Preview {
  caseRef: string;
  case: WordedCase;
  proposed: string[];
  proposedNames: { code: string; name: string }[];
}

export function NewSharePage() {
  const { w, t, lang, navigate } = useWords();
  const [caseRef, setCaseRef] = useState(() => new URLSearchParams(location.search).get('caseRef') ?? '');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [to, setTo] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const [others, setOthers] = useState('');
  const [note, setNote] = useState('');
  const [days, setDays] = useState(30);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<File[]>([]);

  const find = async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    setPreview(null);
    try {
      const p = await api<Preview>(`shares/case?caseRef=${encodeURIComponent(caseRef.trim())}&lang=${lang}`);
      setPreview(p);
      setTo(new Set(p.proposed));
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'unknown-case' ? w.noCase : t.error);
    }
  };
  useEffect(() => {
    if (caseRef) void find();
  }, []);

  const send = async (e: Event) => {
    e.preventDefault();
    const extra = others
      .split(/[\s,;]+/)
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    const members = [...new Set([...to, ...extra])];
    if (!all && !members.length) return setError(w.chooseSomeone);
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ id: string }>('shares', {
        method: 'POST',
        body: { caseRef: preview!.caseRef, note, to: all ? 'all' : members, expiresInDays: days },
      });
      // The photos after the share: each by its own presigned POST (the server strips them before anyone reads them).
      for (const f of files) {
        const target = await api<{ url: string; fields: Record<string, string> }>(`shares/${r.id}/photos`, {
          method: 'POST',
          body: { contentType: f.type, size: f.size },
        });
        await uploadFile(target, f, () => {});
      }
      navigate(`/shares/${r.id}`);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? err.message : t.error);
      setBusy(false);
    }
  };

  return (
    <section class="card">
      <h1>{w.shareCase}</h1>
      <p class="muted">{w.shareHelp}</p>
      <form onSubmit={find}>
        <label for="case-ref">{w.caseRef}</label>
        <input id="case-ref" value={caseRef} required onInput={(e) => setCaseRef((e.target as HTMLInputElement).value)} />
        <button type="submit" class="secondary">
          {w.findCase}
        </button>
      </form>
      {preview && (
        <form onSubmit={send}>
          <CaseFields c={preview.case} />
          <fieldset>
            <legend>{w.to}</legend>
            {preview.proposed.length > 0 && <p class="hint">{w.proposed}</p>}
            {preview.proposedNames.map(({ code: m, name }) => (
              <label class="check">
                <input
                  type="checkbox"
                  name="to"
                  value={m}
                  checked={to.has(m)}
                  disabled={all}
                  onChange={(e) => {
                    const next = new Set(to);
                    if ((e.target as HTMLInputElement).checked) next.add(m);
                    else next.delete(m);
                    setTo(next);
                  }}
                />{' '}
                {name} ({m})
              </label>
            ))}
            <label for="others">{w.otherMembers}</label>
            <input id="others" value={others} disabled={all} onInput={(e) => setOthers((e.target as HTMLInputElement).value)} />
            <label class="check">
              <input type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} /> {w.allMembers}
            </label>
          </fieldset>
          <label for="note">{w.note}</label>
          <textarea id="note" rows={4} maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          <p class="hint">{w.noteHelp(2000 - [...note].length)}</p>
          <label for="photos">{w.photos}</label>
          <input
            id="photos"
            type="file"
            accept="image/jpeg,image/png"
            multiple
            aria-describedby="photos-help"
            onChange={(e) => {
              const chosen = [...((e.target as HTMLInputElement).files ?? [])];
              const bad = chosen.find((f) => !['image/jpeg', 'image/png'].includes(f.type) || f.size > 5 * 1024 * 1024 || f.size < 1);
              if (bad) setError(w.photoRejected(bad.name));
              else if (chosen.length > 5) setError(w.tooManyPhotos);
              else setError(null);
              setFiles(bad || chosen.length > 5 ? [] : chosen);
            }}
          />
          <p class="hint" id="photos-help">
            {w.photosHelp}
          </p>
          <label for="days">{w.expires}</label>
          <input
            id="days"
            type="number"
            min={1}
            max={365}
            value={days}
            onInput={(e) => setDays(Number((e.target as HTMLInputElement).value))}
          />
          <button type="submit" disabled={busy}>
            {busy ? w.sending : w.send}
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
