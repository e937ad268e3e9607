import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { sourceFilesUnder, WORKSPACE_ROOTS } from './source-files.js';

/**
 * Rule: every file of a workspace, tests included, imports only what its own package.json
 * declares (dependencies, devDependencies, peerDependencies), the root's devDependencies (the
 * test runner, the compiler, Node's types) and its own files. A relative path into another
 * workspace counts as importing that workspace, so it must be declared too: an undeclared one
 * hides a dependency from npm, the build order and the images. (Test runs resolve `@parley/*`
 * names to packages/ only, so a test reaching into a service or tool does so by path.)
 */

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface ImportViolation {
  file: string;
  specifier: string;
  problem: string;
}

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const declared = (manifest: Manifest) =>
  new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);

const builtins = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The workspace directories (`services/auth`, …) that have a package.json. */
export function workspaceDirs(repoRoot: string): string[] {
  return WORKSPACE_ROOTS.flatMap((root) =>
    existsSync(join(repoRoot, root))
      ? readdirSync(join(repoRoot, root))
          .map((name) => `${root}/${name}`)
          .filter((dir) => existsSync(join(repoRoot, dir, 'package.json')))
      : [],
  ).sort();
}

export function checkWorkspaceDependencies(repoRoot: string): ImportViolation[] {
  const rootAllowed = declared(readManifest(join(repoRoot, 'package.json')));
  const dirs = workspaceDirs(repoRoot);
  const nameOfDir = new Map(dirs.map((dir) => [dir, readManifest(join(repoRoot, dir, 'package.json')).name]));
  const violations: ImportViolation[] = [];
  for (const dir of dirs) {
    const manifest = readManifest(join(repoRoot, dir, 'package.json'));
    const allowed = declared(manifest);
    for (const file of sourceFilesUnder(repoRoot, dir)) {
      for (const specifier of file.specifiers) {
        if (specifier.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(file.path), specifier));
          if (target.startsWith(`${dir}/`)) continue;
          const targetDir = dirs.find((other) => target.startsWith(`${other}/`));
          const targetName = targetDir ? nameOfDir.get(targetDir) : undefined;
          if (targetName !== undefined && allowed.has(targetName)) continue;
          violations.push({
            file: file.path,
            specifier,
            problem: targetDir ? `reaches into ${targetDir} (${targetName ?? 'unnamed'}), which ${dir}/package.json does not declare` : `reaches outside every workspace`,
          });
          continue;
        }
        if (specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(packageNameOf(specifier))) continue;
        const name = packageNameOf(specifier);
        if (name === manifest.name || allowed.has(name) || rootAllowed.has(name)) continue;
        violations.push({ file: file.path, specifier, problem: `${name} is not declared in ${dir}/package.json` });
      }
    }
  }
  return violations;
}
