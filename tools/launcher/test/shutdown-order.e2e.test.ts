import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';
import { freePort } from '@parley/ports';
import { deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL, launchPlatform, processesWithRedisPrefix } from '@parley/testing';

const prefix = testRedisPrefix('shutdown');
const interruptPrefix = testRedisPrefix('interrupt');
let dataDir: string | undefined;
let interruptDataDir: string | undefined;

afterAll(async () => {
  await deleteRedisPrefix(prefix);
  await deleteRedisPrefix(interruptPrefix);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (interruptDataDir) await rm(interruptDataDir, { recursive: true, force: true });
});

/** Every service instance `npm start` runs, by the name its log lines are prefixed with. */
const INSTANCES = ['auth', 'user', 'chat-socket', 'chat-socket#2', 'persistence-worker', 'web'];

describe('npm start with embedded PostgreSQL, stopped with SIGTERM', () => {
  it('tells open sockets to reconnect, stops every service before PostgreSQL, and exits 0 only once all of them are gone', async () => {
    // World-traversable (mkdtemp in /tmp), because embedded PostgreSQL runs as `postgres` under root.
    dataDir = await mkdtemp(join(tmpdir(), 'parley-shutdown-'));
    const platform = await launchPlatform({
      env: {
        DATABASE_URL: undefined,
        PARLEY_POSTGRES_PORT: String(await freePort()),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        PARLEY_DATA_DIR: dataDir,
        ARGON2_MEMORY_KIB: '8192',
        // chat-socket then spends up to 3 s draining the socket below: PostgreSQL must outlive that.
        RECONNECT_JITTER_MS: '3000',
      },
      timeoutMs: 150_000,
    });
    expect(platform.output.join('\n')).toContain('PostgreSQL: embedded');
    const username = `stopper_${Math.random().toString(36).slice(2, 8)}`;
    const registered = await fetch(`${platform.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${username}@example.com`, username, password: 'correct horse battery' }),
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(platform.url, {
      auth: { token: accessToken },
      transports: ['websocket'],
      reconnection: false,
    });
    let toldToReconnect = false;
    socket.on('server:reconnect', () => {
      toldToReconnect = true;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    const code = await platform.stop();
    socket.close();
    const servicesLeft = await processesWithRedisPrefix(prefix);
    const output = platform.output.join('\n');
    expect(code).toBe(0);
    expect(servicesLeft).toEqual([]);
    // The socket, proxied by the gateway, stayed up while chat-socket drained it.
    expect(toldToReconnect).toBe(true);
    expect(output.indexOf('all services stopped')).toBeGreaterThan(output.indexOf('stopping…'));
    // No service saw its database vanish while it was still shutting down.
    expect(output).not.toMatch(/Connection terminated unexpectedly|ECONNREFUSED|the database system is shutting down/);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 200_000);
});

describe('npm start with embedded PostgreSQL, stopped with Ctrl-C (SIGINT to the launcher’s whole process group)', () => {
  it('drains every service once (none sees a second signal) and stops PostgreSQL only after them', async () => {
    interruptDataDir = await mkdtemp(join(tmpdir(), 'parley-interrupt-'));
    const platform = await launchPlatform({
      env: {
        DATABASE_URL: undefined,
        PARLEY_POSTGRES_PORT: String(await freePort()),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: interruptPrefix,
        PARLEY_DATA_DIR: interruptDataDir,
        ARGON2_MEMORY_KIB: '8192',
        LOG_LEVEL: 'info',
      },
      timeoutMs: 150_000,
    });
    const services = await processesWithRedisPrefix(interruptPrefix);
    expect(services.length).toBeGreaterThanOrEqual(INSTANCES.length);

    const code = await platform.interrupt();
    const output = platform.output.join('\n');
    expect(code).toBe(0);
    expect(output).not.toContain('second signal, exiting now');
    for (const instance of INSTANCES) {
      const shutdown = platform.output.filter((line) => line.startsWith(`[${instance}] `) && line.includes('"shutting down"'));
      expect(shutdown, `${instance} drains once, on the launcher's SIGTERM`).toEqual([expect.stringContaining('"reason":"SIGTERM"')]);
      expect(platform.output.some((line) => line.startsWith(`[${instance}] `) && line.includes('"shutdown complete"')), `${instance} finished draining`).toBe(true);
    }
    expect(output).not.toMatch(/Connection terminated unexpectedly|ECONNREFUSED|the database system is shutting down|terminating connection due to administrator command/);
    expect(await processesWithRedisPrefix(interruptPrefix)).toEqual([]);
    expect(existsSync(join(interruptDataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 200_000);
});
