import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { freePort } from '@parley/ports';
import { schedulingOf } from '@parley/testing';
import { assertReachableByOthers, providePostgres } from '../src/postgres-provider.js';
import { answersPing, provideRedis, RedisUnavailableError } from '../src/redis-provider.js';

// The built module, as `npm start` runs it (npm test builds first).
const BUILT_POSTGRES_PROVIDER = fileURLToPath(new URL('../dist/postgres-provider.js', import.meta.url));

let dataDir: string;

beforeAll(async () => {
  // World-traversable, because embedded PostgreSQL runs as the `postgres` user when we are root.
  dataDir = await mkdtemp(join(tmpdir(), 'parley-launcher-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('PostgreSQL for npm start', () => {
  it('starts an embedded PostgreSQL from npm binaries with a parley database when DATABASE_URL is unset, and keeps its data across restarts', async () => {
    const port = await freePort();
    const first = await providePostgres({ dataDir, port });
    try {
      expect(first.embedded).toBe(true);
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (value text)');
      await client.query("INSERT INTO kept VALUES ('still here')");
      await client.end();

      // A second command (npm run migrate, admin:grant) while npm start runs reuses the cluster.
      const reused = await providePostgres({ dataDir, port });
      expect(reused.url).toBe(first.url);
      await reused.stop();
      const stillUp = new pg.Client({ connectionString: first.url });
      await stillUp.connect();
      await stillUp.end();
    } finally {
      await first.stop();
    }
    const second = await providePostgres({ dataDir, port, niceness: 7 });
    try {
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const { rows } = await client.query<{ value: string }>('SELECT value FROM kept');
      // Backends serve the persistence worker: they run at the background niceness. Each one
      // starts a session of its own (setsid), so under autogroup scheduling its session's group
      // must be lowered too, or the process nice value changes nothing against other sessions.
      const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const backendPid = backend.rows[0]!.pid;
      const scheduling = await vi.waitUntil(
        async () => {
          const current = await schedulingOf(backendPid);
          return !current.autogroupEnabled || current.autogroupNice === 7 ? current : undefined;
        },
        { timeout: 5_000, interval: 100 },
      );
      const backendNiceness = getPriority(backendPid);
      // The backend exits with its connection: read everything about it before closing.
      await client.end();
      expect(rows).toEqual([{ value: 'still here' }]);
      expect(backendNiceness).toBe(7);
      expect(scheduling.nice).toBe(7);
      // The test process's own group is never touched.
      expect((await schedulingOf(process.pid)).autogroupNice ?? 0).toBe(0);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('stops an embedded cluster its process exits without stopping (a crash), and exits without an unhandled rejection', async () => {
    const port = await freePort();
    // Its own directory (the provider opens it to the postgres user; dataDir's subfolders stay closed).
    const crashDir = await mkdtemp(join(tmpdir(), 'parley-crash-'));
    onTestFinished(() => rm(crashDir, { recursive: true, force: true, maxRetries: 5 }));
    // A process that starts the cluster, then exits at once; every unhandled rejection is printed.
    const script = `
      process.on('unhandledRejection', (error) => console.error('unhandled rejection: ' + String(error)));
      const { providePostgres } = await import(${JSON.stringify(BUILT_POSTGRES_PROVIDER)});
      const provided = await providePostgres({ dataDir: ${JSON.stringify(crashDir)}, port: ${port} });
      console.log('started ' + provided.url);
      process.exit(3);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(3);
    expect(stdout).toContain('started postgres://');
    expect(stderr).not.toContain('unhandled rejection');
    // The postmaster got its signal on the way out: it stops answering, then finishes its
    // shutdown checkpoint and removes its pid file as the last thing it does.
    const url = stdout.match(/started (\S+)/)![1]!;
    await expect
      .poll(
        async () => {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
          return client.connect().then(
            () => client.end().then(() => 'answering'),
            () => 'gone',
          );
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe('gone');
    await expect.poll(() => existsSync(join(crashDir, 'postgres', 'postmaster.pid')), { timeout: 20_000, interval: 100 }).toBe(false);
  }, 120_000);

  it('says which directory to open when the postgres user could not reach the binaries (instead of hanging)', async () => {
    const closed = join(dataDir, 'closed');
    await mkdir(join(closed, 'inner'), { recursive: true });
    await chmod(closed, 0o700);
    await expect(assertReachableByOthers(join(closed, 'inner'))).rejects.toThrow(`cannot reach ${closed}`);
    await chmod(closed, 0o755);
    await chmod(dataDir, 0o755);
    await expect(assertReachableByOthers(join(closed, 'inner'))).resolves.toBeUndefined();
  });

  it('uses DATABASE_URL as given when it is set', async () => {
    const provided = await providePostgres({ databaseUrl: 'postgres://somewhere/db', dataDir, port: 1 });
    expect(provided).toMatchObject({ url: 'postgres://somewhere/db', embedded: false });
  });
});

describe('Redis for npm start', () => {
  it('uses the Redis on 127.0.0.1:6379 when it answers', async () => {
    const provided = await provideRedis({ dataDir, port: 1 });
    expect(provided.url).toBe('redis://127.0.0.1:6379');
  });

  it('starts redis-server from PATH into the data dir when no Redis answers, with AOF fsynced on every write and noeviction', async () => {
    const port = await freePort();
    const provided = await provideRedis({ dataDir, port, probeDefault: false });
    const redis = new Redis(provided.url);
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
      await provided.stop();
    }
    expect(await answersPing('127.0.0.1', port)).toBe(false);
  });

  it('explains how to install Redis when none answers and redis-server is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(provideRedis({ dataDir, port: await freePort(), probeDefault: false })).rejects.toThrow(RedisUnavailableError);
      await expect(provideRedis({ dataDir, port: await freePort(), probeDefault: false })).rejects.toThrow(/apt-get install redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
