import { parseArgs } from 'node:util';
import { ConfigError } from '@parley/config';
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
  try {
    const result = await grantAdmin(dataSource, username);
    switch (result.status) {
      case 'granted':
        process.stdout.write(`granted admin to ${result.username} (${result.userId}); it applies from their next login or token refresh\n`);
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
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `grant-admin failed: ${(error as Error).message}`}\n`);
    process.exit(1);
  },
);
