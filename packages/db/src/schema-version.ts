import type { DataSource } from 'typeorm';

/**
 * Readiness of a service's schema: every migration its code was built with is recorded in the
 * schema's migrations table. A pod whose migrations have not run yet (the Helm hook still
 * running, or DB_MIGRATE_ON_START off and no job run) would otherwise take traffic and answer
 * 500 on the first query of a missing table. See docs/decisions (readiness checks the schema
 * version).
 */
export interface SchemaVersionCheck {
  /** Resolves when the schema is current; rejects naming the pending migrations otherwise. */
  (): Promise<void>;
}

/** Names of the data source's migrations not yet applied to its schema (all of them when the table is missing). */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const expected = dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
  if (expected.length === 0) return [];
  const schema = dataSource.driver.schema ?? 'public';
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const qualified = `"${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`;
  const [exists] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS "exists"', [qualified])) as { exists: boolean }[];
  if (!exists?.exists) return expected;
  const rows = (await dataSource.query(`SELECT name FROM ${qualified}`)) as { name: string }[];
  const applied = new Set(rows.map((row) => row.name));
  return expected.filter((name) => !applied.has(name));
}

/**
 * A readiness check over `dataSource()` (which may wait for or reject on the connection).
 * Once the schema was seen current it stays so (migrations only move forward), so a ready pod
 * costs one query per probe for its database ping, not two.
 */
export function createSchemaVersionCheck(dataSource: () => Promise<DataSource> | DataSource): SchemaVersionCheck {
  let current = false;
  return async () => {
    if (current) return;
    const pending = await pendingMigrations(await dataSource());
    if (pending.length > 0) throw new Error(`migrations not applied: ${pending.join(', ')}`);
    current = true;
  };
}
