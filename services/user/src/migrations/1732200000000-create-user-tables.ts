import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Profiles, friend requests, friendships and blocks, in the service's own `users` schema.
 * Display-name search is a case-insensitive substring match, which only a trigram index
 * serves, so this needs the `pg_trgm` extension (a trusted extension: the database owner may
 * create it). If another service already created it, its schema is reused.
 */
export class CreateUserTables1732200000000 implements MigrationInterface {
  name = 'CreateUserTables1732200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const trigramSchema = await ensureTrigramExtension(queryRunner);

    await queryRunner.query(`
      CREATE TABLE users.profiles (
        id uuid PRIMARY KEY,
        username text NOT NULL,
        username_lower text NOT NULL,
        email text,
        email_lower text,
        display_name text,
        bio text,
        avatar_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT profiles_username_lower_key UNIQUE (username_lower),
        CONSTRAINT profiles_username_lower_check CHECK (username_lower = lower(username)),
        CONSTRAINT profiles_email_lower_check CHECK (email_lower IS NOT DISTINCT FROM lower(email))
      )`);
    // Prefix search (`username_lower LIKE 'abc%'`) whatever the database collation.
    await queryRunner.query(
      'CREATE INDEX profiles_username_prefix_idx ON users.profiles (username_lower text_pattern_ops)',
    );
    await queryRunner.query('CREATE INDEX profiles_email_lower_idx ON users.profiles (email_lower)');
    await queryRunner.query(
      `CREATE INDEX profiles_display_name_trgm_idx ON users.profiles
         USING gin (lower(display_name) "${trigramSchema}".gin_trgm_ops)`,
    );

    await queryRunner.query(`
      CREATE TABLE users.friend_requests (
        id uuid PRIMARY KEY,
        from_user_id uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        to_user_id uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now(),
        responded_at timestamptz,
        CONSTRAINT friend_requests_status_check CHECK (status IN ('pending', 'accepted', 'rejected', 'cancelled')),
        CONSTRAINT friend_requests_not_self_check CHECK (from_user_id <> to_user_id)
      )`);
    // At most one pending request per direction; a race between two senders ends in a 409.
    await queryRunner.query(
      `CREATE UNIQUE INDEX friend_requests_pending_pair_key ON users.friend_requests (from_user_id, to_user_id)
         WHERE status = 'pending'`,
    );
    await queryRunner.query(
      'CREATE INDEX friend_requests_incoming_idx ON users.friend_requests (to_user_id, status, created_at)',
    );
    await queryRunner.query(
      'CREATE INDEX friend_requests_outgoing_idx ON users.friend_requests (from_user_id, status, created_at)',
    );

    await queryRunner.query(`
      CREATE TABLE users.friendships (
        user_low uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        user_high uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT friendships_pkey PRIMARY KEY (user_low, user_high),
        CONSTRAINT friendships_ordered_pair_check CHECK (user_low < user_high)
      )`);
    // The primary key serves lookups by user_low; this one serves lookups by user_high.
    await queryRunner.query('CREATE INDEX friendships_user_high_idx ON users.friendships (user_high)');

    await queryRunner.query(`
      CREATE TABLE users.blocks (
        blocker_id uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        blocked_id uuid NOT NULL REFERENCES users.profiles (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT blocks_pkey PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT blocks_not_self_check CHECK (blocker_id <> blocked_id)
      )`);
    await queryRunner.query('CREATE INDEX blocks_blocked_idx ON users.blocks (blocked_id, blocker_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS users.blocks');
    await queryRunner.query('DROP TABLE IF EXISTS users.friendships');
    await queryRunner.query('DROP TABLE IF EXISTS users.friend_requests');
    await queryRunner.query('DROP TABLE IF EXISTS users.profiles');
  }
}

/** Creates pg_trgm in our schema unless the database already has it; returns its schema. */
async function ensureTrigramExtension(queryRunner: QueryRunner): Promise<string> {
  const existing = await trigramSchemaOf(queryRunner);
  if (existing) return existing;
  await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA users');
  const created = await trigramSchemaOf(queryRunner);
  if (!created) throw new Error('pg_trgm extension could not be created');
  return created;
}

async function trigramSchemaOf(queryRunner: QueryRunner): Promise<string | undefined> {
  const rows = (await queryRunner.query(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_trgm'`,
  )) as { schema: string }[];
  return rows[0]?.schema;
}
