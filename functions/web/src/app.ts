/** What every page shares: the words, the signed-in user, navigation. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api.ts';
import type { Lang, Words } from './i18n.ts';

export interface AppState {
  readonly lang: Lang;
  readonly t: Words;
  readonly me: Me;
  readonly navigate: (path: string) => void;
}

export const AppContext = createContext<AppState | null>(null);
export const useApp = (): AppState => useContext(AppContext)!;

/** An in-app link: keeps ?lang= and navigates without reloading. */
export function href(path: string, lang: Lang, explicitLang: boolean): string {
  if (!explicitLang) return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

export const fmtDate = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleString(lang, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export const fmtNum = (n: number, lang: Lang) => n.toLocaleString(lang);
