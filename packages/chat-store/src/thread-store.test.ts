import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@parley/contracts';
import { runMigrations, type DataSource } from '@parley/db';
import { createLogger } from '@parley/logger';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import { createChatDataSource } from './chat-data-source.js';
import { fetchMessagePage } from './message-history.js';
import { storeMessageBatch } from './message-store.js';
import { foldTimelineEvents } from './timeline-store.js';
import { fetchReplyPage, foldReplies } from './thread-store.js';

/** Replies folded into their parents (docs/decisions/0034-replies-and-mentions.md), against a real PostgreSQL. */
let database: TestDatabase;
let dataSource: DataSource;
const sender = randomUUID();
let nextId = 0;

const roomOf = async (): Promise<string> => {
  const roomId = randomUUID();
  await dataSource.query(
    `INSERT INTO chat.rooms (id, kind, name, visibility, created_by, member_count, last_activity_at) VALUES ($1, 'group', 'r', 'private', $2, 1, '2000-01-01')`,
    [roomId, sender],
  );
  return roomId;
};

const message = (roomId: string, seq: number, overrides: Partial<Message> = {}): Message => {
  nextId += 1;
  return {
    id: String(2_000_000_000_000 + nextId),
    seq,
    roomId,
    senderId: sender,
    clientMsgId: randomUUID(),
    body: `message ${seq}`,
    createdAt: new Date(1_700_000_000_000 + seq * 1_000).toISOString(),
    ...overrides,
  };
};

const parentState = async (id: string) =>
  ((await dataSource.query('SELECT reply_count, last_reply_at, state_seq::int AS state_seq FROM chat.messages WHERE id = $1', [id])) as Array<{ reply_count: number; last_reply_at: Date | null; state_seq: number }>)[0]!;

beforeAll(async () => {
  database = await createTestDatabase('chat_threads');
  dataSource = createChatDataSource({ url: database.url, applicationName: 'test' });
  await dataSource.initialize();
  await runMigrations(dataSource, createLogger({ service: 'test', level: 'silent' }));
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('reply folding', () => {
  it('counts each stored reply once however often a batch is folded, and moves the parent’s stateSeq to the newest', async () => {
    const roomId = await roomOf();
    const parent = message(roomId, 1);
    const replies = [message(roomId, 2, { replyTo: parent.id }), message(roomId, 3, { replyTo: parent.id, mentions: [sender] })];
    await storeMessageBatch(dataSource, [parent, ...replies]);
    await foldReplies(dataSource, [parent, ...replies]);
    await foldReplies(dataSource, [parent, ...replies]);
    expect(await parentState(parent.id)).toEqual({ reply_count: 2, last_reply_at: new Date(replies[1]!.createdAt), state_seq: 3 });
    const page = await fetchMessagePage(dataSource, roomId, { limit: 10 });
    expect(page.messages.map((item) => [item.id, item.replyTo, item.replyCount, item.mentions])).toEqual([
      [parent.id, undefined, 2, undefined],
      [replies[0]!.id, parent.id, undefined, undefined],
      [replies[1]!.id, parent.id, undefined, [sender]],
    ]);
    expect(page.messages[1]!.replyQuote).toEqual({ messageId: parent.id, senderId: sender, excerpt: 'message 1', deleted: false });
  });

  it('ends in the same state when a reply is stored before its parent (the parent’s job retried)', async () => {
    const roomId = await roomOf();
    const parent = message(roomId, 1);
    const reply = message(roomId, 2, { replyTo: parent.id });
    await storeMessageBatch(dataSource, [reply]);
    await foldReplies(dataSource, [reply]);
    await storeMessageBatch(dataSource, [parent]);
    await foldReplies(dataSource, [parent]);
    expect(await parentState(parent.id)).toMatchObject({ reply_count: 1, state_seq: 2 });
  });

  it('keeps a higher stateSeq from an event folded later, and quotes a deleted parent without its text', async () => {
    const roomId = await roomOf();
    const parent = message(roomId, 1, { body: 'secret' });
    const reply = message(roomId, 2, { replyTo: parent.id });
    const deletion = message(roomId, 3, { kind: 'delete', targetId: parent.id, body: '' });
    await storeMessageBatch(dataSource, [parent, reply, deletion]);
    await foldTimelineEvents(dataSource, [parent, reply, deletion]);
    await foldReplies(dataSource, [parent, reply, deletion]);
    expect(await parentState(parent.id)).toMatchObject({ reply_count: 1, state_seq: 3 });
    const thread = await fetchReplyPage(dataSource, roomId, parent.id, { limit: 10 });
    expect(thread.replies.map((item) => item.replyQuote)).toEqual([{ messageId: parent.id, senderId: sender, excerpt: '', deleted: true }]);
  });

  it('pages a thread by sequence and never lists another room’s messages', async () => {
    const roomId = await roomOf();
    const otherRoom = await roomOf();
    const parent = message(roomId, 1);
    const replies = [2, 3, 4].map((seq) => message(roomId, seq, { replyTo: parent.id }));
    // A forged row naming the parent from another room (the server never accepts one).
    const stray = message(otherRoom, 1, { replyTo: parent.id });
    await storeMessageBatch(dataSource, [parent, ...replies, stray]);
    const first = await fetchReplyPage(dataSource, roomId, parent.id, { limit: 2 });
    expect(first.replies.map((item) => item.seq)).toEqual([2, 3]);
    expect(first.hasMore).toBe(true);
    const rest = await fetchReplyPage(dataSource, roomId, parent.id, { afterSeq: 3, limit: 2 });
    expect(rest).toMatchObject({ hasMore: false });
    expect(rest.replies.map((item) => item.seq)).toEqual([4]);
    await foldReplies(dataSource, [parent, ...replies, stray]);
    expect(await parentState(parent.id)).toMatchObject({ reply_count: 3, state_seq: 4 });
    // Backwards from the latest, each page still in sequence order.
    const latest = await fetchReplyPage(dataSource, roomId, parent.id, { backwards: true, limit: 2 });
    expect(latest.replies.map((item) => item.seq)).toEqual([3, 4]);
    expect(latest.hasMore).toBe(true);
    const earliest = await fetchReplyPage(dataSource, roomId, parent.id, { backwards: true, beforeSeq: 3, limit: 2 });
    expect(earliest.replies.map((item) => item.seq)).toEqual([2]);
    expect(earliest.hasMore).toBe(false);
    expect((await fetchReplyPage(dataSource, roomId, parent.id, { backwards: true, beforeSeq: 999_999_999_999_999, limit: 10 })).replies).toHaveLength(3);
    // Nor is another room's message ever quoted.
    const strayPage = await fetchMessagePage(dataSource, otherRoom, { limit: 10 });
    expect(strayPage.messages[0]!.replyQuote).toBeUndefined();
  });
});
