import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mentions waiting for a user's email digest (docs/decisions/0037-mention-email-digest.md): one
 * row per (mentioned user, message), recorded when the user was offline. A digest claims the
 * user's unclaimed rows once (`digest_window`: the id of its window), so a re-run of it sees the same
 * rows and a mention recorded meanwhile waits for the next window; `settled_at` is set once the
 * digest went out or dropped the row (read, no longer a member, deleted).
 */
export class MentionDigestItems1797050000000 implements MigrationInterface {
  name = 'MentionDigestItems1797050000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE chat.mention_digest_items (
        user_id uuid NOT NULL,
        message_id bigint NOT NULL,
        room_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        digest_window bigint,
        settled_at timestamptz,
        PRIMARY KEY (user_id, message_id)
      )`);
    await runner.query('CREATE INDEX mention_digest_items_pending_idx ON chat.mention_digest_items (user_id, created_at) WHERE settled_at IS NULL');
    // Settled rows only guard against a second send; a week is far past any retry.
    await runner.query('CREATE INDEX mention_digest_items_settled_idx ON chat.mention_digest_items (settled_at) WHERE settled_at IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chat.mention_digest_items');
  }
}
