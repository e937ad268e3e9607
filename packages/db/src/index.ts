export { createDataSource, runMigrations, pingDatabase, isUniqueViolation, isDataError, isMissingPartition, sqlStateOf, DataSource } from './create-data-source.js';
export type { DataSourceSettings } from './create-data-source.js';
export { createDatabaseConnection, isDatabaseOutage } from './database-connection.js';
export type { DatabaseConnection, DatabaseConnectionSettings } from './database-connection.js';
export { runMigrationCli } from './migration-cli.js';
export { queryPrepared } from './prepared-query.js';
export type { MigrationCliSettings, MigrationConfig } from './migration-cli.js';
export { createSchemaVersionCheck, pendingMigrations } from './schema-version.js';
export type { SchemaVersionCheck } from './schema-version.js';
