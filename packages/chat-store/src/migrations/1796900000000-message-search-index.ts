import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createSearchIndexSql, searchIndexName } from '../message-search-sql.js';

/**
 * Full-text search over messages (docs/decisions/XXXX-message-search.md): a GIN index on the
 * expression `to_tsvector('simple', body)` of live messages. An expression index, not a stored
 * generated column: no table rewrite, nothing for the worker to write, and the index follows the
 * body as the worker folds edits (`body` updated) and deletions (`deleted_at` set, out of the
 * partial index). A plain index on the table (not CONCURRENTLY) also works on a partitioned
 * `chat.messages`, where it is created on every partition.
 *
 * `simple` (lower-cased words, no stemming, no stop words) works for every language; another
 * configuration (SEARCH_LANGUAGE) gets its own index from chat-socket's migrate command.
 */
export class MessageSearchIndex1796900000000 implements MigrationInterface {
  name = 'MessageSearchIndex1796900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(createSearchIndexSql('simple'));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX IF EXISTS chat.${searchIndexName('simple')}`);
  }
}
