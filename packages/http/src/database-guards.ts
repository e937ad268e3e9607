import type { ErrorRequestHandler, RequestHandler } from 'express';
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

/** Turns a database outage met mid-request into a 503, so clients retry instead of reporting a bug. */
export const databaseOutageAsUnavailable: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  next(isDatabaseOutage(error) ? new UnavailableError(DATABASE_UNAVAILABLE) : error);
};
