import type { DataSource } from '@parley/db';

/**
 * PostgreSQL text-search configurations a deployment may search with (SEARCH_LANGUAGE): the
 * ones PostgreSQL ships. The name is written into SQL as a literal (an expression index is only
 * used when the query repeats its expression exactly, which a bound parameter does not), so it
 * must come from this list.
 */
export const SEARCH_LANGUAGES = [
  'simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch', 'english', 'finnish', 'french', 'german', 'greek', 'hindi',
  'hungarian', 'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese', 'romanian', 'russian', 'serbian',
  'spanish', 'swedish', 'tamil', 'turkish', 'yiddish',
] as const;
export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

function checked(language: SearchLanguage): SearchLanguage {
  if (!(SEARCH_LANGUAGES as readonly string[]).includes(language)) throw new Error(`unknown text-search configuration: ${String(language)}`);
  return language;
}

/** The indexed expression; a search query must use exactly this text to be answered by the index. */
export function searchVectorSql(language: SearchLanguage, column = 'body'): string {
  return `to_tsvector('${checked(language)}'::regconfig, ${column})`;
}

/** One GIN index per configuration, so switching SEARCH_LANGUAGE never leaves a stale index in use. */
export function searchIndexName(language: SearchLanguage): string {
  return `messages_search_${checked(language)}_idx`;
}

/**
 * Creates the search index of a configuration unless it exists (the `simple` one comes with the
 * migrations). Not partial: the planner keeps statistics of an index expression (how common each
 * word is) only for an index over the whole table, and without them it takes every word for a
 * rare one. Deleted messages have an empty body (no entries); events are filtered by `kind`.
 */
export function createSearchIndexSql(language: SearchLanguage): string {
  return `CREATE INDEX IF NOT EXISTS ${searchIndexName(language)} ON chat.messages USING gin (${searchVectorSql(language)})`;
}

/**
 * Creates the search index of a configuration when it is missing; true when it did. Refuses a
 * configuration this PostgreSQL does not have. For `migrate`, never a serving pod: on a large
 * table the build takes a while and holds off writes to `chat.messages` meanwhile.
 */
export async function ensureSearchIndex(dataSource: DataSource, language: SearchLanguage): Promise<boolean> {
  const [config] = (await dataSource.query('SELECT 1 FROM pg_ts_config WHERE cfgname = $1', [checked(language)])) as unknown[];
  if (!config) throw new Error(`PostgreSQL has no text-search configuration ${language}`);
  const [existing] = (await dataSource.query(`SELECT 1 FROM pg_indexes WHERE schemaname = 'chat' AND indexname = $1`, [searchIndexName(language)])) as unknown[];
  if (existing) return false;
  await dataSource.query(createSearchIndexSql(language));
  return true;
}
