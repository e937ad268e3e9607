import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts each account's address changes and confirmations, so the user service can tell a late
 * outbox message from a current one. Accounts confirmed before this migration get version 1 and
 * a `profile.email` message: profiles learn that they are confirmed (they start unconfirmed).
 */
export class EmailVersion1797100000000 implements MigrationInterface {
  name = 'EmailVersion1797100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE auth.credentials ADD COLUMN email_version integer NOT NULL DEFAULT 0`);
    await runner.query(`UPDATE auth.credentials SET email_version = 1 WHERE email_verified`);
    await runner.query(
      `INSERT INTO auth.outbox (id, kind, payload)
       SELECT gen_random_uuid(), 'profile.email',
              jsonb_build_object('userId', id, 'email', email, 'emailVerified', true, 'version', email_version)
         FROM auth.credentials WHERE email_verified`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM auth.outbox WHERE kind = 'profile.email' AND delivered_at IS NULL`);
    await runner.query(`ALTER TABLE auth.credentials DROP COLUMN IF EXISTS email_version`);
  }
}
