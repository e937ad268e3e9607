import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** The roots whose sub-folders are workspaces (the root package.json's `workspaces`). */
export const WORKSPACE_ROOTS = ['packages', 'services', 'tools', 'loadtests'] as const;

const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'dist-server', 'test-artifacts', 'coverage']);

/** A TypeScript file of the repository, with the module specifiers it imports. */
export interface SourceFile {
  /** Repository-relative, forward slashes. */
  path: string;
  specifiers: string[];
}

/** Every module specifier a file names: static and dynamic imports, re-exports, `import x = require()`. */
export function importedSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

const toPosix = (path: string) => path.split(sep).join('/');

function walk(root: string, dir: string, found: SourceFile[]): void {
  for (const entry of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(entry) || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    const stat = statSync(full);
    if (stat.isDirectory()) walk(root, full, found);
    else if (SOURCE_FILE.test(entry) && !entry.endsWith('.d.ts')) {
      found.push({ path: toPosix(relative(root, full)), specifiers: importedSpecifiers(readFileSync(full, 'utf8')) });
    }
  }
}

/** The TypeScript files under `dir` (repository-relative), skipping build output and dependencies. */
export function sourceFilesUnder(repoRoot: string, dir: string): SourceFile[] {
  const found: SourceFile[] = [];
  walk(repoRoot, join(repoRoot, dir), found);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}
