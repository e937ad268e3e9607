import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Credentials, refresh-token families and the outbox, in the service's own `auth` schema. */
export class CreateAuthTables1732200000000 implements MigrationInterface {
  name = 'CreateAuthTables1732200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS auth`);
    await runner.query(`
      CREATE TABLE auth.credentials (
        id uuid PRIMARY KEY,
        email varchar(254) NOT NULL,
        email_lower varchar(254) NOT NULL,
        username varchar(32) NOT NULL,
        username_lower varchar(32) NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT ARRAY['user']::text[],
        email_verified boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credentials_email_lower_key UNIQUE (email_lower),
        CONSTRAINT credentials_username_lower_key UNIQUE (username_lower),
        CONSTRAINT credentials_roles_check CHECK (roles <@ ARRAY['user', 'admin']::text[])
      )`);
    await runner.query(`
      CREATE TABLE auth.refresh_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES auth.credentials (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        replaced_by_id uuid,
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    // Revoking a family (reuse, logout) and every session of a user (password reset).
    await runner.query(`CREATE INDEX refresh_tokens_family_id_idx ON auth.refresh_tokens (family_id)`);
    await runner.query(`CREATE INDEX refresh_tokens_user_id_idx ON auth.refresh_tokens (user_id)`);
    // Purging expired rows.
    await runner.query(`CREATE INDEX refresh_tokens_expires_at_idx ON auth.refresh_tokens (expires_at)`);
    await runner.query(`
      CREATE TABLE auth.outbox (
        id uuid PRIMARY KEY,
        kind varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The relay only ever scans pending rows that are due.
    await runner.query(
      `CREATE INDEX outbox_pending_idx ON auth.outbox (next_attempt_at) WHERE delivered_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS auth.outbox`);
    await runner.query(`DROP TABLE IF EXISTS auth.refresh_tokens`);
    await runner.query(`DROP TABLE IF EXISTS auth.credentials`);
  }
}
