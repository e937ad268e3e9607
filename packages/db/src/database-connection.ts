import type { DataSource } from 'typeorm';
import type { Logger } from '@parley/logger';
import { runMigrations } from './create-data-source.js';

export interface DatabaseConnection {
  readonly dataSource: DataSource;
  /** Connects (and migrates, if configured) on first use; at most one attempt per `retryAfterMs` while down. */
  ready(): Promise<DataSource>;
  /** Readiness check: connected, and the pool runs a statement. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseConnectionSettings {
  logger: Logger;
  /** Run pending migrations right after connecting (DB_MIGRATE_ON_START). */
  migrateOnStart?: boolean;
  /** Minimum time between two connection attempts while PostgreSQL is down. */
  retryAfterMs?: number;
  /** Longest pause between two background reconnection attempts (they back off from retryAfterMs). */
  maxBackoffMs?: number;
}

/**
 * Owns a data source's lifecycle. A service starts even when PostgreSQL is down (it reports
 * not-ready and answers 503, a worker's jobs fail and retry) and connects as soon as the database
 * comes back, rather than crash-looping its pod. Besides the attempts requests and probes make,
 * it retries in the background with exponential backoff, so an idle pod connects too.
 */
export function createDatabaseConnection(dataSource: DataSource, settings: DatabaseConnectionSettings): DatabaseConnection {
  const retryAfterMs = settings.retryAfterMs ?? 1_000;
  const maxBackoffMs = Math.max(settings.maxBackoffMs ?? 10_000, retryAfterMs);
  let attempt: Promise<DataSource> | undefined;
  let lastFailure: { at: number; error: unknown } | undefined;
  let closed = false;
  let backoffMs = retryAfterMs;
  let retryTimer: NodeJS.Timeout | undefined;

  const scheduleRetry = () => {
    if (closed || retryTimer) return;
    const delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed || (dataSource.isInitialized && !attempt)) return;
      lastFailure = undefined; // the backoff, not the per-request gate, paces this attempt
      ready().catch(() => undefined);
    }, delay);
    retryTimer.unref();
  };

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
        backoffMs = retryAfterMs;
        return connected;
      })
      .catch((error: unknown) => {
        lastFailure = { at: Date.now(), error };
        settings.logger.warn({ err: error, retryInMs: backoffMs }, 'cannot connect to PostgreSQL');
        scheduleRetry();
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
      await (await ready()).query('SELECT 1');
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await attempt?.catch(() => undefined);
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

/**
 * Connection-level failures (refused, reset, unreachable, server shutting down or full): an
 * outage, not a bug. SQLSTATE classes 08 (connection exception) and 57P (operator
 * intervention), 53300 (too many connections), and the driver's own errors when it cannot get
 * a connection at all.
 */
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '53300']);
const OUTAGE_CODE_PREFIXES = ['08', '57P'];
const OUTAGE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Driver not Connected|Client has encountered a connection error/i;

/** True when an error (raw pg or wrapped by TypeORM) means PostgreSQL is unreachable. */
export function isDatabaseOutage(error: unknown): boolean {
  const candidate = (error as { driverError?: unknown } | null)?.driverError ?? error;
  if (!(candidate instanceof Error)) return false;
  const code = (candidate as { code?: unknown }).code;
  if (typeof code === 'string' && (OUTAGE_CODES.has(code) || OUTAGE_CODE_PREFIXES.some((prefix) => code.startsWith(prefix)))) return true;
  return OUTAGE_MESSAGES.test(candidate.message);
}
