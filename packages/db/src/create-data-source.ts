import pg from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { Logger } from '@parley/logger';

export { DataSource };

export interface DataSourceSettings {
  url: string;
  /** Each service owns one schema; no service reads another's tables. */
  schema: string;
  // TypeORM's own type for entity and migration lists.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName: string;
}

/**
 * pg-pool takes its error listener off a client it hands out, and TypeORM adds none, so a
 * connection PostgreSQL ends while it is checked out (a shutdown's 57P01 during a query or a
 * transaction) would emit `error` with nobody listening: an uncaught exception that kills the
 * process. The statement in flight fails on its own and its caller handles that; this listener
 * only keeps the duplicate event from crashing the process.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    schema: settings.schema,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    applicationName: settings.applicationName,
    extra: {
      Client: ListenedClient,
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      // Bounded statements: a stuck query fails its request instead of holding a pool slot.
      statement_timeout: 15_000,
      idle_in_transaction_session_timeout: 30_000,
    },
  });
}

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so several pods (or the Helm
 * hook and a pod) starting together never run the same migration twice.
 */
export async function runMigrations(dataSource: DataSource, logger: Logger): Promise<string[]> {
  const schema = dataSource.driver.schema ?? 'public';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`parley-migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '')}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) logger.info({ schema, migrations: names }, 'migrations applied');
    return names;
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`parley-migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/** Readiness check: the pool can run a statement. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}

/** True for a unique-constraint violation, optionally of one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError ?? error;
  const pgError = driverError as { code?: string; constraint?: string } | null;
  if (pgError?.code !== '23505') return false;
  return constraint === undefined || pgError.constraint === constraint;
}

/** PostgreSQL's SQLSTATE of an error (raw pg or wrapped by TypeORM), if it carries one. */
export function sqlStateOf(error: unknown): string | undefined {
  const driverError = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when PostgreSQL refused the data itself: SQLSTATE class 22 (data exception: a NUL in
 * text, a number out of range, a malformed uuid or timestamp) or 23 (integrity constraint
 * violation). Retrying the same rows can never succeed, unlike an outage. A row for which a
 * partitioned table has no partition (isMissingPartition) is not one: the same row is stored
 * once the partition exists.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23')) && !isMissingPartition(error);
}

/**
 * True when PostgreSQL found no partition of a partitioned table for a row: `no partition of
 * relation "messages" found for row`. Its SQLSTATE is 23514, check_violation, the same as a
 * CHECK constraint's, so the other fields tell them apart: a CHECK names its constraint and
 * the partition the row went to, while this error names no constraint and the partitioned
 * table itself, and is raised by the routine that routes rows (ExecFindPartition; the routine
 * name is not translated, the message is matched too in case a server does not report it).
 * A row refused by a partition's own bound (inserted into the partition directly) also names
 * no constraint but is not this. `table`, when given, is the partitioned table's name.
 */
export function isMissingPartition(error: unknown, table?: string): boolean {
  const driverError = ((error as { driverError?: unknown } | null)?.driverError ?? error) as {
    code?: unknown;
    constraint?: unknown;
    table?: unknown;
    routine?: unknown;
    message?: unknown;
  } | null;
  if (driverError?.code !== '23514' || driverError.constraint !== undefined) return false;
  if (typeof driverError.table !== 'string' || (table !== undefined && driverError.table !== table)) return false;
  return driverError.routine === 'ExecFindPartition' || (typeof driverError.message === 'string' && /^no partition of relation "[^"]*" found for row/.test(driverError.message));
}
