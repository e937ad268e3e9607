import pg from 'pg';

/**
 * A fault that leaves the persistence worker and PostgreSQL up and makes every `messages` job
 * fail: a row trigger on chat.messages (partitioned; PostgreSQL 13+ runs it on every partition)
 * refuses each insert with SQLSTATE 53100 `disk_full`, as a full volume would. It is not a data
 * error (class 22 or 23), so the worker retries the whole batch with backoff instead of setting
 * its messages aside in chat.message_dead_letters (docs/decisions/0006-message-dead-letters.md).
 */
export interface RefusedMessageInserts {
  /** Drops the trigger: inserts succeed again. */
  allow(): Promise<void>;
}

const REFUSE = `
  CREATE FUNCTION public.parley_test_refuse_message_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'could not extend file: No space left on device (a test refuses inserts into chat.messages)'
      USING ERRCODE = 'disk_full';
  END
  $$;
  CREATE TRIGGER parley_test_refuse_message_insert BEFORE INSERT ON chat.messages
    FOR EACH ROW EXECUTE FUNCTION public.parley_test_refuse_message_insert();`;

const ALLOW = `
  DROP TRIGGER parley_test_refuse_message_insert ON chat.messages;
  DROP FUNCTION public.parley_test_refuse_message_insert();`;

/** One connection per change: the database may be restarted in between, so none is kept. */
async function execute(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** From now on every insert into chat.messages of the database at `databaseUrl` fails with 53100. */
export async function refuseMessageInserts(databaseUrl: string): Promise<RefusedMessageInserts> {
  await execute(databaseUrl, REFUSE);
  return { allow: () => execute(databaseUrl, ALLOW) };
}
