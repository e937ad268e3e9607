import { parseArgs } from 'node:util';
import { createSessionRevocationWriter } from '@parley/auth-middleware';
import { ConfigError } from '@parley/config';
import { createLogger } from '@parley/logger';
import { closeRedis, createRedis } from '@parley/redis';
import { loadAuthConfig } from '../config.js';
import { createAuthDataSource } from '../database.js';
import { grantAdmin } from './grant-admin.js';

const USAGE = 'usage: node services/auth/dist/admin/grant-admin-cli.js --user <username>';

/** Grants the admin role to an existing account, using the service's DATABASE_URL. */
async function main(): Promise<number> {
  let username: string | undefined;
  try {
    ({ values: { user: username } } = parseArgs({ options: { user: { type: 'string', short: 'u' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 64;
  }
  if (!username) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }

  const config = loadAuthConfig();
  const dataSource = createAuthDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'parley-auth-admin' });
  await dataSource.initialize();
  const redis = createRedis({ url: config.REDIS_URL, name: 'auth-admin', logger: createLogger({ service: 'auth-admin', level: 'warn' }) });
  try {
    const sessions = createSessionRevocationWriter({ redis, redisKeyPrefix: config.REDIS_KEY_PREFIX, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
    const result = await grantAdmin(dataSource, sessions, username);
    switch (result.status) {
      case 'granted':
        process.stdout.write(`granted admin to ${result.username} (${result.userId}); their current access tokens are refused, so their clients refresh and get the role\n`);
        return 0;
      case 'already_admin':
        process.stdout.write(`${result.username} (${result.userId}) is already an admin; nothing changed\n`);
        return 0;
      case 'not_found':
        process.stderr.write(`no account with username "${result.username}"\n`);
        return 1;
    }
  } finally {
    await dataSource.destroy();
    await closeRedis(redis);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `grant-admin failed: ${(error as Error).message}`}\n`);
    process.exit(1);
  },
);
