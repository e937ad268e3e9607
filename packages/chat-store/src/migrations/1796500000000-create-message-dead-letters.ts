import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages the persistence worker could not store (PostgreSQL refused the row, or the job
 * carried a malformed message): set aside with the reason, so the rest of their batch is
 * stored and an operator can inspect them (docs/decisions/message-dead-letters.md).
 */
export class CreateMessageDeadLetters1796500000000 implements MigrationInterface {
  name = 'CreateMessageDeadLetters1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE chat.message_dead_letters (
        id bigserial PRIMARY KEY,
        -- The message exactly as the job carried it, as JSON text: control characters and
        -- unpaired surrogates are escaped, so a row that PostgreSQL refused can still be kept.
        payload text NOT NULL,
        -- sha256 of payload: a re-run of the same job sets the same message aside once.
        payload_sha256 text NOT NULL UNIQUE,
        -- Copied from the payload when they are well-formed, for listing (text: an id beyond
        -- bigint may be the very reason the message is here).
        message_id text,
        room_id text,
        sender_id text,
        job_id text,
        -- 'rejected_by_database' (SQLSTATE in sqlstate) or 'malformed_message'.
        reason text NOT NULL,
        sqlstate text,
        error text NOT NULL,
        dead_lettered_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX message_dead_letters_time_idx ON chat.message_dead_letters (dead_lettered_at, id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chat.message_dead_letters');
  }
}
