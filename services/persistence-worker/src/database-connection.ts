import { pingDatabase, type DataSource } from '@parley/db';
import type { Logger } from '@parley/logger';

export interface DatabaseConnection {
  /** Connects on first use; while PostgreSQL is down at most one attempt per `retryAfterMs`. */
  ready(): Promise<DataSource>;
  /** Readiness check: connected, and the pool runs a statement. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Owns the data source's lifecycle, so the worker starts (and reports not-ready) while
 * PostgreSQL is down, and jobs met by the outage fail and retry with backoff instead of the
 * process crash-looping.
 */
export function createDatabaseConnection(dataSource: DataSource, logger: Logger, retryAfterMs = 1_000): DatabaseConnection {
  let attempt: Promise<DataSource> | undefined;
  let lastFailure: { at: number; error: unknown } | undefined;
  let closed = false;

  const ready = (): Promise<DataSource> => {
    if (closed) return Promise.reject(new Error('database connection closed'));
    if (dataSource.isInitialized) return Promise.resolve(dataSource);
    if (attempt) return attempt;
    if (lastFailure && Date.now() - lastFailure.at < retryAfterMs) return Promise.reject(lastFailure.error);
    attempt = dataSource
      .initialize()
      .then((connected) => {
        lastFailure = undefined;
        logger.info('connected to PostgreSQL');
        return connected;
      })
      .catch((error: unknown) => {
        lastFailure = { at: Date.now(), error };
        logger.warn({ err: error }, 'cannot connect to PostgreSQL');
        throw error;
      })
      .finally(() => {
        attempt = undefined;
      });
    return attempt;
  };

  return {
    ready,
    async ping() {
      await pingDatabase(await ready());
    },
    async close() {
      closed = true;
      await attempt?.catch(() => undefined);
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
