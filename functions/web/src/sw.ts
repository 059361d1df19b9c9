/**
 * The portal's service worker, served at /sw.js (built by vite-plugin-pwa with injectManifest: a file of its own, no
 * inline script, so the CSP's script-src 'self' holds). It
 * - precaches the app shell (index.html, the JS and CSS chunks, icons) and answers the app's routes with index.html;
 * - keeps, for offline reading, the API answers a Member's user has opened: /api/me, the summaries list and the NCP
 *   version of each summary opened, the shares list and each share opened. Network first: online, the answer is
 *   always the server's (and a 404 removes the kept copy, so a revoked share is gone here too);
 * - never keeps anything for an analyst (the token's `cognito:groups`), never the analysts' version of a summary,
 *   never lineage, uploads or anything else;
 * - shows the web pushes of new shares, and opens the share when the notification is clicked.
 * The page empties the runtime caches at sign-out (src/pwa.ts).
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';

// The worker's globals, declared here: the app's tsconfig has the DOM lib, not the webworker one.
interface PushMessage {
  json(): unknown;
}
interface ExtendableEvt extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
declare const self: {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
  location: Location;
  registration: { showNotification(title: string, options: NotificationOptions & { data?: unknown }): Promise<void> };
  clients: {
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', f: (e: ExtendableEvt & { data: PushMessage | null }) => void): void;
  addEventListener(
    type: 'notificationclick',
    f: (e: ExtendableEvt & { notification: { close(): void; data?: { url?: string } } }) => void,
  ): void;
};

/** The runtime cache of API answers (src/pwa.ts empties it at sign-out). */
const API_CACHE = 'seizures-api';

void self.skipWaiting();
clientsClaim();
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//, /^\/config\.json$/] }));

const OFFLINE_API = [
  /^\/api\/me$/,
  /^\/api\/summaries$/,
  /^\/api\/summaries\/\d+\/[a-z0-9-]+$/,
  /^\/api\/shares$/,
  /^\/api\/shares\/[A-Za-z0-9_-]{22}$/,
];

/** Whether the request is an analyst's (or has no token): then nothing is kept. */
function isAnalystOrAnonymous(request: Request): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (!token) return true;
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const groups = claims['cognito:groups'];
    return Array.isArray(groups) && groups.includes('analysts');
  } catch {
    return true;
  }
}

registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin &&
    request.method === 'GET' &&
    OFFLINE_API.some((r) => r.test(url.pathname)) &&
    !isAnalystOrAnonymous(request),
  new NetworkFirst({
    cacheName: API_CACHE,
    networkTimeoutSeconds: 15,
    plugins: [
      {
        // Kept: a 200, and of a summary only the NCP version.
        cacheWillUpdate: async ({ response }) => {
          if (response.status !== 200) return null;
          if (/^\/api\/summaries\/\d+\//.test(new URL(response.url).pathname)) {
            const body = (await response.clone().json()) as { version?: string };
            if (body.version !== 'ncp') return null;
          }
          return response;
        },
        // Gone on the server (revoked, expired, signed out): gone here too.
        fetchDidSucceed: async ({ request, response }) => {
          if (response.status === 404 || response.status === 401 || response.status === 403)
            await (await caches.open(API_CACHE)).delete(request.url);
          return response;
        },
      },
    ],
  }),
);

self.addEventListener('push', (e) => {
  let d: { title?: string; body?: string; url?: string; tag?: string; lang?: string } = {};
  try {
    d = (e.data?.json() ?? {}) as typeof d;
  } catch {
    /* not JSON: a generic notification */
  }
  e.waitUntil(
    self.registration.showNotification(d.title ?? 'Seizure reports', {
      ...(d.body ? { body: d.body } : {}),
      ...(d.tag ? { tag: d.tag } : {}),
      ...(d.lang ? { lang: d.lang } : {}),
      icon: '/icons/icon-192.png',
      data: { url: d.url },
    }),
  );
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const asked = e.notification.data?.url;
  // Only a page of the portal itself.
  const url = asked && new URL(asked, self.location.origin).origin === self.location.origin ? asked : '/shares';
  e.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const w = windows[0];
      if (w) {
        await w.navigate(url).catch(() => undefined);
        return w.focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});
