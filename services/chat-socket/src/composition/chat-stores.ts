import { createDatabaseConnection, type DatabaseConnection, type DataSource } from '@parley/db';
import type { ResourceStack } from '@parley/lifecycle';
import type { Logger } from '@parley/logger';
import { closeRedis, createRedis, type Redis } from '@parley/redis';
import type { ChatSocketConfig } from '../config.js';
import { createChatSocketDataSource, createChatSocketReadDataSource } from '../database.js';

export interface ChatStores {
  dataSource: DataSource;
  database: DatabaseConnection;
  redis: Redis;
  /** Accept scripts (each writes its batch's persistence job) and WAIT share one connection (WAIT covers a connection's writes). */
  sendRedis: Redis;
  /**
   * Where history reads go: the replica of DATABASE_READ_URL once it is connected, else the
   * primary (`dataSource`).
   */
  historyReads(): DataSource;
}

/** PostgreSQL (start-up goes on while it is down) and the two Redis connections, registered for closing. */
export async function openChatStores(config: ChatSocketConfig, logger: Logger, resources: ResourceStack): Promise<ChatStores> {
  const dataSource = createChatSocketDataSource(config);
  const database = createDatabaseConnection(dataSource, { logger, migrateOnStart: config.DB_MIGRATE_ON_START });
  resources.add('database', () => database.close());
  await database.ready().catch(() => {
    // Logged by the connection; requests answer 503 and readiness fails until it connects.
  });
  const historyReads = await openReadReplica(config, logger, resources, dataSource);
  // Request-path connections: a command Redis never answers (a silent partition) fails after
  // REDIS_COMMAND_TIMEOUT_MS instead of holding its request, or an acknowledgement, forever.
  const commandTimeoutMs = config.REDIS_COMMAND_TIMEOUT_MS;
  const redis = createRedis({ url: config.REDIS_URL, name: 'chat-socket', logger, commandTimeoutMs });
  const sendRedis = createRedis({ url: config.REDIS_URL, name: 'chat-socket-send', logger, commandTimeoutMs });
  resources.add('redis', () => Promise.all([closeRedis(redis), closeRedis(sendRedis)]));
  return { dataSource, database, redis, sendRedis, historyReads };
}

/** The replica's connection (retried in the background like the primary's), or the primary alone. */
async function openReadReplica(config: ChatSocketConfig, logger: Logger, resources: ResourceStack, primary: DataSource): Promise<() => DataSource> {
  if (!config.DATABASE_READ_URL) return () => primary;
  const replica = createChatSocketReadDataSource({ ...config, DATABASE_READ_URL: config.DATABASE_READ_URL });
  const connection = createDatabaseConnection(replica, { logger: logger.child({ database: 'read-replica' }) });
  resources.add('read-database', () => connection.close());
  await connection.ready().catch(() => {
    // Logged by the connection; history reads go to the primary meanwhile.
  });
  return () => (replica.isInitialized ? replica : primary);
}
