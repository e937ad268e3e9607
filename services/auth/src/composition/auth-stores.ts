import { join, resolve } from 'node:path';
import { createDatabaseConnection, type DatabaseConnection, type DataSource } from '@parley/db';
import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import type { AuthConfig } from '../config.js';
import { createAuthDataSource } from '../database.js';
import { startSigningKeyStore, type SigningKeyStore } from '../signing-keys/signing-key-store.js';

export interface AuthStores {
  dataSource: DataSource;
  database: DatabaseConnection;
  redis: Redis;
  signingKeys: SigningKeyStore;
}

/** PostgreSQL, Redis and the signing keys, each registered for closing as it opens. */
export async function openAuthStores(config: AuthConfig, logger: Logger, resources: ResourceStack): Promise<AuthStores> {
  // Starts while PostgreSQL is down, like the other services: not ready (503) until it connects.
  const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const database = createDatabaseConnection(dataSource, { logger, migrateOnStart: config.DB_MIGRATE_ON_START });
  resources.add('database', () => database.close());
  await database.ready().catch(() => {
    // Logged by the connection, which keeps retrying with backoff.
  });

  const redis = createRedis({ url: config.REDIS_URL, name: 'auth', logger });
  resources.add('redis', () => closeRedis(redis));

  const signingKeys = await startSigningKeyStore({
    dir: resolve(config.SIGNING_KEYS_DIR ?? join(resolve(config.DATA_DIR), 'signing-keys')),
    generate: config.SIGNING_KEYS_GENERATE,
    reloadMs: config.SIGNING_KEYS_RELOAD_MS,
    logger,
  });
  resources.add('signing-keys', () => signingKeys.close());
  return { dataSource, database, redis, signingKeys };
}
