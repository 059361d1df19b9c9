/**
 * Vite builds the portal's browser app (this folder) into static files under dist/ (ignored by git), which CloudFront
 * serves from a private bucket on AWS (lib/portal-web.ts) and lib/local/portal.ts serves locally.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // No inline script or style anywhere: the CSP forbids inline script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
