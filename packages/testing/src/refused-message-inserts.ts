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

/** Lost a lock race (deadlock detected, or lock_timeout): worth another try. */
const LOCK_RACE = new Set(['40P01', '55P03']);

/**
 * Runs `sql` (DDL on chat.messages) in a transaction that first takes the table tree's lock
 * itself. Under load a trigger's DDL on a partitioned table can lose a deadlock against the
 * sessions writing to it (a live run's DROP TRIGGER did, leaving the fault in place), so a lost
 * race is tried again. One connection per try: the database may be restarted in between.
 */
async function execute(databaseUrl: string, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL lock_timeout = '5s'");
      await client.query('LOCK TABLE chat.messages IN ACCESS EXCLUSIVE MODE');
      await client.query(sql);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: unknown }).code;
      if (attempt >= 10 || typeof code !== 'string' || !LOCK_RACE.has(code)) throw error;
    } finally {
      await client.end();
    }
  }
}

/** From now on every insert into chat.messages of the database at `databaseUrl` fails with 53100. */
export async function refuseMessageInserts(databaseUrl: string): Promise<RefusedMessageInserts> {
  await execute(databaseUrl, REFUSE);
  return { allow: () => execute(databaseUrl, ALLOW) };
}
