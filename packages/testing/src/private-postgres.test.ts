import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

describe('a private PostgreSQL for outage tests', () => {
  let postgres: PrivatePostgres;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.destroy();
  });

  const select = async () => {
    const client = new pg.Client({ connectionString: postgres.url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      return (await client.query<{ value: number }>('SELECT 1 AS value')).rows[0]?.value;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it('answers, refuses connections once stopped, and keeps its data across a restart', async () => {
    expect(await select()).toBe(1);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query('CREATE TABLE kept (value text)');
    await client.query("INSERT INTO kept VALUES ('here')");
    await client.end();

    await postgres.stop();
    await expect(select()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await postgres.start();
    const again = new pg.Client({ connectionString: postgres.url });
    await again.connect();
    expect((await again.query('SELECT value FROM kept')).rows).toEqual([{ value: 'here' }]);
    await again.end();
  }, 60_000);
});
