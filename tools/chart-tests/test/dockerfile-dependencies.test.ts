import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingDependencyCopies } from '../src/dockerfile-dependencies.js';
import { readDockerfileStages } from '../src/dockerfile-targets.js';
import { nestedNodeModules, readLockPackages, resolveFrom, runtimeClosure } from '../src/lockfile-placement.js';
import { DOCKERFILE } from '../src/repo-paths.js';

const packages = readLockPackages();
const dockerfile = readFileSync(DOCKERFILE, 'utf8');

describe('production dependencies in the runtime images', () => {
  it('every image copies each node_modules folder where the lockfile places a package it needs', () => {
    expect(missingDependencyCopies(readDockerfileStages(dockerfile), packages)).toEqual([]);
  });

  it('notices a runtime stage that copies only the top-level node_modules', () => {
    const topLevelOnly = dockerfile
      .split('\n')
      .filter((line) => !/^COPY --from=[a-z-]+-deps \/app\/(packages|services|tools)\//.test(line))
      .join('\n');
    const problems = missingDependencyCopies(readDockerfileStages(topLevelOnly), packages);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain('packages/tracing/node_modules');
  });

  it("notices a package the lockfile moves into a workspace's node_modules", () => {
    // As npm does when a second version of a package is needed: the workspace gets its own copy.
    const moved = structuredClone(packages);
    const top = moved['node_modules/pino'];
    expect(top, 'the fixture expects pino at the top level').toBeDefined();
    moved['packages/logger/node_modules/pino'] = { ...top };
    const problems = missingDependencyCopies(readDockerfileStages(dockerfile), moved);
    expect(problems.join('\n')).toContain('packages/logger/node_modules` (it holds pino)');
  });

  it('notices a COPY of a folder npm does not create, which would fail the build', () => {
    const extra = dockerfile.replace(
      'COPY --from=auth-deps /app/node_modules ./node_modules\n',
      'COPY --from=auth-deps /app/node_modules ./node_modules\nCOPY --from=auth-deps /app/packages/db/node_modules ./packages/db/node_modules\n',
    );
    expect(missingDependencyCopies(readDockerfileStages(extra), packages)).toContainEqual(expect.stringContaining('packages/db/node_modules'));
  });

  it('notices a deps stage that installs another workspace', () => {
    const wrongWorkspace = dockerfile.replace('npm ci --omit=dev --workspace services/auth', 'npm ci --omit=dev --workspace services/user');
    expect(missingDependencyCopies(readDockerfileStages(wrongWorkspace), packages)).toContainEqual(expect.stringContaining('auth-deps does not run'));
  });
});

describe('lockfile placement', () => {
  it("resolves a name as Node does: the workspace's own node_modules before the top level", () => {
    expect(resolveFrom(packages, 'packages/tracing', '@opentelemetry/sdk-node')).toBe('packages/tracing/node_modules/@opentelemetry/sdk-node');
    expect(resolveFrom(packages, 'services/auth', 'zod')).toBe('node_modules/zod');
  });

  it('follows workspace links and leaves out development dependencies', () => {
    const closure = runtimeClosure(packages, 'services/auth');
    expect(closure).toContain('packages/tracing');
    expect(closure).not.toContain('node_modules/vitest');
    expect([...nestedNodeModules(packages, closure).keys()]).toContain('packages/tracing/node_modules');
  });
});
