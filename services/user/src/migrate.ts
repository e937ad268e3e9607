import { runMigrationCli } from '@parley/db';
import { loadUserServiceConfig, type UserServiceConfig } from './config.js';
import { createUserDataSource } from './database.js';

/** Applies pending migrations of the `users` schema, then exits (npm run migrate, Helm hook job). */
process.exitCode = await runMigrationCli<UserServiceConfig>({ name: 'user-migrate', loadConfig: loadUserServiceConfig, createDataSource: createUserDataSource });
