import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix, type TestDatabase } from '@parley/testing';
import { createSigningKeyJwk } from '@parley/signing-keys';
import { imageTargets, readDockerfileStages, stageLineage } from '../src/dockerfile-targets.js';
import { helmTemplate } from '../src/helm.js';
import { findObject, type K8sObject, parseManifests, podSpecOf } from '../src/manifests.js';
import { REPO_ROOT } from '../src/repo-paths.js';
import { containerEnvSources, resolveEnv } from '../src/workload-env.js';
import { freePort } from '@parley/ports';

const stages = readDockerfileStages();
const targets = imageTargets(stages);

describe('the Dockerfile', () => {
  it('has one image target per service and the operator, plus the key-bootstrap hook image', () => {
    expect(targets.map((stage) => stage.name)).toEqual(['auth', 'user', 'chat-socket', 'persistence-worker', 'operator', 'key-bootstrap', 'web']);
  });

  it('starts node directly with an exec-form CMD, so SIGTERM reaches the service', () => {
    for (const stage of targets) {
      expect(stage.shellFormCmd, stage.name).toBe(false);
      expect(stage.cmd?.[0], stage.name).toBe('node');
      // web: the Vite bundle is dist/, its static server compiles to dist-server/.
      const entry = stage.name === 'web' ? /^services\/web\/dist-server\/main\.js$/ : /^(services|tools)\/[a-z-]+\/dist\/main\.js$/;
      expect(stage.cmd?.[1], stage.name).toMatch(entry);
      expect(stage.cmd, stage.name).toHaveLength(2);
    }
  });

  it('runs every image as the numeric non-root user 10001', () => {
    for (const stage of targets) {
      const user = stageLineage(stages, stage.name).find((ancestor) => ancestor.user)?.user;
      expect(user, stage.name).toBe('10001:10001');
    }
  });

  it('labels every image with the OCI annotations', () => {
    for (const stage of targets) {
      const labels = stageLineage(stages, stage.name).flatMap((ancestor) => ancestor.labels).join('\n');
      for (const key of ['title', 'description', 'source', 'version', 'revision', 'created', 'licenses']) {
        expect(labels, `${stage.name}: org.opencontainers.image.${key}`).toContain(`org.opencontainers.image.${key}=`);
      }
    }
  });

  it('builds on node:20-bookworm-slim and keeps the compiler toolchain out of runtime images', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    for (const stage of targets) {
      const lineage = stageLineage(stages, stage.name).map((ancestor) => ancestor.name);
      expect(lineage, stage.name).not.toContain('toolchain');
      expect(lineage, stage.name).not.toContain('build');
    }
  });

  it('copies only compiled output and production dependencies into runtime images', () => {
    for (const stage of targets) {
      for (const copy of stageLineage(stages, stage.name).flatMap((ancestor) => ancestor.copies)) {
        expect(copy, stage.name).toMatch(/--from=(build \/runtime\/|build \/app\/package\.json|[a-z-]+-deps \/app\/((packages|services|tools)\/[a-z-]+\/)?node_modules )/);
      }
    }
    // Each image copies its own workspace's runtime tree (the folder its CMD runs from) and
    // the production dependencies of its own `<target>-deps` stage.
    for (const stage of targets) {
      const workspace = (stage.cmd?.[1] ?? '').split('/').slice(0, 2).join('/');
      expect(stage.copies, stage.name).toContainEqual(expect.stringMatching(new RegExp(`--from=build /runtime/${workspace} \\./${workspace}$`)));
      expect(stage.copies, stage.name).toContain(`--from=${stage.name}-deps /app/node_modules ./node_modules`);
    }
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm ci --include-workspace-root');
    expect(dockerfile.match(/npm ci --omit=dev --workspace/g)?.length).toBe(targets.length);
    // The runtime tree holds dist/ of every workspace, and for web also its server's dist-server/.
    expect(dockerfile).toContain('cp -r "$dir/package.json" "$dir/dist" "/runtime/$dir/"');
    expect(dockerfile).toContain('cp -r services/web/dist-server /runtime/services/web/');
    expect(dockerfile).toContain("-name '*.d.ts' -o -name '*.map'");
  });

  it("holds the web bundle where the chart's STATIC_DIR points", () => {
    const workdir = stageLineage(stages, 'web').find((ancestor) => ancestor.workdir)?.workdir;
    const rendered = helmTemplate({ releaseName: 'parley' });
    if (!rendered.ok) throw new Error(rendered.stderr);
    const configMap = findObject(parseManifests(rendered.stdout), 'ConfigMap', 'parley-web');
    expect((configMap.data as Record<string, string>).STATIC_DIR).toBe(`${workdir}/services/web/dist`);
  });

  it('keeps node_modules, git and local data out of the build context', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '.git', '.parley-data', '.env']) expect(ignore).toContain(entry);
  });
});

// ---- each service target's CMD, run from the build output with the chart's environment ----

interface RunningService {
  target: string;
  component: string;
  port: number;
  process: ChildProcess;
  exit: Promise<number | null>;
  output: string[];
}

/** Runs a CMD the way the image does (node from PATH is this test's node), with only the given environment. */
function startProcess(cmd: string[], env: Record<string, string>, output: string[]) {
  const [binary, ...args] = cmd;
  const child = spawn(binary === 'node' ? process.execPath : (binary ?? ''), args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit };
}

/** The chart's environment for a container, with addresses pointed at this machine. */
function chartEnv(objects: K8sObject[], workload: K8sObject, overrides: Record<string, string>): Record<string, string> {
  const env = resolveEnv(objects, containerEnvSources(objects, workload));
  for (const name of Object.keys(overrides)) {
    if (!(name in env)) throw new Error(`${workload.metadata.name}: the chart does not set ${name}, so the test may not override it`);
  }
  const merged = { ...env, ...overrides };
  const unresolved = Object.entries(merged).filter(([, value]) => value === undefined).map(([name]) => name);
  if (unresolved.length > 0) throw new Error(`${workload.metadata.name}: unresolved variables ${unresolved.join(', ')}`);
  return merged as Record<string, string>;
}

const SERVICE_TARGETS = targets.filter((stage) => stage.cmd?.[1]?.startsWith('services/'));
/** Dockerfile target → chart component (the same names). */
const existingServices = SERVICE_TARGETS.filter((stage) => existsSync(join(REPO_ROOT, 'services', stage.name)));

describe('each service image CMD started with the chart environment', () => {
  const running = new Map<string, RunningService>();
  let database: TestDatabase;
  let redisPrefix: string;
  let objects: K8sObject[];
  let scratch: string;
  const ports = new Map<string, number>();

  beforeAll(async () => {
    for (const stage of existingServices) {
      const entry = join(REPO_ROOT, stage.cmd?.[1] ?? '');
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    }
    const webBundle = join(REPO_ROOT, 'services', 'web', 'dist', 'index.html');
    if (existingServices.some((stage) => stage.name === 'web') && !existsSync(webBundle)) throw new Error(`${webBundle} is missing: run \`npm run build\` first`);
    database = await createTestDatabase('chart_containers');
    redisPrefix = testRedisPrefix('chart');
    const rendered = helmTemplate({ releaseName: 'parley' });
    if (!rendered.ok) throw new Error(rendered.stderr);
    objects = parseManifests(rendered.stdout);
    scratch = mkdtempSync(join(tmpdir(), 'parley-containers-'));
    // What the signing-key Secret volume holds: one key file made by the key-bootstrap code.
    const keysDir = join(scratch, 'signing-keys');
    mkdirSync(keysDir);
    const key = await createSigningKeyJwk();
    writeFileSync(join(keysDir, `${key.kid}.json`), JSON.stringify(key));
    for (const stage of existingServices) ports.set(stage.name, await freePort());
  });

  afterAll(async () => {
    for (const service of running.values()) if (service.process.exitCode === null) service.process.kill('SIGKILL');
    await database?.drop();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /**
   * Per target, only variables the chart sets (chartEnv refuses others): addresses and paths
   * of the cluster pointed at this machine, and a free port each.
   */
  const overridesFor = (target: string): Record<string, string> => {
    const port = (name: string) => String(ports.get(name) ?? 0);
    const own = { PORT: port(target) };
    const datastores = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redisPrefix };
    const jwksUrl = `http://127.0.0.1:${port('auth')}/.well-known/jwks.json`;
    switch (target) {
      case 'auth':
        return {
          ...own,
          ...datastores,
          USER_SERVICE_URL: `http://127.0.0.1:${port('user')}`,
          SIGNING_KEYS_DIR: join(scratch, 'signing-keys'),
          DATA_DIR: join(scratch, 'auth-data'),
          MAILBOX_DIR: join(scratch, 'auth-data', 'mailbox'),
        };
      case 'user':
        return { ...own, ...datastores, JWKS_URL: jwksUrl };
      case 'chat-socket':
        return { ...own, ...datastores, JWKS_URL: jwksUrl, USER_SERVICE_URL: `http://127.0.0.1:${port('user')}` };
      case 'persistence-worker':
        return { ...own, ...datastores, DATA_DIR: join(scratch, 'worker-data'), MAILBOX_DIR: join(scratch, 'worker-data', 'mailbox') };
      case 'operator':
        // No database or Redis; the downward API would give it these two.
        return { ...own, POD_NAMESPACE: 'chat', POD_NAME: 'parley-operator-test' };
      case 'web':
        // No database or Redis; the bundle the image holds at /app/services/web/dist is the build here.
        return { ...own, STATIC_DIR: join(REPO_ROOT, 'services', 'web', 'dist') };
      default:
        throw new Error(`${target}: a new image target needs its overrides here`);
    }
  };

  it.each(existingServices.map((stage) => [stage.name]))('%s: runs the migration hook Job command, if any, to completion', async (target) => {
    const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === `parley-${target}-migrate`);
    if (!job) return; // persistence-worker: chat-socket migrates the chat schema
    const container = podSpecOf(job)?.containers[0];
    const output: string[] = [];
    const env = chartEnv(objects, job, { DATABASE_URL: database.url });
    const { exit } = startProcess(container?.command ?? [], env, output);
    expect(await exit, output.join('')).toBe(0);
  }, 60_000);

  /**
   * No Kubernetes API server runs here: the operator must start anyway, stay alive and report
   * not ready (its readiness is "the API server answers"), so it is expected to answer 503.
   */
  const expectedReadiness = (target: string) => (target === 'operator' ? 503 : 200);

  it.each(existingServices.map((stage) => [stage.name]))('%s: starts from its CMD and answers /healthz and /readyz (the operator: not ready without an API server)', async (target) => {
    const stage = targets.find((candidate) => candidate.name === target);
    const deployment = findObject(objects, 'Deployment', `parley-${target}`);
    const env = chartEnv(objects, deployment, overridesFor(target));
    const output: string[] = [];
    const { child, exit } = startProcess(stage?.cmd ?? [], env, output);
    const port = ports.get(target) ?? 0;
    running.set(target, { target, component: target, port, process: child, exit, output });

    const deadline = Date.now() + 30_000;
    let health = 0;
    let ready = 0;
    const expected = expectedReadiness(target);
    while (Date.now() < deadline && child.exitCode === null && ready !== expected) {
      try {
        health = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
        ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
      } catch {
        // not listening yet
      }
      if (ready !== expected) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (target === 'operator') {
      // Still alive and still not ready after a few failed Lease attempts.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      ready = response.status;
      expect(await response.json()).toMatchObject({ checks: { kubernetesApi: 'failed: the Kubernetes API server is not reachable' } });
    }
    expect(child.exitCode, output.join('')).toBeNull();
    expect(health, output.join('')).toBe(200);
    expect(ready, output.join('')).toBe(expected);
    if (target === 'web') {
      // Serves the built client at `/`, where the ingress routes it.
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }
  }, 45_000);

  it('passes the chart\'s helm test script: register, connect a socket, send, read history', async () => {
    const needed = ['auth', 'user', 'chat-socket', 'persistence-worker'];
    if (!needed.every((target) => running.get(target)?.process.exitCode === null)) {
      // A service folder that does not exist yet has no image to test against.
      expect(needed.filter((target) => !existsSync(join(REPO_ROOT, 'services', target)))).not.toEqual([]);
      return;
    }
    const output: string[] = [];
    const job = findObject(objects, 'Job', 'parley-smoke-test');
    const command = podSpecOf(job)?.containers[0]?.command ?? [];
    expect(command).toEqual(['node', '--experimental-websocket', '/opt/parley-smoke/smoke-test.mjs']);
    const script = join(REPO_ROOT, 'charts', 'parley', 'files', 'smoke-test.mjs');
    const { exit } = startProcess(['node', '--experimental-websocket', script], {
      AUTH_URL: `http://127.0.0.1:${ports.get('auth')}`,
      CHAT_URL: `http://127.0.0.1:${ports.get('chat-socket')}`,
      SMOKE_TIMEOUT_MS: '30000',
    }, output);
    expect(await exit, output.join('') + [...running.values()].map((service) => service.output.join('').slice(-3000)).join('\n')).toBe(0);
    expect(output.join('')).toContain('"smoke":"ok"');
  }, 60_000);

  it.each(existingServices.map((stage) => [stage.name]))('%s: drains and exits 0 on SIGTERM', async (target) => {
    const service = running.get(target);
    expect(service, `${target} was not started`).toBeDefined();
    if (!service) return;
    expect(service.process.exitCode, service.output.join('')).toBeNull();
    service.process.kill('SIGTERM');
    expect(await service.exit, service.output.join('')).toBe(0);
  }, 45_000);
});
