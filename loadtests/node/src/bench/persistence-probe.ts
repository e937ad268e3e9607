import pg from 'pg';
import { sleep } from '../run/concurrency.js';

export interface PersistenceLag {
  /** Rows of the window that are in chat.messages. */
  persisted: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Reads what the persistence worker wrote. Lag = `persisted_at − created_at` per message:
 * `created_at` is the acceptance time (from the snowflake id), `persisted_at` defaults to
 * now() of the worker's insert transaction, so the lag is acceptance → start of that
 * transaction (the commit follows within the same batch).
 */
export class PersistenceProbe {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  async totalMessages(): Promise<number> {
    const result = await this.pool.query<{ count: string }>('SELECT count(*) AS count FROM chat.messages');
    return Number(result.rows[0]!.count);
  }

  /** Waits until at least `expected` messages are stored; resolves with the count reached. */
  async waitForTotal(expected: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let total = await this.totalMessages();
    while (total < expected && Date.now() < deadline) {
      await sleep(250);
      total = await this.totalMessages();
    }
    return total;
  }

  async lag(fromMs: number, toMs: number): Promise<PersistenceLag> {
    const result = await this.pool.query<{ persisted: string; p50: number | null; p99: number | null; max: number | null }>(
      `SELECT count(*) AS persisted,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY lag) AS p99,
              max(lag) AS max
         FROM (SELECT EXTRACT(EPOCH FROM persisted_at - created_at)::float8 * 1000 AS lag
                 FROM chat.messages WHERE created_at >= $1 AND created_at <= $2) AS lags`,
      [new Date(fromMs), new Date(toMs)],
    );
    const row = result.rows[0]!;
    return { persisted: Number(row.persisted), p50Ms: row.p50 ?? Number.NaN, p99Ms: row.p99 ?? Number.NaN, maxMs: row.max ?? Number.NaN };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
