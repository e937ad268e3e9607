import type pg from 'pg';

/** The size of the search benchmark's data set. */
export interface SearchDatasetShape {
  rooms: number;
  messages: number;
  /** Rooms the searching user is a member of. */
  userRooms: number;
}

/**
 * Words planted in message bodies at fixed shares, so the benchmark searches words of known
 * frequency: one in ten messages, one in a hundred, one in a thousand, ten messages in all,
 * none. The rest of each body is 6–10 words of a 20,000-word vocabulary drawn with a skewed
 * (Zipf-like) distribution, so the most common filler words are in a good share of messages
 * (49,999 such texts, reused).
 */
export const PLANTED_WORDS = { common: 'parley', medium: 'harbor', rare: 'zephyr', unique: 'quixotic', absent: 'nonexistent' } as const;

/** A version-4-shaped uuid derived from a text (the API's schemas check the version digits). */
const uuidOf = (text: string) => `overlay(overlay(md5(${text}) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Distinct filler texts, reused by the messages. Prime, so the messages of one room (every
 * `rooms`-th id) get different texts rather than a few repeated ones.
 */
const FILLER_TEXTS = 49_999;

/** The searching user and its rooms: every `rooms / userRooms`-th room. */
export const BENCH_USER_ID = '00000000-0000-4000-8000-000000000001';

/**
 * Fills an empty, migrated chat schema in a few statements (generate_series, no round trip per
 * row): rooms, memberships (the bench user in `userRooms` rooms, two other members in each room),
 * and messages spread evenly over the rooms, numbered by room sequence, over the past year.
 * The message search index is dropped during the load and built again after it (one index
 * build is much faster than a million index insertions); returns its definition.
 */
export async function loadSearchDataset(client: pg.Client, shape: SearchDatasetShape, status: (text: string) => void): Promise<{ seconds: Record<string, number> }> {
  const seconds: Record<string, number> = {};
  const timed = async (phase: string, sql: string, values: unknown[] = []) => {
    const started = performance.now();
    await client.query(sql, values);
    seconds[phase] = (seconds[phase] ?? 0) + (performance.now() - started) / 1000;
  };
  const stride = Math.floor(shape.rooms / shape.userRooms);
  const indexes = (await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'chat' AND indexname LIKE 'messages_search_%'`)).rows as Array<{ indexname: string; indexdef: string }>;
  for (const index of indexes) await client.query(`DROP INDEX chat.${index.indexname}`);

  status(`loading ${shape.rooms} rooms and their members`);
  await timed(
    'rooms',
    `INSERT INTO chat.rooms (id, kind, name, name_lower, visibility, created_by, member_count, created_at)
     SELECT ${uuidOf("'room' || i")}, 'group', 'room ' || i, 'room ' || i, 'private', ${uuidOf("'user' || i")}, 3, now() - interval '366 days'
       FROM generate_series(1, $1) AS i`,
    [shape.rooms],
  );
  await timed(
    'rooms',
    `INSERT INTO chat.room_members (room_id, user_id, role)
     SELECT ${uuidOf("'room' || i")}, ${uuidOf("'user' || i")}, 'owner' FROM generate_series(1, $1) AS i
     UNION ALL
     SELECT ${uuidOf("'room' || i")}, ${uuidOf("'user' || ((i % 5000) + 100000)")}, 'member' FROM generate_series(1, $1) AS i
     UNION ALL
     SELECT ${uuidOf("'room' || i")}, $2::uuid, 'member' FROM generate_series(1, $1) AS i WHERE i % $3 = 0`,
    [shape.rooms, BENCH_USER_ID, stride],
  );

  status('making the filler texts');
  // Filler bodies are drawn once and reused (a per-message draw costs minutes at a million).
  await timed(
    'messages',
    `CREATE TEMP TABLE bench_filler AS
     WITH vocabulary AS MATERIALIZED (
       SELECT array_agg('w' || translate(substr(md5(i::text), 1, 6), '0123456789', 'ghijklmnop') ORDER BY i) AS words FROM generate_series(1, 20000) AS i
     )
     SELECT k, (SELECT string_agg(v.words[1 + floor(20000 * power(random(), 3))::int + 0 * j], ' ') FROM generate_series(1, 6 + k % 5) AS j) AS body
       FROM generate_series(0, ${FILLER_TEXTS - 1}) AS k, vocabulary AS v`,
  );
  await timed('messages', 'CREATE UNIQUE INDEX ON bench_filler (k)');

  status(`loading ${shape.messages} messages`);
  const batch = 250_000;
  for (let from = 1; from <= shape.messages; from += batch) {
    const to = Math.min(shape.messages, from + batch - 1);
    await timed(
      'messages',
      `INSERT INTO chat.messages (id, room_id, seq, sender_id, client_msg_id, body, created_at, persisted_at)
       -- Snowflake-like ids (time-ordered, as chat-socket makes them): they land in the partitions of their time.
       SELECT ((floor(extract(epoch FROM t.at) * 1000)::bigint - ${Date.UTC(2024, 0, 1)}) << 22) | (g % 4194304), ${uuidOf("'room' || ((g - 1) % $3 + 1)")}, (g - 1) / $3 + 1, ${uuidOf("'user' || ((g - 1) % $3 + 1)")}, ${uuidOf("'client' || g")},
              f.body
                || CASE WHEN random() < 0.1 THEN ' ${PLANTED_WORDS.common}' ELSE '' END
                || CASE WHEN random() < 0.01 THEN ' ${PLANTED_WORDS.medium}' ELSE '' END
                || CASE WHEN random() < 0.001 THEN ' ${PLANTED_WORDS.rare}' ELSE '' END
                || CASE WHEN g % ($4::bigint / 10) = 7 THEN ' ${PLANTED_WORDS.unique}' ELSE '' END,
              t.at,
              t.at
         FROM generate_series($1::bigint, $2::bigint) AS g
         CROSS JOIN LATERAL (SELECT now() - interval '365 days' + (g * interval '365 days' / $4::bigint) AS at) AS t
         JOIN bench_filler AS f ON f.k = (g * 7919) % ${FILLER_TEXTS}`,
      [from, to, shape.rooms, shape.messages],
    );
    status(`  ${to} messages`);
  }
  await client.query('DROP TABLE bench_filler');

  status('building the search index and analyzing');
  // A partitioned table's definition says ON ONLY (the parent alone); built again it goes on every partition.
  for (const index of indexes) await timed('index', index.indexdef.replace(' ON ONLY ', ' ON '));
  await timed('analyze', 'ANALYZE chat.messages; ANALYZE chat.room_members; ANALYZE chat.rooms');
  return { seconds };
}

/** The most frequent filler word (the vocabulary's first), found after the load. */
export async function mostCommonFiller(client: pg.Client): Promise<string> {
  const { rows } = await client.query(`SELECT 'w' || translate(substr(md5('1'), 1, 6), '0123456789', 'ghijklmnop') AS word`);
  return (rows[0] as { word: string }).word;
}
