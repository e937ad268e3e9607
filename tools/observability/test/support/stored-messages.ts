import pg from 'pg';

/** A connection for one question: the test stops and starts PostgreSQL, so no pool outlives it. */
async function onDatabase<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** How many of the messages `ids` chat.messages holds. */
export async function countStoredMessages(databaseUrl: string, ids: string[]): Promise<number> {
  return onDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM chat.messages WHERE id = ANY($1::bigint[])', [ids]);
    return rows[0]!.count;
  });
}

/** How many messages were set aside in chat.message_dead_letters. */
export async function countDeadLetters(databaseUrl: string): Promise<number> {
  return onDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM chat.message_dead_letters');
    return rows[0]!.count;
  });
}
