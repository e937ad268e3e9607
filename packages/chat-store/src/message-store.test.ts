import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { queryPrepared, runMigrations, type DataSource } from '@parley/db';
import { createLogger } from '@parley/logger';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import { createChatDataSource } from './chat-data-source.js';
import { fetchMessagePage } from './message-history.js';
import { highestStoredSeq, insertMessageBatch, storeMessageBatch } from './message-store.js';

let database: TestDatabase;
let dataSource: DataSource;
const roomId = randomUUID();
const sender = randomUUID();

const message = (id: number, overrides: Partial<Message> = {}): Message => ({
  id: String(1_000_000_000_000 + id),
  // Unique per room as the accept script makes it; the tests' ids are unique too.
  seq: id,
  roomId,
  senderId: sender,
  clientMsgId: randomUUID(),
  body: `message ${id}`,
  createdAt: new Date(1_700_000_000_000 + id).toISOString(),
  ...overrides,
});

beforeAll(async () => {
  database = await createTestDatabase('chat_store');
  dataSource = createChatDataSource({ url: database.url, applicationName: 'test' });
  await dataSource.initialize();
  await runMigrations(dataSource, createLogger({ service: 'test', level: 'silent' }));
  await dataSource.query(
    `INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, last_activity_at) VALUES ($1, 'group', 'r', 'private', $2, 1, '2000-01-01')`,
    [roomId, sender],
  );
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('message store', () => {
  it('stores a batch once even when the same job runs twice, and moves the room’s last activity forward', async () => {
    const batch = [message(1), message(2), message(3)];
    expect(await insertMessageBatch(dataSource, batch)).toHaveLength(3);
    expect(await insertMessageBatch(dataSource, batch)).toHaveLength(0);
    const [room] = await dataSource.query('SELECT last_message_id, last_activity_at FROM chat.rooms WHERE id = $1', [roomId]);
    expect(room.last_message_id).toBe(batch[2]!.id);
    expect(new Date(room.last_activity_at).toISOString()).toBe(batch[2]!.createdAt);
  });

  it('prepares the batch statement once per connection instead of planning it on every job', async () => {
    await storeMessageBatch(dataSource, [message(30)]);
    await storeMessageBatch(dataSource, [message(31)]);
    // The pool hands sequential callers the connection released last: the one that ran the batches.
    const prepared = await queryPrepared<{ name: string }>(dataSource, 'test_prepared_names', 'SELECT name FROM pg_prepared_statements', []);
    expect(prepared.map((row) => row.name)).toContain('parley_store_message_batch');
    const [stored] = await dataSource.query('SELECT count(*)::int AS count FROM chat.messages WHERE id = ANY($1)', [[message(30).id, message(31).id]]);
    expect(stored.count).toBe(2);
  });

  it('lists the members of the batch’s rooms in the same reply as what it inserted', async () => {
    const member = randomUUID();
    await dataSource.query(`INSERT INTO chat.room_members (room_id, user_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'member')`, [roomId, sender, member]);
    const stored = await storeMessageBatch(dataSource, [message(20), message(21)]);
    expect(stored.insertedIds).toHaveLength(2);
    expect(stored.members).toEqual(expect.arrayContaining([{ roomId, userId: sender }, { roomId, userId: member }]));
    expect(stored.members).toHaveLength(2);
    const again = await storeMessageBatch(dataSource, [message(20)]);
    expect(again.insertedIds).toEqual([]);
    expect(again.members).toHaveLength(2);
  });

  it('skips a retry that reuses a sender’s clientMsgId under a new id', async () => {
    const original = message(10);
    await insertMessageBatch(dataSource, [original]);
    const retried = message(11, { clientMsgId: original.clientMsgId });
    const stored = await storeMessageBatch(dataSource, [retried]);
    expect(stored).toMatchObject({ insertedIds: [], conflictingIds: [] });
  });

  it('stores each message’s room sequence number and reports, instead of silently skipping, a message whose number another one holds', async () => {
    const seqRoom = randomUUID();
    const first = message(200, { roomId: seqRoom, seq: 1 });
    expect((await storeMessageBatch(dataSource, [first])).insertedIds).toEqual([first.id]);
    const clash = message(201, { roomId: seqRoom, seq: 1 });
    const next = message(202, { roomId: seqRoom, seq: 2 });
    const stored = await storeMessageBatch(dataSource, [clash, next]);
    expect(stored).toMatchObject({ insertedIds: [next.id], conflictingIds: [clash.id] });
    expect(await highestStoredSeq(dataSource, seqRoom)).toBe(2);
    expect(await highestStoredSeq(dataSource, randomUUID())).toBe(0);
  });

  it('pages history by sequence, so a message with a lower id but a higher number is not skipped', async () => {
    const seqRoom = randomUUID();
    // Accepted in this order by two pods whose clocks differ: ids and sequence disagree.
    const all = [message(300, { roomId: seqRoom, seq: 1 }), message(303, { roomId: seqRoom, seq: 2 }), message(301, { roomId: seqRoom, seq: 3 }), message(302, { roomId: seqRoom, seq: 4 })];
    await insertMessageBatch(dataSource, all);
    const after = await fetchMessagePage(dataSource, seqRoom, { limit: 2, afterSeq: 1 });
    expect(after).toEqual({ messages: [all[1], all[2]], hasMore: true });
    const newest = await fetchMessagePage(dataSource, seqRoom, { limit: 3 });
    expect(newest).toEqual({ messages: all.slice(1), hasMore: true });
    const older = await fetchMessagePage(dataSource, seqRoom, { limit: 3, beforeSeq: 2 });
    expect(older).toEqual({ messages: [all[0]], hasMore: false });
  });

  it('pages history in id order without duplicates across pages, backwards and forwards', async () => {
    const pageRoom = randomUUID();
    const all = Array.from({ length: 7 }, (_, index) => message(100 + index, { roomId: pageRoom }));
    await insertMessageBatch(dataSource, all);
    const newest = await fetchMessagePage(dataSource, pageRoom, { limit: 3 });
    expect(newest.messages.map((m) => m.id)).toEqual(all.slice(4).map((m) => m.id));
    expect(newest.hasMore).toBe(true);
    const older = await fetchMessagePage(dataSource, pageRoom, { limit: 3, before: newest.messages[0]!.id });
    expect(older.messages.map((m) => m.id)).toEqual(all.slice(1, 4).map((m) => m.id));
    const oldest = await fetchMessagePage(dataSource, pageRoom, { limit: 3, before: older.messages[0]!.id });
    expect(oldest).toEqual({ messages: [all[0]], hasMore: false });
    const forward = await fetchMessagePage(dataSource, pageRoom, { limit: 5, after: all[1]!.id });
    expect(forward.messages.map((m) => m.id)).toEqual(all.slice(2).map((m) => m.id));
    expect(forward.hasMore).toBe(false);
  });
});
