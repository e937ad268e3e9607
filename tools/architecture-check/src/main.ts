import { fileURLToPath } from 'node:url';
import { checkFolderLayers } from './folder-layers.js';
import { checkWorkspaceDependencies } from './workspace-dependencies.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let failed = false;

const dependencyViolations = checkWorkspaceDependencies(repoRoot);
for (const violation of dependencyViolations) {
  console.error(`${violation.file}: imports '${violation.specifier}': ${violation.problem}`);
}
if (dependencyViolations.length > 0) {
  console.error(`${dependencyViolations.length} undeclared workspace import(s)`);
  failed = true;
} else {
  console.log('every workspace imports only what it declares');
}

const layers = checkFolderLayers(repoRoot);
for (const violation of layers.unexpected) console.error(`${violation.edge}: ${violation.problem}`);
for (const edge of layers.stale) console.error(`${edge}: in the baseline of folder-layers.json but no longer imported: remove it`);
if (layers.unexpected.length > 0 || layers.stale.length > 0) {
  console.error(`${layers.unexpected.length} layering violation(s) outside the baseline, ${layers.stale.length} stale baseline entr(ies)`);
  failed = true;
} else {
  const known = layers.violations.length;
  console.log(known === 0 ? 'layers point down everywhere' : `layers point down everywhere but the ${known} known exception(s) of folder-layers.json`);
}

if (failed) process.exitCode = 1;
