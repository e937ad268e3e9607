import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MIGRATIONS, CHAT_SCHEMA } from '@parley/chat-store';
import { createDataSource, runMigrations } from '@parley/db';
import { createLogger } from '@parley/logger';
import { startChatCluster, type ChatCluster } from './support/chat-cluster.js';

const logger = createLogger({ service: 'chat-migrate-test', level: 'silent' });

/** Applies the given chat migrations only, as an older release's migration Job would have. */
async function migrate(url: string, migrations: (typeof CHAT_MIGRATIONS)[number][]): Promise<void> {
  const dataSource = createDataSource({ url, schema: CHAT_SCHEMA, entities: [], migrations, poolSize: 2, applicationName: 'chat-migrate-test' });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource, logger);
  } finally {
    await dataSource.destroy();
  }
}

describe('chat-socket readiness and the chat schema version', () => {
  let cluster: ChatCluster;

  beforeAll(async () => {
    // As in the chart: migrations run in a Helm hook Job, not in the pod.
    cluster = await startChatCluster({ label: 'chat_schema_ready', instances: 1, env: { DB_MIGRATE_ON_START: 'false' } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const readiness = async () => {
    const response = await fetch(`${cluster.instances[0]!.adminUrl}/readyz`);
    return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
  };

  it('is not ready on an empty schema', async () => {
    const before = await readiness();
    expect(before.status).toBe(503);
    expect(before.checks.postgres).toBe('ok');
    expect(before.checks.schema).toBe(`failed: migrations not applied: ${CHAT_MIGRATIONS.map((migration) => migration.name).join(', ')}`);
  });

  it('is not ready on a schema one migration behind its code (an upgrade whose hook has not run)', async () => {
    await migrate(cluster.database.url, CHAT_MIGRATIONS.slice(0, -1));
    const behind = await readiness();
    expect(behind.status).toBe(503);
    expect(behind.checks.schema).toBe(`failed: migrations not applied: ${CHAT_MIGRATIONS.at(-1)!.name}`);
  });

  it('is ready once every migration is applied', async () => {
    await migrate(cluster.database.url, CHAT_MIGRATIONS);
    const after = await readiness();
    expect(after.status).toBe(200);
    expect(after.checks).toMatchObject({ postgres: 'ok', schema: 'ok' });
  });
});
