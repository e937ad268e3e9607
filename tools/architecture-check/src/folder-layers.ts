import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { sourceFilesUnder, type SourceFile } from './source-files.js';
import { workspaceDirs } from './workspace-dependencies.js';

/**
 * The layering rules, from folder-layers.json at the repository root:
 *   - services never import each other;
 *   - packages never import services;
 *   - inside a service's source folder, a file imports only from its own folder or from the
 *     folders and top-level files listed below its own in that service's order.
 * Known exceptions are listed by name in `baseline`; the check fails on any violation not in it
 * and on any baseline entry that no longer occurs, so the list only shrinks.
 */

export interface LayerConfig {
  /** Service source folder (e.g. `services/auth/src`) → its entries, top first: folder names and top-level file names. */
  services: Record<string, string[]>;
  /** Accepted violations: `<importing file> -> <imported file>`, each with why it is still there. */
  baseline: Record<string, string>;
}

export interface LayerViolation {
  /** `<importing file> -> <imported file>`, the key a baseline entry uses. */
  edge: string;
  problem: string;
}

export interface LayerReport {
  violations: LayerViolation[];
  /** Violations not in the baseline. */
  unexpected: LayerViolation[];
  /** Baseline entries that no longer occur: remove them. */
  stale: string[];
}

export function readLayerConfig(repoRoot: string): LayerConfig {
  return JSON.parse(readFileSync(join(repoRoot, 'folder-layers.json'), 'utf8')) as LayerConfig;
}

const isTest = (path: string) => /\.test\.tsx?$/.test(path) || /(^|\/)test(-support)?\//.test(path);

/** Where a relative specifier points, without extension games: `../a/b.js` from `x/y/z.ts` → `x/a/b.js`. */
const resolveRelative = (file: SourceFile, specifier: string) => posix.normalize(posix.join(posix.dirname(file.path), specifier));

/** The entry of `sourceDir` a path belongs to: its first folder, or its file name without extension. */
function entryOf(sourceDir: string, path: string): string {
  const rest = path.slice(sourceDir.length + 1);
  const slash = rest.indexOf('/');
  return slash >= 0 ? rest.slice(0, slash) : rest.replace(/\.(js|jsx|ts|tsx|css)$/, '');
}

const entryName = (entry: string) => entry.replace(/\.(ts|tsx|css)$/, '');

function crossWorkspaceViolations(repoRoot: string): LayerViolation[] {
  const dirs = workspaceDirs(repoRoot);
  const serviceNames = new Map<string, string>();
  for (const dir of dirs.filter((dir) => dir.startsWith('services/'))) {
    const name = (JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name?: string }).name;
    if (name) serviceNames.set(name, dir);
  }
  const violations: LayerViolation[] = [];
  for (const dir of dirs.filter((dir) => dir.startsWith('services/') || dir.startsWith('packages/'))) {
    const kind = dir.startsWith('services/') ? 'a service' : 'a package';
    for (const file of sourceFilesUnder(repoRoot, dir)) {
      for (const specifier of file.specifiers) {
        let target: string | undefined;
        if (specifier.startsWith('.')) {
          const resolved = resolveRelative(file, specifier);
          target = dirs.find((other) => other.startsWith('services/') && other !== dir && resolved.startsWith(`${other}/`)) ? resolved : undefined;
        } else {
          const serviceDir = [...serviceNames].find(([name]) => specifier === name || specifier.startsWith(`${name}/`))?.[1];
          if (serviceDir && serviceDir !== dir) target = specifier;
        }
        if (target) violations.push({ edge: `${file.path} -> ${target}`, problem: `${kind} imports another service` });
      }
    }
  }
  return violations;
}

function folderOrderViolations(repoRoot: string, config: LayerConfig): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [sourceDir, order] of Object.entries(config.services)) {
    const rank = new Map(order.map((entry, index) => [entryName(entry), index]));
    const files = sourceFilesUnder(repoRoot, sourceDir).filter((file) => !isTest(file.path));
    for (const file of files) {
      const from = entryOf(sourceDir, file.path);
      const fromRank = rank.get(from);
      if (fromRank === undefined) {
        violations.push({ edge: `${file.path} -> (unplaced)`, problem: `"${from}" has no place in the layer order of ${sourceDir} (folder-layers.json)` });
        continue;
      }
      for (const specifier of file.specifiers) {
        if (!specifier.startsWith('.')) continue;
        const target = resolveRelative(file, specifier);
        if (!target.startsWith(`${sourceDir}/`)) continue;
        const to = entryOf(sourceDir, target);
        if (to === from) continue;
        const toRank = rank.get(to);
        if (toRank === undefined || toRank <= fromRank) {
          violations.push({
            edge: `${file.path} -> ${target}`,
            problem: toRank === undefined ? `"${to}" has no place in the layer order of ${sourceDir}` : `"${from}" imports "${to}", which is not below it`,
          });
        }
      }
    }
  }
  return violations;
}

export function checkFolderLayers(repoRoot: string, config: LayerConfig = readLayerConfig(repoRoot)): LayerReport {
  const violations = [...crossWorkspaceViolations(repoRoot), ...folderOrderViolations(repoRoot, config)];
  const occurring = new Set(violations.map((violation) => violation.edge));
  return {
    violations,
    unexpected: violations.filter((violation) => !(violation.edge in config.baseline)),
    stale: Object.keys(config.baseline).filter((edge) => !occurring.has(edge)),
  };
}
