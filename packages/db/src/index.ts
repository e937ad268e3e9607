export { createDataSource, runMigrations, pingDatabase, isUniqueViolation, DataSource } from './create-data-source.js';
export type { DataSourceSettings } from './create-data-source.js';
