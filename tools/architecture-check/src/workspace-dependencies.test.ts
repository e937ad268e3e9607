import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWorkspaceDependencies } from './workspace-dependencies.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A throwaway repository: path → content (objects are written as JSON). */
function repo(files: Record<string, string | object>): string {
  root = mkdtempSync(join(tmpdir(), 'architecture-check-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const base = {
  'package.json': { devDependencies: { vitest: '*' } },
  'packages/errors/package.json': { name: '@parley/errors' },
  'packages/errors/src/index.ts': 'export const x = 1;\n',
  'services/auth/package.json': { name: '@parley/auth-service', dependencies: { zod: '*', '@parley/errors': '*' } },
  'tools/launcher/package.json': { name: '@parley/launcher' },
  'tools/launcher/src/routes.ts': 'export const routes = [];\n',
};

describe('checkWorkspaceDependencies', () => {
  it('accepts declared packages, the root dev tools, Node built-ins and files of the workspace itself', () => {
    const dir = repo({
      ...base,
      'services/auth/src/app.ts': [
        "import { z } from 'zod';",
        "import { x } from '@parley/errors';",
        "import { readFile } from 'node:fs/promises';",
        "import { join } from 'path';",
        "import { config } from './config.js';",
      ].join('\n'),
      'services/auth/test/app.test.ts': "import { it } from 'vitest';\nimport { app } from '../src/app.js';\n",
    });
    expect(checkWorkspaceDependencies(dir)).toEqual([]);
  });

  it('reports a package the workspace does not declare, in a test as in the source', () => {
    const dir = repo({
      ...base,
      'services/auth/src/app.ts': "import express from 'express';\n",
      'services/auth/test/app.test.ts': "const testing = await import('@parley/testing/sub');\n",
    });
    expect(checkWorkspaceDependencies(dir)).toEqual([
      { file: 'services/auth/src/app.ts', specifier: 'express', problem: 'express is not declared in services/auth/package.json' },
      { file: 'services/auth/test/app.test.ts', specifier: '@parley/testing/sub', problem: '@parley/testing is not declared in services/auth/package.json' },
    ]);
  });

  it('reports a relative path into another workspace unless that workspace is declared', () => {
    const dir = repo({
      ...base,
      'services/auth/test/routes.test.ts': "export { routes } from '../../../tools/launcher/src/routes.js';\n",
    });
    expect(checkWorkspaceDependencies(dir)).toMatchObject([
      { file: 'services/auth/test/routes.test.ts', problem: expect.stringMatching(/reaches into tools\/launcher \(@parley\/launcher\)/) },
    ]);
    writeFileSync(
      join(dir, 'services/auth/package.json'),
      JSON.stringify({ name: '@parley/auth-service', devDependencies: { '@parley/launcher': '*' } }),
    );
    expect(checkWorkspaceDependencies(dir)).toEqual([]);
  });

  it('ignores build output and installed dependencies', () => {
    const dir = repo({
      ...base,
      'services/auth/dist/app.js': "import express from 'express';\n",
      'services/auth/node_modules/x/index.ts': "import express from 'express';\n",
    });
    expect(checkWorkspaceDependencies(dir)).toEqual([]);
  });
});
