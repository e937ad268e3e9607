import type { RequestHandler } from 'express';
import { isDatabaseOutage, type DatabaseConnection } from '@parley/db';
import { UnavailableError } from '@parley/errors';

const DATABASE_UNAVAILABLE = 'The database is unavailable, try again shortly';

/** Answers 503 instead of running a handler while PostgreSQL is unreachable. */
export function requireDatabase(connection: Pick<DatabaseConnection, 'ready'>): RequestHandler {
  return async (_req, _res, next) => {
    try {
      await connection.ready();
    } catch {
      throw new UnavailableError(DATABASE_UNAVAILABLE);
    }
    next();
  };
}

/**
 * A database outage met mid-request becomes `unavailable` (HTTP 503, ack error), so clients
 * retry instead of reporting a bug. Used by the HTTP error handler and by socket acks alike.
 */
export function unavailableIfDatabaseOutage(error: unknown): unknown {
  return isDatabaseOutage(error) ? new UnavailableError(DATABASE_UNAVAILABLE) : error;
}
