import type { DataSource } from '@parley/db';
import { messageIdAt } from './message-partitions.js';
import { searchVectorSql, type SearchLanguage } from './message-search-sql.js';

/**
 * Marks ts_headline puts around matches. Control characters: message bodies cannot contain them
 * (docs/decisions/0004-text-input-rules.md), so they never collide with text and the snippet can
 * go to clients as plain text plus ranges instead of markup.
 */
export const MATCH_START = '\u0001';
export const MATCH_STOP = '\u0002';
/**
 * ts_headline drops whatever its parser reads as an HTML tag (`<b>`, `<script …>`); `<` goes in as
 * this mark (a word separator to the parser, like `<`) and comes back out as `<`, so a snippet is
 * the message's own text.
 */
export const LESS_THAN = '\u0003';

/** `ts_headline` options: up to three fragments of a dozen or so words around the matches. */
const HEADLINE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_STOP}, MaxWords=30, MinWords=10, ShortWord=2, MaxFragments=3, FragmentDelimiter=" … "`;

/** Where the previous page ended: its last hit's rank (PostgreSQL's exact text of a `real`) and id. */
export interface SearchPosition {
  rank: string;
  id: string;
}

export interface MessageSearchRequest {
  userId: string;
  /** What the user typed (web-search syntax). */
  query: string;
  /** Within this room only; still only if the user is a member. */
  roomId?: string;
  after?: SearchPosition;
  limit: number;
}

export interface MessageSearchRow {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  /** With `senderId`, what names the message's files (attachments are claimed by it). */
  clientMsgId: string;
  createdAt: Date;
  editedAt: Date | null;
  rank: string;
  /** The matched excerpt, matches between MATCH_START and MATCH_STOP, `<` as LESS_THAN. */
  headline: string;
}

interface Row {
  id: string;
  room_id: string;
  seq: string;
  sender_id: string;
  client_msg_id: string;
  created_at: Date;
  edited_at: Date | null;
  rank: string;
  headline: string;
}

/**
 * The search statement (docs/decisions/0032-message-search.md). Candidates are the live messages
 * (`kind = 'message'`, not deleted) of the rooms the user is a member of at this moment, matched
 * through the GIN expression index: the `WHERE` repeats the index's expression literally, so the
 * planner can use it. Best `ts_rank` first, then newest (ids are time-ordered);
 * headlines are made in the outer query, for the page only.
 *
 * The user's text goes through `websearch_to_tsquery`, which accepts any input: tsquery operators
 * (`&|!():*`) are plain separators there, quotes make phrases, `or` and `-word` work as on web
 * search engines; input without a word is an empty query that matches nothing.
 */
function searchSql(language: SearchLanguage): string {
  const vector = searchVectorSql(language, 'm.body');
  return `
    WITH q AS (SELECT websearch_to_tsquery('${language}'::regconfig, $1) AS query),
    page AS (
      SELECT m.id, m.room_id, m.seq, m.sender_id, m.client_msg_id, m.created_at, m.edited_at, m.body, ts_rank(${vector}, q.query) AS rank
        FROM chat.messages AS m CROSS JOIN q
       WHERE m.room_id IN (SELECT rm.room_id FROM chat.room_members AS rm WHERE rm.user_id = $2 AND ($3::uuid IS NULL OR rm.room_id = $3))
         AND m.kind = 'message' AND m.deleted_at IS NULL
         AND ${vector} @@ q.query
         AND numnode(q.query) > 0
         AND m.id >= $9::bigint
         AND ($4::real IS NULL OR ts_rank(${vector}, q.query) < $4::real
              OR (ts_rank(${vector}, q.query) = $4::real AND m.id < $5::bigint))
       ORDER BY rank DESC, m.id DESC
       LIMIT $6
    )
    SELECT page.id::text AS id, page.room_id, page.seq::text AS seq, page.sender_id, page.client_msg_id, page.created_at, page.edited_at,
           page.rank::text AS rank, ts_headline('${language}'::regconfig, replace(page.body, '<', $8), q.query, $7) AS headline
      FROM page CROSS JOIN q
     ORDER BY page.rank DESC, page.id DESC`;
}

const parameters = (request: MessageSearchRequest, floor: string | null) => [
  request.query,
  request.userId,
  request.roomId ?? null,
  request.after?.rank ?? null,
  request.after?.id ?? null,
  request.limit,
  HEADLINE_OPTIONS,
  LESS_THAN,
  floor,
];

/** Clocks of pods and of PostgreSQL may differ: a message's id may be a little older than its room. */
const ROOM_CLOCK_MARGIN_MS = 86_400_000;

/**
 * The lowest id a message the search may find can have: none is older than the oldest room
 * searched (minus a margin). Passed as a value, so PostgreSQL leaves out the partitions before
 * it when planning (chat.messages is partitioned by id). Null: the user is in no room searched.
 */
export async function searchFloor(dataSource: DataSource, request: Pick<MessageSearchRequest, 'userId' | 'roomId'>): Promise<string | null> {
  const [row] = (await dataSource.query(
    `SELECT min(r.created_at) AS since FROM chat.room_members AS rm JOIN chat.rooms AS r ON r.id = rm.room_id
      WHERE rm.user_id = $1 AND ($2::uuid IS NULL OR rm.room_id = $2)`,
    [request.userId, request.roomId ?? null],
  )) as Array<{ since: Date | null }>;
  return row?.since ? String(messageIdAt(row.since.getTime() - ROOM_CLOCK_MARGIN_MS)) : null;
}

/**
 * How a search reads its candidates. `index`: the GIN index gives every live message with the
 * words in the whole table, then membership filters them; cheap for rare words. `rooms`: the
 * user's rooms are read by `(room_id, id)` and their messages matched one by one; cheap when the
 * words are in far more messages of the table than the user can see (bitmap scans, and with them
 * the GIN index, are off for that statement).
 */
export type SearchStrategy = 'index' | 'rooms';

/** What reading one row of the user's rooms costs, in index hits (see chooseSearchStrategy). */
const ROOM_ROW_COST = 10;

/**
 * Picks the strategy from two estimates: the planner's count of live messages with the words
 * (the index statistics, no scan) and the number of rows in the user's rooms (their highest
 * sequence numbers, one index probe per room). A row read through the rooms costs about ten
 * index hits (its tsvector is computed from the text; measured by `npm run bench:search`: ~8 µs
 * per index hit, 60–90 µs per room row), hence the factor.
 */
export async function chooseSearchStrategy(dataSource: DataSource, language: SearchLanguage, request: MessageSearchRequest): Promise<SearchStrategy> {
  const [estimate] = (await dataSource.query(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM chat.messages AS m
      WHERE ${searchVectorSql(language, 'm.body')} @@ websearch_to_tsquery('${language}'::regconfig, $1) AND m.kind = 'message' AND m.deleted_at IS NULL`,
    [request.query],
  )) as Array<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>;
  const matches = estimate?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0;
  const [visible] = (await dataSource.query(
    `SELECT COALESCE(sum((SELECT max(m.seq) FROM chat.messages AS m WHERE m.room_id = rm.room_id)), 0)::text AS n
       FROM chat.room_members AS rm WHERE rm.user_id = $1 AND ($2::uuid IS NULL OR rm.room_id = $2)`,
    [request.userId, request.roomId ?? null],
  )) as Array<{ n: string }>;
  return Number(visible?.n ?? 0) * ROOM_ROW_COST < matches ? 'rooms' : 'index';
}

/** Up to `limit` hits after `after` (the first page without it). */
export async function searchMessages(
  dataSource: DataSource,
  language: SearchLanguage,
  request: MessageSearchRequest,
  strategy: SearchStrategy = 'index',
): Promise<MessageSearchRow[]> {
  const values = parameters(request, await searchFloor(dataSource, request));
  const rows = (
    strategy === 'index'
      ? await dataSource.query(searchSql(language), values)
      : await dataSource.transaction(async (manager) => {
          await manager.query('SET LOCAL enable_bitmapscan = off');
          return manager.query(searchSql(language), values);
        })
  ) as Row[];
  return rows.map((row) => ({
    id: row.id,
    roomId: row.room_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    rank: row.rank,
    headline: row.headline,
  }));
}

/** The executed plan of a search (benchmarks, operators: which index answered it). */
export async function explainMessageSearch(
  dataSource: DataSource,
  language: SearchLanguage,
  request: MessageSearchRequest,
  strategy: SearchStrategy = 'index',
): Promise<string[]> {
  const explain = `EXPLAIN (ANALYZE, BUFFERS) ${searchSql(language)}`;
  const values = parameters(request, await searchFloor(dataSource, request));
  const rows = (
    strategy === 'index'
      ? await dataSource.query(explain, values)
      : await dataSource.transaction(async (manager) => {
          await manager.query('SET LOCAL enable_bitmapscan = off');
          return manager.query(explain, values);
        })
  ) as Array<{ 'QUERY PLAN': string }>;
  return rows.map((row) => row['QUERY PLAN']);
}

/** The room sequence number of a stored message of a room (not an event), if there is one. */
export async function storedMessageSeq(dataSource: DataSource, roomId: string, messageId: string): Promise<number | undefined> {
  const [row] = (await dataSource.query(`SELECT seq::text AS seq FROM chat.messages WHERE id = $1 AND room_id = $2 AND kind = 'message'`, [
    messageId,
    roomId,
  ])) as Array<{ seq: string }>;
  return row ? Number(row.seq) : undefined;
}
