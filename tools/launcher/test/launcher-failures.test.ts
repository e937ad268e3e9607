import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL, type TestDatabase, processesWithRedisPrefix, runProcesses } from '@parley/testing';
import { freePort } from '@parley/ports';

const LAUNCHER = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let database: TestDatabase;
let dataDir: string;
const prefix = testRedisPrefix('launcher_fail');

const processesOfThisRun = () => processesWithRedisPrefix(prefix);

/** Is this port free to listen on right now? */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A base for PARLEY_SERVICE_PORT_BASE whose service ports (base…base+9) and metrics ports
 * (base+100…) are all free. Below Linux's ephemeral range (32768+), where other processes'
 * outgoing connections would otherwise take them at random.
 */
async function freePortBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = [...Array.from({ length: 10 }, (_, i) => base + i), ...Array.from({ length: 10 }, (_, i) => base + 100 + i)];
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return base;
  }
}

beforeAll(async () => {
  database = await createTestDatabase('launcher_fail');
  dataDir = await mkdtemp(join(tmpdir(), 'parley-fail-'));
});

afterAll(async () => {
  await database?.drop();
  await deleteRedisPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
});

/** The built launcher on this run's database, Redis prefix and data dir; its output collected. */
async function spawnLauncher(extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [LAUNCHER], {
    env: {
      ...process.env,
      PARLEY_PORT: String(await freePort()),
      PARLEY_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const launched = { child, output: '' };
  child.stdout.on('data', (chunk: Buffer) => (launched.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (launched.output += chunk.toString()));
  return launched;
}

describe('the launcher when a service cannot start', () => {
  it('says which service failed, stops every process it started, and exits non-zero', async () => {
    // Services get consecutive ports from the base: auth, user, chat-socket, chat-socket#2, …
    // Holding chat-socket#2's port makes that process crash at listen, after the others started.
    const base = await freePortBase();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(base + 3, '127.0.0.1', resolve));
    const launched = await spawnLauncher({ PARLEY_SERVICE_PORT_BASE: String(base) });
    const code = await new Promise<number | null>((resolve) => launched.child.once('exit', resolve));
    squatter.close();

    expect(code).toBe(1);
    expect(launched.output).toContain('chat-socket#2 exited while the platform was starting');
    expect(await processesOfThisRun()).toEqual([]);
  }, 90_000);
});

describe('the launcher when it is killed', () => {
  it('leaves no service running after a SIGKILL (each service stops when the launcher is gone)', async () => {
    const launched = await spawnLauncher();
    const deadline = Date.now() + 60_000;
    while (!launched.output.includes('Parley is up') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(launched.output).toContain('Parley is up');
    const services = await processesOfThisRun();
    expect(services.length).toBeGreaterThanOrEqual(6);

    launched.child.kill('SIGKILL');
    let left = services;
    const stopDeadline = Date.now() + 30_000;
    while (left.length > 0 && Date.now() < stopDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = await processesOfThisRun();
    }
    expect(left).toEqual([]);
  }, 120_000);
});

describe('the launcher when a running service dies', () => {
  /** The chat-socket process serving on `port`, once it is there (a restart takes a moment). */
  async function chatSocketOn(port: string, notPid?: number): Promise<number> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const found = (await runProcesses(prefix)).find((candidate) => candidate.command.includes('chat-socket') && candidate.env.PORT === port && candidate.pid !== notPid);
      if (found) return found.pid;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no chat-socket process on port ${port}`);
  }

  it('restarts it with backoff, saying so loudly, while the rest keeps serving; stops the platform when it keeps crashing', async () => {
    const launched = await spawnLauncher({ PARLEY_RESTART_LIMIT: '3', PARLEY_RESTART_WINDOW_MS: '120000', PARLEY_RESTART_BACKOFF_MS: '300' });
    onTestFinished(() => {
      if (launched.child.exitCode === null) launched.child.kill('SIGTERM');
    });
    const deadline = Date.now() + 60_000;
    while (!launched.output.includes('Parley is up') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(launched.output).toContain('Parley is up');
    const url = /Parley is up at (\S+)/.exec(launched.output)![1]!;
    const victim = (await runProcesses(prefix)).find((candidate) => candidate.command.includes('chat-socket'))!;
    const port = victim.env.PORT!;

    process.kill(victim.pid, 'SIGKILL');
    const restarted = await chatSocketOn(port, victim.pid);
    expect(launched.output).toMatch(/chat-socket(#2)? exited on its own \(code null, signal SIGKILL\): restarting it in 0\.3 s \(crash 1 of 3 allowed in 120 s/);
    expect(launched.output).toMatch(new RegExp(`chat-socket(#2)? restarted \\(pid ${restarted}\\)`));
    expect(launched.child.exitCode).toBeNull();
    // The platform kept serving through the other instance, and the restarted one serves again.
    const statuses = [];
    for (let request = 0; request < 6; request += 1) statuses.push((await fetch(`${url}/api/v1/rooms/openapi.json`)).status);
    expect(statuses.filter((status) => status !== 200).length, `gateway answers ${statuses.join(', ')}`).toBeLessThanOrEqual(1);
    const ready = await (async () => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const status = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.status, () => 0);
        if (status === 200) return true;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return false;
    })();
    expect(ready).toBe(true);

    process.kill(restarted, 'SIGKILL');
    const again = await chatSocketOn(port, restarted);
    expect(launched.output).toContain('restarting it in 0.6 s (crash 2 of 3');
    process.kill(again, 'SIGKILL');
    const code = await new Promise<number | null>((resolve) => launched.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(launched.output).toMatch(/chat-socket(#2)? exited \(code null, signal SIGKILL\) for the 3rd time in 120 s: giving up on it and stopping the platform/);
    expect(await processesOfThisRun()).toEqual([]);
  }, 180_000);
});
