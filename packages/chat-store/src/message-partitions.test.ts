import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { createDataSource, runMigrations, type DataSource } from '@parley/db';
import { createLogger } from '@parley/logger';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import { CHAT_MIGRATIONS, CHAT_SCHEMA, createChatDataSource } from './chat-data-source.js';
import { CHAT_ENTITIES } from './chat-entities.js';
import { PartitionedMessages1797000000000 } from './migrations/1797000000000-partitioned-messages.js';
import { fetchMessagePage, type HistoryStatement } from './message-history.js';
import {
  dropExpiredMessagePartitions,
  ensureMessagePartitions,
  idsWrittenAfter,
  listMessagePartitions,
  messageIdAt,
  PARTITION_MS,
  partitionName,
  partitionStart,
} from './message-partitions.js';
import { explainMessageSearch, searchMessages } from './message-search.js';
import { storeMessageBatch } from './message-store.js';
import { FOLD_REPLIES_SQL } from './thread-store.js';
import { EVENTS_TARGETING_SQL } from './timeline-store.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const WEEK = PARTITION_MS;
const now = Date.now();
/** A moment in next week's partition, two days in (history and search tests read as of then). */
const T = partitionStart(now) + PARTITION_MS + 2 * 86_400_000;
let database: TestDatabase;
let dataSource: DataSource;
const user = randomUUID();
const roomId = randomUUID();
let sequence = 0;

/** A message with a snowflake-shaped id of `at` (unique by a counter in the low bits). */
const message = (at: number, overrides: Partial<Message> = {}): Message => {
  sequence += 1;
  return {
    id: String(messageIdAt(at) + BigInt(sequence)),
    seq: sequence,
    roomId,
    senderId: user,
    clientMsgId: randomUUID(),
    body: `message ${sequence}`,
    createdAt: new Date(at).toISOString(),
    ...overrides,
  };
};

const partitionOf = async (id: string) =>
  ((await dataSource.query('SELECT tableoid::regclass::text AS name FROM chat.messages WHERE id = $1', [id])) as Array<{ name: string }>)[0]?.name;

/** Every table a statement's plan reads (EXPLAIN without ANALYZE: what planning left in). */
async function scannedTables(statement: HistoryStatement | { sql: string; parameters: unknown[] }): Promise<string[]> {
  const [row] = (await dataSource.query(`EXPLAIN (FORMAT JSON) ${statement.sql}`, statement.parameters)) as Array<{ 'QUERY PLAN': unknown }>;
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Relation Name' && typeof value === 'string') found.add(value);
      else walk(value);
    }
  };
  walk(row?.['QUERY PLAN']);
  return [...found];
}

// The rows written before the conversion.
const old = message(now - 30 * WEEK);
const recent = message(now - 2 * WEEK);

beforeAll(async () => {
  database = await createTestDatabase('partitions');
  // The schema as it was before partitioning, with rows in it.
  const before = createDataSource({ url: database.url, schema: CHAT_SCHEMA, entities: CHAT_ENTITIES, migrations: CHAT_MIGRATIONS.slice(0, CHAT_MIGRATIONS.indexOf(PartitionedMessages1797000000000)), applicationName: 'test' });
  await before.initialize();
  await runMigrations(before, logger);
  await before.query(`INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, created_at) VALUES ($1, 'group', 'r', 'private', $2, 1, $3)`, [
    roomId,
    user,
    new Date(now - 40 * WEEK),
  ]);
  await before.query(`INSERT INTO chat.room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')`, [roomId, user]);
  await storeMessageBatch(before, [old, recent]);
  await before.query(`INSERT INTO chat.message_reactions (message_id, emoji, user_id, seq, active, created_at) VALUES ($1, '👍', $2, 99, true, now())`, [old.id, user]);
  await before.destroy();

  dataSource = createChatDataSource({ url: database.url, applicationName: 'test' });
  await dataSource.initialize();
  await runMigrations(dataSource, logger);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('partitioned messages', () => {
  it('converts the table with its rows: the old table becomes the partition of everything before the current week (or the week after its newest row)', async () => {
    const [table] = (await dataSource.query(`SELECT relkind FROM pg_class WHERE oid = 'chat.messages'::regclass`)) as Array<{ relkind: string }>;
    expect(table?.relkind).toBe('p');
    const boundary = partitionStart(now);
    const names = (await listMessagePartitions(dataSource)).map((partition) => partition.name);
    expect(names[0]).toBe(`messages_before_${partitionName(boundary).slice('messages_p'.length)}`);
    expect(names.slice(1)).toEqual([0, 1, 2, 3, 4].map((weeks) => partitionName(partitionStart(now) + weeks * WEEK)));
    expect(await partitionOf(old.id)).toBe(`chat.${names[0]}`);
    expect(await partitionOf(recent.id)).toBe(`chat.${names[0]}`);
    const page = await fetchMessagePage(dataSource, roomId, { limit: 10 });
    expect(page.messages.map((item) => item.id)).toEqual([old.id, recent.id]);
    expect(page.messages[0]?.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [user] }]);
  });

  it('stores new messages in their week’s partition and still refuses a second message with the same room sequence number', async () => {
    const next = message(partitionStart(now) + WEEK + 1_000);
    expect((await storeMessageBatch(dataSource, [next])).insertedIds).toEqual([next.id]);
    expect(await partitionOf(next.id)).toBe(`chat.${partitionName(partitionStart(now) + WEEK)}`);
    const clash = message(partitionStart(now) + WEEK + 2_000, { seq: next.seq });
    const retried = message(partitionStart(now) + WEEK + 3_000, { clientMsgId: next.clientMsgId });
    expect(await storeMessageBatch(dataSource, [clash, retried])).toMatchObject({ insertedIds: [], conflictingIds: [clash.id] });
  });

  it('creates the partitions ahead that are missing, once however often it runs', async () => {
    const later = now + 6 * WEEK;
    const created = await ensureMessagePartitions(dataSource, { now: later, weeksAhead: 1 });
    expect(created).toEqual([5, 6, 7].map((weeks) => partitionName(partitionStart(now) + weeks * WEEK)));
    expect(await Promise.all([ensureMessagePartitions(dataSource, { now: later, weeksAhead: 1 }), ensureMessagePartitions(dataSource, { now: later, weeksAhead: 1 })])).toEqual([[], []]);
    // A partition made later has the per-partition uniqueness too.
    const one = message(partitionStart(later) + 5_000);
    const clash = message(partitionStart(later) + 6_000, { seq: one.seq });
    expect(await storeMessageBatch(dataSource, [one, clash])).toMatchObject({ insertedIds: [one.id], conflictingIds: [clash.id] });
  });

  it('reads a recent page of history from the newest partitions only', async () => {
    const room = randomUUID();
    const oldOnes = [message(now - 30 * WEEK, { roomId: room, seq: 1 }), message(now - 30 * WEEK + 1, { roomId: room, seq: 2 })];
    const newOnes = [3, 4, 5].map((seq) => message(T - 60_000 + seq, { roomId: room, seq }));
    await storeMessageBatch(dataSource, [...oldOnes, ...newOnes]);
    const oldPartition = (await partitionOf(oldOnes[0]!.id))!.replace('chat.', '');
    const currentPartition = (await partitionOf(newOnes[0]!.id))!.replace('chat.', '');

    for (const page of [{ limit: 2 }, { limit: 1, beforeSeq: 5 }, { limit: 2, afterSeq: 2 }, { limit: 1, before: newOnes[2]!.id }, { limit: 2, after: newOnes[0]!.id }]) {
      const statements: HistoryStatement[] = [];
      const result = await fetchMessagePage(dataSource, room, page, { now: T, observe: (statement) => statements.push(statement) });
      expect(result.messages.length).toBeGreaterThan(0);
      const scanned = (await Promise.all(statements.map(scannedTables))).flat();
      expect(scanned, JSON.stringify(page)).toContain(currentPartition);
      expect(scanned, JSON.stringify(page)).not.toContain(oldPartition);
    }
    expect((await fetchMessagePage(dataSource, room, { limit: 2 }, { now: T })).messages.map((item) => item.seq)).toEqual([4, 5]);
    expect(await fetchMessagePage(dataSource, room, { limit: 2, afterSeq: 2 }, { now: T })).toMatchObject({ hasMore: true });
  });

  it('reaches older partitions when the page is there, in sequence order across the boundary', async () => {
    const room = randomUUID();
    const oldOnes = [message(now - 30 * WEEK, { roomId: room, seq: 1 }), message(now - 30 * WEEK + 1, { roomId: room, seq: 2 })];
    // Two pods whose clocks differ: the later number has the earlier id.
    const newOnes = [message(T - 60_000 + 2, { roomId: room, seq: 3 }), message(T - 60_000 + 1, { roomId: room, seq: 4 })];
    await storeMessageBatch(dataSource, [...oldOnes, ...newOnes]);
    const seqs = async (page: Parameters<typeof fetchMessagePage>[2]) => (await fetchMessagePage(dataSource, room, page, { now: T })).messages.map((item) => item.seq);
    expect(await seqs({ limit: 3 })).toEqual([2, 3, 4]);
    expect(await seqs({ limit: 3, beforeSeq: 4 })).toEqual([1, 2, 3]);
    expect(await seqs({ limit: 10, afterSeq: 1 })).toEqual([2, 3, 4]);
    expect(await seqs({ limit: 2, before: newOnes[1]!.id })).toEqual([1, 2]);
  });

  it('searches only the partitions since the oldest room searched', async () => {
    const searcher = randomUUID();
    const fresh = randomUUID();
    // Created in next week's partition, so the search's lower bound (a day before) is in it too.
    await dataSource.query(`INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, created_at) VALUES ($1, 'group', 'f', 'private', $2, 1, $3)`, [
      fresh,
      searcher,
      new Date(T),
    ]);
    await dataSource.query(`INSERT INTO chat.room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')`, [fresh, searcher]);
    const hit = message(T + 30_000, { roomId: fresh, senderId: searcher, body: 'partitioned aardvark' });
    await storeMessageBatch(dataSource, [hit]);
    const request = { userId: searcher, query: 'aardvark', limit: 10 };
    expect((await searchMessages(dataSource, 'simple', request)).map((row) => row.id)).toEqual([hit.id]);
    const plan = (await explainMessageSearch(dataSource, 'simple', request)).join('\n');
    expect(plan).toContain(partitionName(partitionStart(T)));
    for (const earlier of (await listMessagePartitions(dataSource)).filter((partition) => partition.to <= messageIdAt(partitionStart(T)))) {
      expect(plan).not.toContain(`${earlier.name} `);
    }
  });

  it('folds each stored batch’s edits and replies reading only the partitions from the batch’s week on', async () => {
    const batch = [message(T), message(T + 1)].map((item) => item.id);
    const parameters = [batch, idsWrittenAfter(batch)];
    const olderWeeks = (await listMessagePartitions(dataSource)).filter((partition) => partition.to <= messageIdAt(partitionStart(T))).map((partition) => partition.name);
    expect(olderWeeks.length).toBeGreaterThan(1);
    for (const sql of [EVENTS_TARGETING_SQL, FOLD_REPLIES_SQL]) {
      const scanned = await scannedTables({ sql, parameters });
      expect(scanned).toContain(partitionName(partitionStart(T)));
      for (const name of olderWeeks) expect(scanned).not.toContain(name);
    }
  });

  it('bounds what was written after a set of messages an hour below the oldest of them, for clocks that differ', () => {
    const ids = [messageIdAt(T + 5_000), messageIdAt(T), messageIdAt(T + 9_000)].map(String);
    expect(idsWrittenAfter(ids)).toBe(String(messageIdAt(T - 3_600_000)));
    expect(idsWrittenAfter([String(messageIdAt(0))])).toBe('0');
  });

  it('drops whole partitions past the retention, with the reactions of their messages, and keeps the rest', async () => {
    const partitions = await listMessagePartitions(dataSource);
    // Eight weeks from now with a four-week retention: the old table's and the next three weeks' go.
    const dropped = await dropExpiredMessagePartitions(dataSource, { retentionDays: 28, now: now + 8 * WEEK });
    const cutoff = messageIdAt(now + 8 * WEEK - 28 * 86_400_000);
    expect(dropped).toEqual(partitions.filter((partition) => partition.to <= cutoff).map((partition) => partition.name));
    expect(dropped).toContain(partitions[0]!.name);
    expect(await partitionOf(old.id)).toBeUndefined();
    expect(await dataSource.query('SELECT 1 FROM chat.message_reactions WHERE message_id = $1', [old.id])).toEqual([]);
    const left = await listMessagePartitions(dataSource);
    expect(left.map((partition) => partition.name)).toEqual(partitions.filter((partition) => partition.to > cutoff).map((partition) => partition.name));
    expect(await dropExpiredMessagePartitions(dataSource, { retentionDays: 28, now: now + 8 * WEEK })).toEqual([]);
  });

  it('goes back to one table with every row and its uniqueness when the migration is undone, and partitions again', async () => {
    const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM chat.messages')) as [{ count: number }];
    // Undo the migrations that came after the partitioning too, latest first.
    const after = CHAT_MIGRATIONS.length - CHAT_MIGRATIONS.indexOf(PartitionedMessages1797000000000);
    for (let undone = 0; undone < after; undone += 1) await dataSource.undoLastMigration({ transaction: 'each' });
    const [table] = (await dataSource.query(`SELECT relkind FROM pg_class WHERE oid = 'chat.messages'::regclass`)) as Array<{ relkind: string }>;
    expect(table?.relkind).toBe('r');
    expect(await dataSource.query('SELECT count(*)::int AS count FROM chat.messages')).toEqual([{ count }]);
    const constraints = (await dataSource.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'chat.messages'::regclass AND contype IN ('p', 'u') ORDER BY conname`)) as Array<{ conname: string }>;
    expect(constraints.map((row) => row.conname)).toEqual(['messages_pkey', 'messages_room_seq_uq', 'messages_sender_client_msg_uq']);
    await runMigrations(dataSource, logger);
    expect(await dataSource.query('SELECT count(*)::int AS count FROM chat.messages')).toEqual([{ count }]);
    const [again] = (await dataSource.query(`SELECT relkind FROM pg_class WHERE oid = 'chat.messages'::regclass`)) as Array<{ relkind: string }>;
    expect(again?.relkind).toBe('p');
  });
});
