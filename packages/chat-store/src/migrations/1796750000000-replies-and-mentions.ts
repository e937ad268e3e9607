import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replies and mentions (docs/decisions/0034-replies-and-mentions.md): a message names the message
 * it replies to (`reply_to_id`, same room) and the members it mentions (`mentions`); a parent
 * carries its folded reply count and last reply time. Additive columns with constant defaults
 * (no table rewrite). Mentions get their own notification kind, one row per (user, message).
 */
export class RepliesAndMentions1796750000000 implements MigrationInterface {
  name = 'RepliesAndMentions1796750000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE chat.messages
        ADD COLUMN reply_to_id bigint,
        ADD COLUMN mentions uuid[],
        ADD COLUMN reply_count integer NOT NULL DEFAULT 0,
        ADD COLUMN last_reply_at timestamptz`);
    // A thread's replies in sequence order; also what the worker counts.
    await runner.query('CREATE INDEX messages_reply_to_idx ON chat.messages (reply_to_id, seq) WHERE reply_to_id IS NOT NULL');

    await runner.query('ALTER TABLE chat.notifications DROP CONSTRAINT notifications_kind_check');
    await runner.query(
      `ALTER TABLE chat.notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('message', 'friend_request', 'friend_accepted', 'mention'))`,
    );
    await runner.query(`CREATE UNIQUE INDEX notifications_mention_uq ON chat.notifications (user_id, last_message_id) WHERE kind = 'mention'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX chat.notifications_mention_uq');
    await runner.query(`DELETE FROM chat.notifications WHERE kind = 'mention'`);
    await runner.query('ALTER TABLE chat.notifications DROP CONSTRAINT notifications_kind_check');
    await runner.query(`ALTER TABLE chat.notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('message', 'friend_request', 'friend_accepted'))`);
    await runner.query('DROP INDEX chat.messages_reply_to_idx');
    await runner.query('ALTER TABLE chat.messages DROP COLUMN last_reply_at, DROP COLUMN reply_count, DROP COLUMN mentions, DROP COLUMN reply_to_id');
  }
}
