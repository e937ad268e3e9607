import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@parley/ports';

export interface PrivateRedisOptions {
  /** AOF fsync policy (AOF is always on). */
  appendfsync?: 'always' | 'everysec' | 'no';
}

/**
 * A redis-server of this test's own (Debian's, from PATH), in a temporary directory with AOF on
 * and `noeviction`, for tests that crash or restart Redis: the shared one must never be touched.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** The running server's pid (changes with each restart). */
  pid(): number;
  /** Kills the server with this signal (SIGKILL: a crash, nothing flushed on the way out) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory (it loads its AOF) and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', options.appendfsync ?? 'always',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
  ];
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} while starting`)));
    });
    failed.catch(() => undefined);
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let attempt = 0; ; attempt += 1) {
        const answered = await Promise.race([
          probe.connect().then(() => probe.ping()).then(
            () => true,
            () => false,
          ),
          failed,
        ]);
        if (answered) return;
        if (attempt > 100) throw new Error(`redis-server did not answer on port ${port}`);
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      probe.disconnect();
    }
  };
  const stopWith = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child.pid!,
    kill: (signal = 'SIGKILL') => stopWith(signal),
    restart: start,
    async close() {
      await stopWith('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
