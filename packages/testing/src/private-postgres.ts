import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@parley/ports';

const run = promisify(execFile);

/**
 * A PostgreSQL server of a test's own (the Debian binaries under /usr/lib/postgresql), for
 * tests that stop the database: the shared one on 5432 is never stopped. Its data lives in a
 * temporary directory; `destroy()` removes it.
 */
export interface PrivatePostgres {
  /** The `postgres` database as the `postgres` superuser (trust, 127.0.0.1 only). */
  url: string;
  port: number;
  /** Stops the server: `fast` ends sessions with 57P01 as on a shutdown, `immediate` as on a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` user. */
export const AS_POSTGRES = process.getuid?.() === 0;

/** A server's tool run on its data directory, as the user the server runs as. */
export type PostgresTool = (tool: string, args: string[]) => Promise<{ stdout: string; stderr: string }>;

/** An empty temporary data directory, owned by the user the server will run as, and its tool runner. */
export async function postgresDataDir(prefix: string): Promise<{ dataDir: string; pgTool: PostgresTool }> {
  const bin = postgresBinDir();
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  if (AS_POSTGRES) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dataDir, Number(stdout.trim()), Number(group.trim()));
  }
  const pgTool: PostgresTool = (tool, args) =>
    AS_POSTGRES ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  return { dataDir, pgTool };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { dataDir, pgTool: pg } = await postgresDataDir('parley-private-pg-');
  await pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataDir} -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const start = async () => {
    await pg('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', '-t', '30', 'start']);
  };
  let running = false;
  await start();
  running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode = 'fast') {
      if (!running) return;
      await pg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      if (running) await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      running = false;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The newest installed major version's binaries. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root} (Debian: apt-get install postgresql)`);
  return join(root, newest, 'bin');
}
