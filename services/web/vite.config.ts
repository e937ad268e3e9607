import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type AliasOptions } from 'vite';
import { inlineStylesheet } from './build/inline-stylesheet.js';
import { precompress } from './build/precompress.js';
import { prerenderSignIn } from './build/prerender-sign-in.js';
import { privateSourceMaps } from './build/private-source-maps.js';
import { serviceWorkerAsset } from './build/service-worker-asset.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = here('../../');
const outDir = here('./dist');

// The client bundles the contracts' TypeScript sources (zod schemas and types), no package build needed.
const alias: AliasOptions = [{ find: /^@parley\/contracts$/, replacement: `${repoRoot}packages/contracts/src/index.ts` }];

/**
 * Builds the browser client into `dist/` (see docs/decisions/0008-web-first-paint.md): the signed-out
 * screen prerendered into index.html with the style sheet inlined, the signed-in app in chunks
 * loaded after sign-in, `sw.js` for the offline shell, every text file also stored as .br and
 * .gz, and source maps kept out of `dist/` (in `dist-sourcemaps/`). `npm run dev` serves the
 * client with the API proxied to the launcher.
 */
export default defineConfig({
  root: here('.'),
  plugins: [
    react(),
    inlineStylesheet(),
    prerenderSignIn({ root: here('.'), entry: here('./src/prerender/sign-in-shell.tsx'), alias }),
    serviceWorkerAsset({ source: here('./src/service-worker/shell-cache-worker.ts'), publicDir: here('./public') }),
    privateSourceMaps(() => outDir, here('./dist-sourcemaps')),
    precompress(() => outDir),
  ],
  resolve: { alias },
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: 'hidden',
    target: 'es2022',
    // The budget that matters is checked by test/bundle-budget.test.ts (gzipped initial JS).
    chunkSizeWarningLimit: 300,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: process.env.PARLEY_URL ?? 'http://localhost:8080', changeOrigin: false },
      '/dev': { target: process.env.PARLEY_URL ?? 'http://localhost:8080', changeOrigin: false },
      '/socket.io': { target: process.env.PARLEY_URL ?? 'http://localhost:8080', ws: true },
    },
  },
});
