import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments (docs/decisions/0036-attachments.md): one row per uploaded file, its bytes in the
 * attachment store. A message carries a file once the sender's send with `clientMsgId` claimed
 * it: the message is then the one of (uploader_id, client_msg_id), so linking needs no write
 * after the message is accepted, and a retried send finds its own claim.
 */
export class Attachments1796850000000 implements MigrationInterface {
  name = 'Attachments1796850000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE chat.attachments (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL,
        uploader_id uuid NOT NULL,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('image', 'file')),
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        width integer,
        height integer,
        storage_key text NOT NULL,
        thumbnail_key text,
        client_msg_id uuid,
        claimed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX attachments_claim_idx ON chat.attachments (uploader_id, client_msg_id) WHERE client_msg_id IS NOT NULL');
    await runner.query('CREATE INDEX attachments_room_idx ON chat.attachments (room_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chat.attachments');
  }
}
