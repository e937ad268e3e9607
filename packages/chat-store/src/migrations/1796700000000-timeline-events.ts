import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timeline events (docs/decisions/0021-timeline-events.md): edits, deletions and reactions are
 * rows of `chat.messages` with their own room sequence number, so history and sync by sequence
 * return them like messages. Their effect is folded into the message they change (`edited_at`,
 * `deleted_at`, `state_seq`, `chat.message_reactions`); the original text, each edit's text and each deletion
 * are kept in `chat.message_edits` for moderators.
 */
export class TimelineEvents1796700000000 implements MigrationInterface {
  name = 'TimelineEvents1796700000000';

  async up(runner: QueryRunner): Promise<void> {
    // Constant defaults: no table rewrite.
    await runner.query(`
      ALTER TABLE chat.messages
        ADD COLUMN kind text NOT NULL DEFAULT 'message'
          CONSTRAINT messages_kind_check CHECK (kind IN ('message', 'edit', 'delete', 'reaction_add', 'reaction_remove')),
        ADD COLUMN target_id bigint,
        ADD COLUMN emoji text,
        ADD COLUMN edited_at timestamptz,
        ADD COLUMN deleted_at timestamptz,
        ADD COLUMN edit_seq bigint,
        ADD COLUMN state_seq bigint NOT NULL DEFAULT 0,
        ADD CONSTRAINT messages_event_target_check CHECK ((kind = 'message') = (target_id IS NULL))`);
    await runner.query('CREATE INDEX messages_target_idx ON chat.messages (target_id) WHERE target_id IS NOT NULL');

    await runner.query(`
      CREATE TABLE chat.message_edits (
        -- The edit or delete event; for the original text, the message itself.
        event_id bigint PRIMARY KEY,
        message_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('original', 'edit', 'delete')),
        editor_id uuid NOT NULL,
        body text NOT NULL,
        seq bigint NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX message_edits_message_idx ON chat.message_edits (message_id, seq)');

    // One row per (message, emoji, user), the latest event by room sequence wins.
    await runner.query(`
      CREATE TABLE chat.message_reactions (
        message_id bigint NOT NULL,
        emoji text NOT NULL,
        user_id uuid NOT NULL,
        seq bigint NOT NULL,
        active boolean NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (message_id, emoji, user_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chat.message_reactions');
    await runner.query('DROP TABLE chat.message_edits');
    await runner.query('DROP INDEX chat.messages_target_idx');
    await runner.query(`
      ALTER TABLE chat.messages
        DROP CONSTRAINT messages_event_target_check,
        DROP COLUMN state_seq, DROP COLUMN edit_seq, DROP COLUMN deleted_at, DROP COLUMN edited_at,
        DROP COLUMN emoji, DROP COLUMN target_id, DROP COLUMN kind`);
  }
}
