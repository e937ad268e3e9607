import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether the profile's address is confirmed (the auth service's code), and the version of that
 * address state the auth service last sent (its outbox may deliver late or twice). Existing rows
 * start unconfirmed: the user service cannot know better, and the auth service's own migration
 * re-sends the state of every account confirmed before this one.
 * Constant defaults: no table rewrite.
 */
export class ProfileEmailVerified1797100000000 implements MigrationInterface {
  name = 'ProfileEmailVerified1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE users.profiles ADD COLUMN email_verified boolean NOT NULL DEFAULT false, ADD COLUMN email_version integer NOT NULL DEFAULT 0',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users.profiles DROP COLUMN email_verified, DROP COLUMN email_version');
  }
}
