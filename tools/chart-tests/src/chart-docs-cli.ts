import { paramProblems, readChartValues } from './chart-params.js';
import { staleChartDocs, writeChartDocs } from './chart-docs.js';

/**
 * `node tools/chart-tests/dist/chart-docs-cli.js --write` regenerates the parameters table of
 * charts/parley/README.md and charts/parley/values.schema.json from values.yaml;
 * `--check` exits 1 when either is out of date or a value lacks its `## @param` line.
 */
const mode = process.argv[2];
if (mode !== '--write' && mode !== '--check') {
  console.error('usage: chart-docs-cli.js --write | --check');
  process.exit(2);
}
const problems = paramProblems(readChartValues());
if (problems.length > 0) {
  console.error(`values.yaml documentation problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}
if (mode === '--write') {
  writeChartDocs();
  console.log('charts/parley/README.md and values.schema.json regenerated');
} else {
  const stale = staleChartDocs();
  if (stale.length > 0) {
    console.error(`out of date (run with --write): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log('chart docs are up to date');
}
