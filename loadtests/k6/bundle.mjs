// Bundles each scenario into one file (k6 modules left external) under dist/, for a ConfigMap
// of the k6 Operator (k8s/k6/): `npm run bundle --workspace loadtests/k6`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const scenarios = readdirSync(join(here, 'scenarios')).filter((name) => name.endsWith('.js'));
await build({
  entryPoints: scenarios.map((name) => join(here, 'scenarios', name)),
  outdir: join(here, 'dist'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  external: ['k6', 'k6/*'],
  logLevel: 'info',
});
