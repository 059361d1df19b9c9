/** The portal's browser app: the shell (header, navigation, language), the routes, and sign-in. */
import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setOnUnauthorized, type Me } from './api.ts';
import { AppContext, useApp } from './app.ts';
import { currentSession, signOut } from './auth.ts';
import { LANGS, pickLang, WORDS, type Lang } from './i18n.ts';
import { MfaSetup } from './pages/MfaSetup.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SubmissionPage, Submissions } from './pages/Submissions.tsx';
import { UploadPage } from './pages/Upload.tsx';
import './style.css';

/**
 * A page loaded when first shown: the summaries and lineage pages are not in the shell a Member officer's phone loads
 * to upload.
 */
// biome-ignore lint/suspicious/noExplicitAny: the page's own props type is checked where it is written
function lazyPage<P extends object>(load: () => Promise<(p: any) => JSX.Element>) {
  let Page: ((p: P) => JSX.Element) | undefined;
  let loading: Promise<unknown> | undefined;
  return (props: P) => {
    const { t } = useApp();
    const [, loaded] = useState(0);
    if (Page) return <Page {...props} />;
    loading ??= load().then((c) => (Page = c));
    loading.then(() => loaded(1));
    return <p role="status">{t.loading}</p>;
  };
}
const SummariesPage = lazyPage(() => import('./pages/Summaries.tsx').then((m) => m.SummariesPage));
const SummaryPage = lazyPage<{ phase: string; run: string }>(() => import('./pages/Summaries.tsx').then((m) => m.SummaryPage));
const Lineage = lazyPage(() => import('./pages/Lineage.tsx').then((m) => m.Lineage));

function route(path: string) {
  let m: RegExpExecArray | null;
  if ((m = /^\/submissions\/([A-Za-z0-9_-]+)$/.exec(path))) return <SubmissionPage id={m[1]!} />;
  if (path === '/submissions') return <Submissions />;
  if ((m = /^\/summaries\/(\d+)\/([a-z0-9-]+)$/.exec(path))) return <SummaryPage phase={m[1]!} run={m[2]!} />;
  if (path === '/summaries') return <SummariesPage />;
  if (path === '/lineage') return <Lineage />;
  return <UploadPage />;
}

function Nav({ path }: { path: string }) {
  const { t, me, navigate } = useApp();
  const items: [string, string][] = [
    ['/', t.upload],
    ['/submissions', me.analyst ? t.allUploads : t.uploads],
    ['/summaries', t.summaries],
  ];
  return (
    <nav aria-label={t.title}>
      {items.map(([p, label]) => {
        const current = p === '/' ? path === '/' : path.startsWith(p);
        return (
          <a
            href={p}
            aria-current={current ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(p);
            }}
          >
            {label}
          </a>
        );
      })}
    </nav>
  );
}

function App() {
  const [lang, setLang] = useState<Lang>(() => pickLang(location.search, navigator.languages ?? [navigator.language]));
  const [path, setPath] = useState(location.pathname);
  const [signedIn, setSignedIn] = useState(!!currentSession());
  const [expired, setExpired] = useState(false);
  const [me, setMe] = useState<Me | null>(null);
  const t = WORDS[lang];

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
  }, [lang]);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    setOnUnauthorized(() => {
      void signOut();
      setExpired(true);
      setSignedIn(false);
    });
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    if (signedIn) api<Me>('me').then(setMe, () => setMe(null));
  }, [signedIn]);

  const navigate = (to: string) => {
    const url = new URL(to, location.href);
    const q = new URLSearchParams(location.search).get('lang');
    if (q && !url.searchParams.has('lang')) url.searchParams.set('lang', q);
    history.pushState(null, '', url.pathname + url.search);
    setPath(url.pathname);
    scrollTo(0, 0);
  };
  const chooseLang = (l: Lang) => {
    const url = new URL(location.href);
    url.searchParams.set('lang', l);
    history.replaceState(null, '', url.pathname + url.search);
    setLang(l);
  };

  const header = (
    <header>
      <a class="skip" href="#main">
        {t.skip}
      </a>
      <div class="bar">
        <strong class="brand">{me?.operation.name ?? t.title}</strong>
        <label class="lang">
          <span>{t.language}</span>
          <select value={lang} onChange={(e) => chooseLang((e.target as HTMLSelectElement).value as Lang)}>
            {LANGS.map((l) => (
              <option value={l}>{{ en: 'English', fr: 'Français', es: 'Español' }[l]}</option>
            ))}
          </select>
        </label>
        {signedIn && (
          <button
            type="button"
            class="link"
            onClick={() => {
              void signOut();
              setSignedIn(false);
              setMe(null);
            }}
          >
            {t.signOut}
          </button>
        )}
      </div>
    </header>
  );

  if (!signedIn) {
    return (
      <>
        {header}
        <main id="main">
          <SignIn
            t={t}
            expired={expired}
            onSignedIn={() => {
              setExpired(false);
              setSignedIn(true);
            }}
          />
        </main>
      </>
    );
  }
  if (!me)
    return (
      <>
        {header}
        <main id="main">
          <p role="status">{t.loading}</p>
        </main>
      </>
    );
  // An analyst without an authenticator app: the API answers nothing else until it is turned on.
  if (me.mfaRequired)
    return (
      <>
        {header}
        <main id="main">
          <MfaSetup
            t={t}
            email={me.email ?? ''}
            issuer={me.operation.name}
            onDone={() => {
              void signOut();
              setSignedIn(false);
              setMe(null);
            }}
          />
        </main>
      </>
    );
  return (
    <AppContext.Provider value={{ lang, t, me, navigate }}>
      {header}
      <Nav path={path} />
      <main id="main">{route(path)}</main>
      <footer>
        {me.email} · {me.analyst ? 'analyst' : (me.memberName ?? me.member)}
      </footer>
    </AppContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
