import pg from 'pg';

/**
 * A fault that leaves the persistence worker and PostgreSQL up and makes every `messages` job
 * fail: a row trigger on chat.messages (partitioned; PostgreSQL 13+ runs it for every partition)
 * refuses each insert with SQLSTATE 53100 `disk_full`, as a full volume would. Not a data error
 * (class 22 or 23), so the worker retries the batch with backoff instead of setting its messages
 * aside in chat.message_dead_letters (docs/decisions/0006-message-dead-letters.md).
 */
const REFUSE_INSERTS = `
  CREATE FUNCTION public.live_truth_refuse_message_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'could not extend file: No space left on device (injected by the live telemetry test)'
      USING ERRCODE = 'disk_full';
  END
  $$;
  CREATE TRIGGER live_truth_refuse_message_insert BEFORE INSERT ON chat.messages
    FOR EACH ROW EXECUTE FUNCTION public.live_truth_refuse_message_insert();`;

const ALLOW_INSERTS = `
  DROP TRIGGER live_truth_refuse_message_insert ON chat.messages;
  DROP FUNCTION public.live_truth_refuse_message_insert();`;

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

export async function refuseMessageInserts(databaseUrl: string): Promise<void> {
  await onDatabase(databaseUrl, (client) => client.query(REFUSE_INSERTS));
}

export async function allowMessageInserts(databaseUrl: string): Promise<void> {
  await onDatabase(databaseUrl, (client) => client.query(ALLOW_INSERTS));
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
