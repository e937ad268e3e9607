import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether mentions received while offline are mailed as a digest (on unless turned off).
 * A constant default: no table rewrite.
 */
export class MentionDigestPreference1797000000000 implements MigrationInterface {
  name = 'MentionDigestPreference1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users.profiles ADD COLUMN mention_digest boolean NOT NULL DEFAULT true');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users.profiles DROP COLUMN mention_digest');
  }
}
