import type { ErrorRequestHandler, RequestHandler } from 'express';
import { pingDatabase, runMigrations, type DataSource } from '@parley/db';
import { UnavailableError } from '@parley/errors';
import type { Logger } from '@parley/logger';

export interface DatabaseConnection {
  readonly dataSource: DataSource;
  /** Connects (and migrates, if configured) on first use; at most one attempt per second while down. */
  ready(): Promise<DataSource>;
  /** Readiness check: connected, and the pool runs a statement. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseConnectionSettings {
  logger: Logger;
  migrateOnStart: boolean;
  /** Minimum time between two connection attempts while PostgreSQL is down. */
  retryAfterMs?: number;
}

/**
 * Owns the data source's lifecycle. The service starts even when PostgreSQL is down (it then
 * reports not-ready and answers 503) and connects as soon as the database comes back, rather
 * than crash-looping its pod.
 */
export function createDatabaseConnection(dataSource: DataSource, settings: DatabaseConnectionSettings): DatabaseConnection {
  const retryAfterMs = settings.retryAfterMs ?? 1_000;
  let attempt: Promise<DataSource> | undefined;
  let lastFailure: { at: number; error: unknown } | undefined;
  let closed = false;

  const connect = async (): Promise<DataSource> => {
    await dataSource.initialize();
    if (settings.migrateOnStart) {
      try {
        await runMigrations(dataSource, settings.logger);
      } catch (error) {
        await dataSource.destroy().catch(() => undefined);
        throw error;
      }
    }
    settings.logger.info('connected to PostgreSQL');
    return dataSource;
  };

  const ready = (): Promise<DataSource> => {
    if (closed) return Promise.reject(new Error('database connection closed'));
    if (dataSource.isInitialized && !attempt) return Promise.resolve(dataSource);
    if (attempt) return attempt;
    if (lastFailure && Date.now() - lastFailure.at < retryAfterMs) return Promise.reject(lastFailure.error);
    attempt = connect()
      .then((connected) => {
        lastFailure = undefined;
        return connected;
      })
      .catch((error: unknown) => {
        lastFailure = { at: Date.now(), error };
        settings.logger.warn({ err: error }, 'cannot connect to PostgreSQL');
        throw error;
      })
      .finally(() => {
        attempt = undefined;
      });
    return attempt;
  };

  return {
    dataSource,
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

/** Answers 503 instead of running a handler while PostgreSQL is unreachable. */
export function requireDatabase(connection: DatabaseConnection): RequestHandler {
  return async (_req, _res, next) => {
    try {
      await connection.ready();
    } catch {
      throw new UnavailableError('The database is unavailable, try again shortly');
    }
    next();
  };
}

/** Connection-level failures (refused, reset, server shutting down): an outage, not a bug. */
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Turns a database outage met mid-request into a 503, so clients retry instead of reporting a bug. */
export const databaseOutageAsUnavailable: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  next(isDatabaseOutage(error) ? new UnavailableError('The database is unavailable, try again shortly') : error);
};

function isDatabaseOutage(error: unknown): boolean {
  const candidate = (error as { driverError?: unknown } | null)?.driverError ?? error;
  if (!(candidate instanceof Error)) return false;
  const code = (candidate as { code?: unknown }).code;
  return (typeof code === 'string' && OUTAGE_CODES.has(code)) || /Connection terminated/i.test(candidate.message);
}
