import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths.js';

/** One entry of package-lock.json's `packages` map (lockfile v3), as far as placement needs it. */
export interface LockEntry {
  name?: string;
  link?: boolean;
  resolved?: string;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export type LockPackages = Record<string, LockEntry>;

export function readLockPackages(text = readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')): LockPackages {
  const lock = JSON.parse(text) as { lockfileVersion?: number; packages?: LockPackages };
  if (!lock.packages) throw new Error(`package-lock.json has no "packages" map (lockfileVersion ${lock.lockfileVersion ?? '?'})`);
  return lock.packages;
}

/**
 * Where Node's resolution finds `name` when required from the package at `location`: the
 * nearest `node_modules/<name>` walking up from it, as npm placed it in the lockfile.
 */
export function resolveFrom(packages: LockPackages, location: string, name: string): string | undefined {
  const parts = location === '' ? [] : location.split('/');
  for (let end = parts.length; end >= 0; end -= 1) {
    if (end > 0 && parts[end - 1] === 'node_modules') continue;
    const prefix = parts.slice(0, end).join('/');
    const candidate = prefix === '' ? `node_modules/${name}` : `${prefix}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
  }
  return undefined;
}

/** Names a package needs at runtime: dependencies, optional ones, and non-optional peers. */
function runtimeDependencyNames(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

/**
 * Every lockfile location a workspace needs at runtime (production dependencies, followed
 * transitively through other workspaces): what its image must contain.
 */
export function runtimeClosure(packages: LockPackages, workspace: string): Set<string> {
  const seen = new Set<string>();
  const queue = [workspace];
  while (queue.length > 0) {
    const location = queue.shift() as string;
    if (seen.has(location)) continue;
    const entry = packages[location];
    if (!entry) throw new Error(`package-lock.json has no entry "${location}"`);
    seen.add(location);
    for (const name of runtimeDependencyNames(entry)) {
      const found = resolveFrom(packages, location, name);
      if (!found) continue; // an optional dependency npm skipped on every platform
      const target = packages[found];
      // Workspace links: the linked folder is what runs.
      queue.push(target?.link && target.resolved ? target.resolved : found);
    }
  }
  return seen;
}

/**
 * The `node_modules` folders inside workspaces (not the top-level one) that hold packages of
 * the closure, each with the packages found there: npm places a package there when another
 * version of it sits at the top level.
 */
export function nestedNodeModules(packages: LockPackages, closure: Set<string>): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const location of closure) {
    const match = /^((?:packages|services|tools|loadtests)\/[^/]+)\/node_modules\/(.+)$/.exec(location);
    if (!match || packages[location]?.optional) continue;
    const folder = `${match[1]}/node_modules`;
    folders.set(folder, [...(folders.get(folder) ?? []), match[2] as string]);
  }
  return folders;
}
