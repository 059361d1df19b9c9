/**
 * Vite builds the portal's browser app (this folder) into static files under dist/ (ignored by git), which CloudFront
 * serves from a private bucket on AWS (lib/portal-web.ts) and lib/local/portal.ts serves locally. vite-plugin-pwa
 * makes it installable: the web manifest (linked from index.html) and the service worker /sw.js, built from
 * src/sw.ts with `injectManifest` (the precache list injected into our own worker; `inline` registration would put a
 * script in the page, which the CSP forbids: src/pwa.ts registers it).
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'autoUpdate',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['favicon.svg'],
      manifest: {
        name: 'Seizure reports',
        short_name: 'Seizures',
        description: 'Member portal of the operation: send seizure reports, read the summaries and the seizures other Members share.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f4f6f8',
        theme_color: '#1f5f99',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        // config.json names the user pool: fetched live, never precached.
        globIgnores: ['config.json'],
        rollupFormat: 'iife',
      },
      devOptions: { enabled: false },
    }),
  ],
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
