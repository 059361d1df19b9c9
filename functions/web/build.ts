/**
 * `npm run build:web`: builds the portal's browser app with Vite into functions/web/dist. The local portal calls
 * buildWeb when dist/ is missing or stale; the CDK app runs this file before synth when dist/ is missing.
 */
import { fileURLToPath } from 'node:url';

export const VITE_CONFIG = fileURLToPath(new URL('./vite.config.ts', import.meta.url));

export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: VITE_CONFIG, logLevel: 'warn' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
