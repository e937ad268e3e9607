import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedAssets } from './generated-assets.js';
import { REPO_ROOT } from './repo-root.js';

/**
 * Writes (`--write`) or checks (`--check`) the generated observability assets: the Grafana
 * dashboards and the Prometheus rule files. Run scripts/sync-chart-assets.sh after writing, so
 * the Helm chart ships the same files.
 */
function main(): void {
  const mode = process.argv[2];
  if (mode !== '--write' && mode !== '--check') {
    process.stderr.write('usage: generate-assets-cli.js --write | --check\n');
    process.exit(2);
  }
  const stale: string[] = [];
  for (const [path, content] of Object.entries(generatedAssets())) {
    const file = join(REPO_ROOT, path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === content) continue;
    if (mode === '--check') {
      stale.push(path);
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
  if (stale.length > 0) {
    process.stderr.write(`out of date (run with --write, then scripts/sync-chart-assets.sh):\n${stale.map((path) => `  ${path}`).join('\n')}\n`);
    process.exit(1);
  }
}

main();
