import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the browser client into `dist/`; `npm run dev` serves it with the API proxied to the launcher. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    // The client bundles the contracts' TypeScript sources (zod schemas and types), no package build needed.
    alias: [{ find: /^@parley\/contracts$/, replacement: `${repoRoot}packages/contracts/src/index.ts` }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
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
