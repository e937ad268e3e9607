import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `chat.messages` becomes range-partitioned by id, one partition per week
 * (docs/decisions/0039-partitioned-messages.md). The existing table is not copied: it is renamed,
 * attached as the partition of every id below the start of the week after its newest message
 * (a CHECK proves the range, so ATTACH does not scan again), and the weeks from there to four
 * weeks ahead get empty partitions. Its indexes stay and are attached to the parent's.
 *
 * Uniqueness that does not include the partition key, `(room_id, seq)` and `(sender_id,
 * client_msg_id)`, cannot be declared on a partitioned table: each partition keeps its own
 * unique index (the old table its old constraints). The statements are written out here, not
 * taken from message-partitions.ts, so this migration stays what it was.
 */
const EPOCH_MS = Date.UTC(2024, 0, 1);
const WEEK_MS = 7 * 24 * 3_600_000;
const WEEKS_AHEAD = 4;

const idAt = (ms: number) => BigInt(ms - EPOCH_MS) << 22n;
const weekStart = (ms: number) => EPOCH_MS + Math.floor((ms - EPOCH_MS) / WEEK_MS) * WEEK_MS;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

export class PartitionedMessages1797000000000 implements MigrationInterface {
  name = 'PartitionedMessages1797000000000';

  async up(runner: QueryRunner): Promise<void> {
    // Writers wait for the few statements below; readers too (the rename).
    await runner.query('LOCK TABLE chat.messages IN ACCESS EXCLUSIVE MODE');
    const indexes = (await runner.query(
      `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, x.indisunique AS is_unique, x.indisprimary AS is_primary
         FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'chat.messages'::regclass`,
    )) as Array<{ name: string; definition: string; is_unique: boolean; is_primary: boolean }>;
    const [newest] = (await runner.query('SELECT max(id)::text AS id FROM chat.messages')) as Array<{ id: string | null }>;
    const now = Date.now();
    const newestMs = newest?.id ? Number(BigInt(newest.id) >> 22n) + EPOCH_MS : 0;
    const boundaryMs = Math.max(weekStart(now), weekStart(newestMs) + WEEK_MS);
    const boundary = idAt(boundaryMs);
    const old = `messages_before_${day(boundaryMs)}`;

    await runner.query(`ALTER TABLE chat.messages RENAME TO ${old}`);
    for (const index of indexes) {
      await runner.query(`ALTER INDEX chat.${index.name} RENAME TO ${index.name.replace(/^messages_/, `${old}_`)}`);
    }
    await runner.query(`CREATE TABLE chat.messages (LIKE chat.${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (id)`);
    await runner.query('ALTER TABLE chat.messages ADD CONSTRAINT messages_pkey PRIMARY KEY (id)');
    // The other indexes as they were (the search indexes of every configuration included).
    for (const index of indexes) if (!index.is_unique) await runner.query(index.definition);

    await runner.query(`ALTER TABLE chat.${old} ADD CONSTRAINT ${old}_range_check CHECK (id < ${boundary})`);
    await runner.query(`ALTER TABLE chat.messages ATTACH PARTITION chat.${old} FOR VALUES FROM (MINVALUE) TO (${boundary})`);
    await runner.query(`ALTER TABLE chat.${old} DROP CONSTRAINT ${old}_range_check`);

    for (let start = boundaryMs; start <= weekStart(now) + WEEKS_AHEAD * WEEK_MS; start += WEEK_MS) {
      const name = `messages_p${day(start)}`;
      const [from, to] = [idAt(start), idAt(start + WEEK_MS)];
      await runner.query(`CREATE TABLE chat.${name} (LIKE chat.messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await runner.query(`ALTER TABLE chat.${name} ADD CONSTRAINT ${name}_range_check CHECK (id >= ${from} AND id < ${to})`);
      await runner.query(`CREATE UNIQUE INDEX ${name}_room_seq_uq ON chat.${name} (room_id, seq)`);
      await runner.query(`CREATE UNIQUE INDEX ${name}_sender_client_msg_uq ON chat.${name} (sender_id, client_msg_id)`);
      await runner.query(`ALTER TABLE chat.messages ATTACH PARTITION chat.${name} FOR VALUES FROM (${from}) TO (${to})`);
      await runner.query(`ALTER TABLE chat.${name} DROP CONSTRAINT ${name}_range_check`);
    }
  }

  /** Back to one table: the rows are copied (every partition, in one statement). */
  async down(runner: QueryRunner): Promise<void> {
    const indexes = (await runner.query(
      `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
         FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'chat.messages'::regclass AND NOT x.indisprimary`,
    )) as Array<{ name: string; definition: string }>;
    await runner.query('ALTER TABLE chat.messages RENAME TO messages_partitioned');
    for (const index of indexes) await runner.query(`ALTER INDEX chat.${index.name} RENAME TO partitioned_${index.name}`);
    await runner.query('ALTER INDEX chat.messages_pkey RENAME TO partitioned_messages_pkey');
    await runner.query('CREATE TABLE chat.messages (LIKE chat.messages_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)');
    await runner.query('INSERT INTO chat.messages SELECT * FROM chat.messages_partitioned');
    await runner.query('DROP TABLE chat.messages_partitioned');
    await runner.query('ALTER TABLE chat.messages ADD CONSTRAINT messages_pkey PRIMARY KEY (id)');
    await runner.query('ALTER TABLE chat.messages ADD CONSTRAINT messages_sender_client_msg_uq UNIQUE (sender_id, client_msg_id)');
    await runner.query('ALTER TABLE chat.messages ADD CONSTRAINT messages_room_seq_uq UNIQUE (room_id, seq)');
    for (const index of indexes) await runner.query(index.definition.replace(/ ON ONLY /, ' ON '));
  }
}
