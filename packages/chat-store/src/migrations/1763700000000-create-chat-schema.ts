import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChatSchema1763700000000 implements MigrationInterface {
  name = 'CreateChatSchema1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE chat.rooms (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('direct', 'group')),
        name text,
        name_lower text,
        visibility text NOT NULL CHECK (visibility IN ('private', 'public')),
        created_by uuid NOT NULL,
        -- "<smaller user id>:<larger user id>" for direct rooms: one room per pair.
        direct_key text UNIQUE,
        member_count integer NOT NULL DEFAULT 0,
        last_message_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX rooms_public_name_idx ON chat.rooms (name_lower text_pattern_ops, id) WHERE visibility = 'public'`);

    await runner.query(`
      CREATE TABLE chat.room_members (
        room_id uuid NOT NULL REFERENCES chat.rooms (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        last_read_message_id bigint,
        PRIMARY KEY (room_id, user_id)
      )`);
    await runner.query(`CREATE INDEX room_members_user_idx ON chat.room_members (user_id, room_id)`);

    await runner.query(`
      CREATE TABLE chat.messages (
        id bigint PRIMARY KEY,
        room_id uuid NOT NULL,
        sender_id uuid NOT NULL,
        client_msg_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        persisted_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_sender_client_msg_uq UNIQUE (sender_id, client_msg_id)
      )`);
    // History pages are (room_id, id) range scans.
    await runner.query(`CREATE INDEX messages_room_id_idx ON chat.messages (room_id, id)`);

    await runner.query(`
      CREATE TABLE chat.notifications (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('message', 'friend_request')),
        room_id uuid,
        from_user_id uuid,
        -- message notifications: the latest message and how many arrived while offline
        last_message_id bigint,
        message_count integer NOT NULL DEFAULT 0,
        friend_request_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz
      )`);
    // One open message notification per user and room (a digest, not one row per message).
    await runner.query(
      `CREATE UNIQUE INDEX notifications_open_room_uq ON chat.notifications (user_id, room_id) WHERE kind = 'message' AND seen_at IS NULL`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX notifications_friend_request_uq ON chat.notifications (user_id, friend_request_id) WHERE kind = 'friend_request'`,
    );
    await runner.query(`CREATE INDEX notifications_user_idx ON chat.notifications (user_id, updated_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chat.notifications');
    await runner.query('DROP TABLE chat.messages');
    await runner.query('DROP TABLE chat.room_members');
    await runner.query('DROP TABLE chat.rooms');
  }
}
