import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room settings (topic, picture), each member's mute, invite links for private rooms, the
 * timeline of membership and settings changes, and the "friend request accepted" notification.
 */
export class RoomSettingsAndEvents1796600000000 implements MigrationInterface {
  name = 'RoomSettingsAndEvents1796600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE chat.rooms ADD COLUMN topic text, ADD COLUMN avatar_url text');
    await runner.query('ALTER TABLE chat.room_members ADD COLUMN muted boolean NOT NULL DEFAULT false');

    await runner.query(`
      CREATE TABLE chat.room_events (
        id bigserial PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES chat.rooms (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('created', 'joined', 'added', 'left', 'removed', 'renamed',
                                           'topic-changed', 'avatar-changed', 'role-changed')),
        actor_id uuid,
        user_id uuid,
        data jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The timeline is read newest first, per room.
    await runner.query('CREATE INDEX room_events_room_idx ON chat.room_events (room_id, id)');

    await runner.query(`
      CREATE TABLE chat.room_invites (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES chat.rooms (id) ON DELETE CASCADE,
        -- sha256 of the token: a database dump does not hand out working links.
        token_hash bytea NOT NULL UNIQUE,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        uses integer NOT NULL DEFAULT 0
      )`);
    await runner.query('CREATE INDEX room_invites_room_idx ON chat.room_invites (room_id, created_at DESC)');

    await runner.query('ALTER TABLE chat.notifications DROP CONSTRAINT notifications_kind_check');
    await runner.query(
      `ALTER TABLE chat.notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('message', 'friend_request', 'friend_accepted'))`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX notifications_friend_accepted_uq ON chat.notifications (user_id, friend_request_id) WHERE kind = 'friend_accepted'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX chat.notifications_friend_accepted_uq');
    await runner.query(`DELETE FROM chat.notifications WHERE kind = 'friend_accepted'`);
    await runner.query('ALTER TABLE chat.notifications DROP CONSTRAINT notifications_kind_check');
    await runner.query(`ALTER TABLE chat.notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('message', 'friend_request'))`);
    await runner.query('DROP TABLE chat.room_invites');
    await runner.query('DROP TABLE chat.room_events');
    await runner.query('ALTER TABLE chat.room_members DROP COLUMN muted');
    await runner.query('ALTER TABLE chat.rooms DROP COLUMN topic, DROP COLUMN avatar_url');
  }
}
