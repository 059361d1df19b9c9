/**
 * The installable app: registers the service worker (/sw.js, built from src/sw.ts by vite-plugin-pwa's injectManifest:
 * no inline script, so the CSP holds), empties the offline caches at sign-out, and turns web push on and off for this
 * device (PushManager with the portal's VAPID key; the subscription is stored for the signed-in user).
 */
import { api } from './api.ts';

/** The runtime caches of src/sw.ts (the precached app shell is not personal and stays). */
export const DATA_CACHES = ['seizures-api', 'seizures-pages'];

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'classic' }).catch(() => {
    /* no offline mode: the app works online as before */
  });
}

/** Sign-out: every cached answer of the API goes (summaries, shares), and this device's push subscription. */
export async function clearOfflineData(): Promise<void> {
  if (!('caches' in globalThis)) return;
  for (const name of await caches.keys()) if (!name.startsWith('workbox-precache')) await caches.delete(name);
}

const b64urlToBytes = (s: string): Uint8Array => {
  const b = atob(
    s
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(s.length / 4) * 4, '='),
  );
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
};

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

export async function pushState(): Promise<PushState> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ? 'on' : 'off';
}

/** Asks for permission, subscribes with the portal's VAPID key and stores the subscription for this user. */
export async function turnPushOn(): Promise<PushState> {
  if ((await pushState()) === 'unsupported') return 'unsupported';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await navigator.serviceWorker.ready;
  const { publicKey } = await api<{ publicKey: string }>('push/key');
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(publicKey) as BufferSource }));
  await api('push/subscriptions', { method: 'POST', body: sub.toJSON() });
  return 'on';
}

export async function turnPushOff(): Promise<PushState> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    await api('push/subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } }).catch(() => undefined);
    await sub.unsubscribe();
  }
  return 'off';
}
