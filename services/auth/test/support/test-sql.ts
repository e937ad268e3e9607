import pg from 'pg';
import type { AuthTestApp } from './auth-test-app.js';

/** Runs one statement against the test app's database (for asserting on stored state). */
export async function sql<Row extends Record<string, unknown> = Record<string, unknown>>(
  app: AuthTestApp,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: app.database.url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}
