import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { createUserDataSource } from '../src/database.js';
import { startUserService, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;

beforeAll(async () => {
  service = await startUserService({ DB_MIGRATE_ON_START: 'false' }, 'migrations');
});

afterAll(async () => {
  await service?.close();
});

async function withClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: service.databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const tablesInUserSchema = () =>
  withClient(async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'users' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  });

describe('migrations', () => {
  it('are not run by the app unless DB_MIGRATE_ON_START is set', async () => {
    expect(await tablesInUserSchema()).toEqual([]);
  });

  it('keep the service not ready until they are applied (no traffic to a pod whose tables are missing)', async () => {
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ postgres: 'ok', schema: 'failed: migrations not applied: CreateUserTables1732200000000, MentionDigestPreference1797000000000, ProfileEmailVerified1797100000000' });
  });

  it('create the users schema once, and a second run applies nothing', async () => {
    const logger = createLogger({ service: 'user-migrate-test', level: 'silent' });
    const dataSource = createUserDataSource({ DATABASE_URL: service.databaseUrl, DATABASE_POOL_SIZE: 2 });
    await dataSource.initialize();
    try {
      expect(await runMigrations(dataSource, logger)).toEqual(['CreateUserTables1732200000000', 'MentionDigestPreference1797000000000', 'ProfileEmailVerified1797100000000']);
      expect(await runMigrations(dataSource, logger)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
    expect(await tablesInUserSchema()).toEqual(['blocks', 'friend_requests', 'friendships', 'migrations', 'profiles']);
  });

  it('index the search, friendship and block lookups', async () => {
    const indexes = await withClient(async (client) => {
      const { rows } = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'users'");
      return rows.map((row) => row.indexname);
    });
    expect(indexes).toEqual(
      expect.arrayContaining([
        'profiles_username_lower_key',
        'profiles_username_prefix_idx',
        'profiles_email_lower_idx',
        'profiles_display_name_trgm_idx',
        'friend_requests_pending_pair_key',
        'friend_requests_incoming_idx',
        'friend_requests_outgoing_idx',
        'friendships_pkey',
        'friendships_user_high_idx',
        'blocks_pkey',
        'blocks_blocked_idx',
      ]),
    );
  });

  it('leave the app working, and ready, once applied', async () => {
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.schema).toBe('ok');
    const token = await service.issuer.mint({ id: randomUUID(), username: 'after_migration' });
    const me = await service.request('GET', '/api/v1/users/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('after_migration');
  });
});
