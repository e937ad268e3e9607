import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The live telemetry test (`npm run test:telemetry`): the platform, a real Prometheus and faults,
 * several minutes long, so it is not part of `npm test` (the promtool, asset and fresh-process
 * tests there are the fast part).
 */
export default defineConfig({
  root,
  resolve: {
    alias: [{ find: /^@parley\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: ['tools/observability/test/*.telemetry.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
