import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Server that tests create their throwaway databases on. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file (or one benchmark run), so runs and files never see
 * each other's rows. `serverUrl`: a connection URL to any database of the server to create it on.
 */
export async function createTestDatabase(label = 'test', serverUrl = TEST_POSTGRES_URL): Promise<TestDatabase> {
  const name = `parley_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdminClient<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix unique to one test file. */
export function testRedisPrefix(label = 'test'): string {
  return `t:${label}:${randomBytes(4).toString('hex')}:`;
}

/** The data-store settings every service under test gets: quiet logs, its database and Redis prefix. */
export function testServiceEnv(databaseUrl: string, redisKeyPrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisKeyPrefix,
  };
}

/**
 * What every service a test starts as its own process shares: testServiceEnv's stores, logs at
 * `info` (where startServiceProcess reads the ports from), the internal token and a short drain.
 */
export function testProcessEnv(databaseUrl: string, redisKeyPrefix: string, settings: { redisUrl?: string; internalToken: string }): Record<string, string> {
  return {
    ...testServiceEnv(databaseUrl, redisKeyPrefix),
    LOG_LEVEL: 'info',
    REDIS_URL: settings.redisUrl ?? TEST_REDIS_URL,
    INTERNAL_API_TOKEN: settings.internalToken,
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}
