import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFolderLayers, type LayerConfig } from './folder-layers.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function repo(files: Record<string, string | object>): string {
  root = mkdtempSync(join(tmpdir(), 'folder-layers-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const base = {
  'packages/errors/package.json': { name: '@parley/errors' },
  'services/chat/package.json': { name: '@parley/chat-service' },
  'services/user/package.json': { name: '@parley/user-service' },
  'services/chat/src/app.ts': "import { rooms } from './rooms/room-service.js';\nimport { config } from './config.js';\n",
  'services/chat/src/config.ts': 'export const config = {};\n',
  'services/chat/src/rooms/room-service.ts': "import { ids } from '../ids/id.js';\nimport { config } from '../config.js';\nimport { x } from './room-views.js';\n",
  'services/chat/src/rooms/room-views.ts': 'export const x = 1;\n',
  'services/chat/src/ids/id.ts': 'export const ids = 1;\n',
};
const config: LayerConfig = { services: { 'services/chat/src': ['app.ts', 'rooms', 'ids', 'config.ts'] }, baseline: {} };

describe('checkFolderLayers', () => {
  it('accepts imports within a folder and down the order', () => {
    expect(checkFolderLayers(repo(base), config)).toEqual({ violations: [], unexpected: [], stale: [] });
  });

  it('reports a folder importing one above it, but not from a test', () => {
    const dir = repo({
      ...base,
      'services/chat/src/ids/id.ts': "import { rooms } from '../rooms/room-service.js';\n",
      'services/chat/src/ids/id.test.ts': "import { rooms } from '../rooms/room-service.js';\n",
    });
    expect(checkFolderLayers(dir, config).unexpected).toEqual([
      { edge: 'services/chat/src/ids/id.ts -> services/chat/src/rooms/room-service.js', problem: '"ids" imports "rooms", which is not below it' },
    ]);
  });

  it('reports a folder the order does not place, so a new folder must be given its layer', () => {
    const dir = repo({ ...base, 'services/chat/src/typing/typing.ts': 'export const t = 1;\n' });
    expect(checkFolderLayers(dir, config).unexpected).toMatchObject([{ edge: 'services/chat/src/typing/typing.ts -> (unplaced)' }]);
  });

  it('reports a service importing another service, by path or by name, and a package importing a service', () => {
    const dir = repo({
      ...base,
      'services/chat/src/ids/id.ts': "import { a } from '../../../user/src/app.js';\nimport { b } from '@parley/user-service/dist/app.js';\n",
      'packages/errors/src/index.ts': "import { c } from '../../../services/chat/src/app.js';\n",
    });
    expect(checkFolderLayers(dir, config).unexpected.map((violation) => violation.problem)).toEqual([
      'a package imports another service',
      'a service imports another service',
      'a service imports another service',
    ]);
  });

  it('lets a baseline entry through, and fails on one that no longer occurs', () => {
    const dir = repo({ ...base, 'services/chat/src/ids/id.ts': "import { rooms } from '../rooms/room-service.js';\n" });
    const edge = 'services/chat/src/ids/id.ts -> services/chat/src/rooms/room-service.js';
    const withBaseline = { ...config, baseline: { [edge]: 'known', 'services/chat/src/gone.ts -> services/chat/src/app.js': 'fixed long ago' } };
    const report = checkFolderLayers(dir, withBaseline);
    expect(report.unexpected).toEqual([]);
    expect(report.violations.map((violation) => violation.edge)).toEqual([edge]);
    expect(report.stale).toEqual(['services/chat/src/gone.ts -> services/chat/src/app.js']);
  });
});
