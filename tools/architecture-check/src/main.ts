import { fileURLToPath } from 'node:url';
import { checkWorkspaceDependencies } from './workspace-dependencies.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const dependencyViolations = checkWorkspaceDependencies(repoRoot);
for (const violation of dependencyViolations) {
  console.error(`${violation.file}: imports '${violation.specifier}': ${violation.problem}`);
}
if (dependencyViolations.length > 0) {
  console.error(`${dependencyViolations.length} undeclared workspace import(s)`);
  process.exitCode = 1;
} else {
  console.log('every workspace imports only what it declares');
}
