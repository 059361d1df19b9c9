/** The languages the Members read: a module of its own so the portal (functions/web) can share it without node. */
export type Lang = 'en' | 'fr' | 'es';
