import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Real Chromium against a platform started by the launcher (services/web/test), one file at a time. */
const BROWSER_E2E = 'services/web/test/*.e2e.test.ts';

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of shared packages, no build needed.
    // The fuzzer is a workspace under loadtests/ that other suites import.
    alias: [
      { find: /^@parley\/fuzz$/, replacement: `${root}loadtests/fuzz/src/index.ts` },
      { find: /^@parley\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
    ],
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more workers only queue on the CPU and make socket timings flaky.
    maxWorkers: 2,
    // The JSON report lets CI print one plain `N passed, N failed` line.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          // .tsx: the web client's component tests (each sets `// @vitest-environment jsdom`).
          include: ['{packages,services,tools}/*/{src,test}/**/*.test.{ts,tsx}', 'loadtests/*/{src,test}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', BROWSER_E2E],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // After everything else, on its own: next to the heaviest integration tests, a browser,
        // five services and a second test file on two cores made its UI waits time out (in
        // about one full run out of three; never when it ran alone).
        extends: true,
        test: { name: 'browser', include: [BROWSER_E2E], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
