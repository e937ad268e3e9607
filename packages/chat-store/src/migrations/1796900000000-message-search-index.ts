import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over messages (docs/decisions/0032-message-search.md): a GIN index on the
 * expression `to_tsvector('simple', body)`. An expression index, not a stored generated column:
 * no table rewrite, nothing for the worker to write, and the index follows the body as the
 * worker folds edits (`body` updated) and deletions (`body` emptied). Not partial, so the planner
 * has statistics of how common each word is (it keeps none for a partial index's expression).
 * A plain index on the table (not CONCURRENTLY) also works on a partitioned `chat.messages`,
 * where it is created on every partition. The statement is written out here, not taken from
 * message-search-sql.ts, so this migration stays what it was.
 *
 * `simple` (lower-cased words, no stemming, no stop words) works for every language; another
 * configuration (SEARCH_LANGUAGE) gets its own index from chat-socket's migrate command.
 */
export class MessageSearchIndex1796900000000 implements MigrationInterface {
  name = 'MessageSearchIndex1796900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX IF NOT EXISTS messages_search_simple_idx ON chat.messages USING gin (to_tsvector('simple'::regconfig, body))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX IF EXISTS chat.messages_search_simple_idx');
  }
}
