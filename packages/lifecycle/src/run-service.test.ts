import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/run-service.js', import.meta.url));

interface LogLine {
  level: string;
  service?: string;
  msg: string;
  port?: number;
  resource?: string;
  outcome?: string;
  durationMs?: number;
  problems?: string[];
  err?: { message: string };
}

/**
 * A service process built on runService, as every service's main.ts is: the build step registers
 * fake resources (each logs its close) and serves `/slow`, which answers after `SLOW_MS`.
 * `FIXTURE` picks a failure: a config error, a build that throws, or a build that waits for a
 * dependency (`DEPENDENCY_FILE` appearing).
 */
const FIXTURE_SCRIPT = `
  import { existsSync } from 'node:fs';
  import { ConfigError } from '@parley/config';
  import { runService } from ${JSON.stringify(BUILT)};
  const fixture = process.env.FIXTURE ?? 'ok';
  await runService({
    name: 'fixture',
    loadConfig: () => {
      if (fixture === 'bad-config') throw new ConfigError(['PORT: expected a port number']);
      return { HOST: '127.0.0.1', PORT: 0, METRICS_PORT: 0, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: 5000 };
    },
    build: async (config, { logger, resources }) => {
      if (fixture === 'build-fails') throw new Error('PostgreSQL said no');
      // A dependency the build needs (the file stands in for it): wait until it exists.
      while (fixture === 'waits-for-dependency' && !existsSync(process.env.DEPENDENCY_FILE)) await new Promise((resolve) => setTimeout(resolve, 50));
      for (const name of ['postgres', 'redis', 'queue']) resources.add(name, () => new Promise((resolve) => setTimeout(resolve, 5)));
      resources.add('stuck-cache', () => new Promise(() => undefined), { timeoutMs: 100 });
      resources.add('broken-client', () => { throw new Error('already gone'); });
      const handler = (request, response) => {
        if (request.url === '/slow') setTimeout(() => response.end('slow done'), Number(process.env.SLOW_MS));
        else response.end('ok');
      };
      return {
        handler,
        adminHandler: (request, response) => response.end('admin'),
        markDraining: () => logger.info('draining'),
        close: async () => logger.info('app closing'),
      };
    },
  });
`;

interface Fixture {
  child: ChildProcess;
  lines(): LogLine[];
  output(): string;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startFixture(env: Record<string, string> = {}): Fixture {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', FIXTURE_SCRIPT], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', SLOW_MS: '300', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  return { child, lines, output: () => output, exited };
}

async function waitForLine(fixture: Fixture, matches: (line: LogLine) => boolean): Promise<LogLine> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const found = fixture.lines().find(matches);
    if (found) return found;
    if (fixture.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no such log line; output:\n${fixture.output()}`);
}

describe('runService', () => {
  it('on SIGTERM: not ready, stops accepting, lets the request in flight finish, closes in reverse order of creation, exits 0', async () => {
    const fixture = startFixture();
    const listening = await waitForLine(fixture, (line) => line.msg === 'fixture listening');
    await waitForLine(fixture, (line) => line.msg === 'fixture started');
    const url = `http://127.0.0.1:${listening.port}`;
    expect(await (await fetch(`${url}/`)).text()).toBe('ok');

    const inFlight = fetch(`${url}/slow`).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    fixture.child.kill('SIGTERM');

    expect(await inFlight).toBe('slow done');
    expect(await fixture.exited).toBe(0);
    const lines = fixture.lines();
    expect(lines.every((line) => line.service === 'fixture')).toBe(true);
    const sequence = lines
      .map((line) => (line.msg === 'resource closed' ? `closed ${line.resource} (${line.outcome})` : line.msg))
      .filter((step) => ['shutting down', 'draining', 'app closing', 'shutdown complete'].includes(step) || step.startsWith('closed '));
    expect(sequence).toEqual([
      'shutting down',
      'draining',
      'closed http-server (closed)',
      'app closing',
      'closed app (closed)',
      'closed broken-client (failed)',
      'closed stuck-cache (timed-out)',
      'closed queue (closed)',
      'closed redis (closed)',
      'closed postgres (closed)',
      // Opened first (before the build): Prometheus can scrape a draining process to the end.
      'closed admin-server (closed)',
      'shutdown complete',
    ]);
    expect(lines.filter((line) => line.msg === 'resource closed').every((line) => typeof line.durationMs === 'number')).toBe(true);
  });

  it('stops the same way on SIGINT, closing each resource once', async () => {
    const fixture = startFixture();
    await waitForLine(fixture, (line) => line.msg === 'fixture started');
    fixture.child.kill('SIGINT');
    await waitForLine(fixture, (line) => line.msg === 'shutting down');
    expect(await fixture.exited).toBe(0);
    const closed = fixture.lines().filter((line) => line.msg === 'resource closed').map((line) => line.resource);
    expect(new Set(closed).size).toBe(closed.length);
    expect(closed[0]).toBe('http-server');
  });

  it('exits 1 with one JSON fatal line naming the problems when the config is invalid', async () => {
    const fixture = startFixture({ FIXTURE: 'bad-config' });
    expect(await fixture.exited).toBe(1);
    const fatal = fixture.lines().filter((line) => line.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ service: 'fixture', problems: ['PORT: expected a port number'] });
    expect(fatal[0]?.msg).toContain('Invalid configuration');
    expect(fixture.lines().some((line) => line.msg.endsWith('listening'))).toBe(false);
  });

  it('exits 1 with a JSON fatal line carrying the error when building the app fails', async () => {
    const fixture = startFixture({ FIXTURE: 'build-fails' });
    expect(await fixture.exited).toBe(1);
    const fatal = fixture.lines().find((line) => line.level === 'fatal');
    expect(fatal).toMatchObject({ service: 'fixture', msg: 'fixture failed to start', err: { message: 'PostgreSQL said no' } });
  });

  it('is alive but not ready while its build waits for a dependency, and serves the app once it came', async () => {
    const dependency = join(mkdtempSync(join(tmpdir(), 'run-service-')), 'dependency-up');
    const fixture = startFixture({ FIXTURE: 'waits-for-dependency', DEPENDENCY_FILE: dependency });
    const listening = await waitForLine(fixture, (line) => line.msg === 'fixture listening');
    const admin = await waitForLine(fixture, (line) => line.msg.startsWith('fixture admin server listening'));
    for (const url of [`http://127.0.0.1:${listening.port}`, `http://127.0.0.1:${admin.port}`]) {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'starting', checks: {} });
    }
    const early = await fetch(`http://127.0.0.1:${listening.port}/anything`);
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({ error: { code: 'unavailable' } });

    writeFileSync(dependency, 'up');
    await waitForLine(fixture, (line) => line.msg === 'fixture started');
    expect(await (await fetch(`http://127.0.0.1:${listening.port}/anything`)).text()).toBe('ok');
    expect(await (await fetch(`http://127.0.0.1:${admin.port}/readyz`)).text()).toBe('admin');
    fixture.child.kill('SIGTERM');
    expect(await fixture.exited).toBe(0);
  });

  it('stops cleanly (exit 0) on SIGTERM while its build still waits for a dependency', async () => {
    const dependency = join(mkdtempSync(join(tmpdir(), 'run-service-')), 'never-up');
    const fixture = startFixture({ FIXTURE: 'waits-for-dependency', DEPENDENCY_FILE: dependency });
    await waitForLine(fixture, (line) => line.msg.startsWith('fixture admin server listening'));
    fixture.child.kill('SIGTERM');
    expect(await fixture.exited).toBe(0);
    expect(fixture.lines().some((line) => line.msg === 'stopped while starting')).toBe(true);
    expect(fixture.lines().some((line) => line.msg === 'fixture started')).toBe(false);
  });
});
