import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@parley/ports';
import { postgresDataDir } from './private-postgres.js';

/** A hot standby streaming from a primary, for tests of reads routed to a replica. */
export interface StreamingReplica {
  /** The `postgres` database on the replica (read-only). */
  url: string;
  port: number;
  /** The same database name as `databaseUrl` of the primary, on the replica. */
  urlOf(databaseUrl: string): string;
  /** Stops applying WAL (it still arrives): the replica lags until `resumeReplay`. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has applied everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

async function onServer<T>(url: string, query: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A streaming replica of `primaryUrl` (a server whose pg_hba.conf trusts replication connections
 * from 127.0.0.1, as a private server from startPrivatePostgres does; the shared one on 5432 does
 * not): `pg_basebackup -R` into a temporary directory, then the Debian binaries' server on a free
 * port, as the `postgres` user when the tests run as root.
 */
export async function startStreamingReplica(primaryUrl: string): Promise<StreamingReplica> {
  const primary = new URL(primaryUrl);
  const { dataDir, pgTool } = await postgresDataDir('parley-replica-pg-');
  await pgTool('pg_basebackup', ['-h', primary.hostname, '-p', primary.port || '5432', '-U', primary.username || 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataDir} -c fsync=off -c hot_standby=on`;
  await pgTool('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', '-t', '30', 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    urlOf(databaseUrl) {
      const target = new URL(databaseUrl);
      target.hostname = '127.0.0.1';
      target.port = String(port);
      return target.toString();
    },
    async pauseReplay() {
      await onServer(url, 'SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await onServer(url, 'SELECT pg_wal_replay_resume()');
    },
    async caughtUp(timeoutMs = 15_000) {
      const [target] = await onServer<{ lsn: string }>(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [state] = await onServer<{ done: boolean }>(url, `SELECT pg_last_wal_replay_lsn() >= '${target!.lsn}'::pg_lsn AS done`);
        if (state?.done) return;
        if (Date.now() > deadline) throw new Error(`replica did not replay up to ${target!.lsn} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async destroy() {
      if (running) await pgTool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      running = false;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
