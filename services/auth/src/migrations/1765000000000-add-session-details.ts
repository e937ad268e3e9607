import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each session began (browser and address), shown to its owner in the sessions list.
 * Carried from token to token within a family; nullable, as older sessions never recorded it.
 */
export class AddSessionDetails1765000000000 implements MigrationInterface {
  name = 'AddSessionDetails1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE auth.refresh_tokens ADD COLUMN user_agent varchar(256), ADD COLUMN ip varchar(64)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE auth.refresh_tokens DROP COLUMN IF EXISTS user_agent, DROP COLUMN IF EXISTS ip`);
  }
}
