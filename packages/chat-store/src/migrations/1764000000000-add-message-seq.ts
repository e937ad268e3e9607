import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message gets its room's sequence number (assigned by chat-socket's accept script, see
 * docs/decisions/0002-room-sequence-numbers.md). Messages stored before get theirs in id order;
 * the Redis counters are seeded from the highest stored number when they are missing.
 */
export class AddMessageSeq1764000000000 implements MigrationInterface {
  name = 'AddMessageSeq1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE chat.messages ADD COLUMN seq bigint');
    await runner.query(`
      UPDATE chat.messages AS m
         SET seq = numbered.seq
        FROM (SELECT id, row_number() OVER (PARTITION BY room_id ORDER BY id) AS seq FROM chat.messages) AS numbered
       WHERE m.id = numbered.id`);
    await runner.query('ALTER TABLE chat.messages ALTER COLUMN seq SET NOT NULL');
    // Also the index of sync-by-sequence reads and of the counters' seeding (max per room).
    await runner.query('ALTER TABLE chat.messages ADD CONSTRAINT messages_room_seq_uq UNIQUE (room_id, seq)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE chat.messages DROP CONSTRAINT messages_room_seq_uq');
    await runner.query('ALTER TABLE chat.messages DROP COLUMN seq');
  }
}
