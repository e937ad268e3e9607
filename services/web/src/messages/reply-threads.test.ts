import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-message';
import { threadSummaries } from './reply-threads';

const ROOM = '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10';
const message = (id: string, seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  key: `u:${id}`,
  id,
  seq,
  clientMsgId: id,
  roomId: ROOM,
  senderId: 'u',
  body: `m${id}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  state: 'sent',
  ...extra,
});

describe('reply counts on the client', () => {
  it('counts the replies held above what the server folded into the parent', () => {
    const parent = message('1', 1, { replyCount: 2, lastReplyAt: '2026-01-01T00:00:03.000Z', stateSeq: 3 });
    const items = [parent, message('2', 2, { replyTo: '1' }), message('3', 3, { replyTo: '1' }), message('4', 4, { replyTo: '1' })];
    expect(threadSummaries(items).get('1')).toEqual({ count: 3, lastReplyAt: items[3]!.createdAt });
  });

  it('gives an online client (live replies) and one that synced after a reload (folded parent) the same answer', () => {
    const live = [message('1', 1), message('2', 2, { replyTo: '1' }), message('3', 3, { replyTo: '1' })];
    const reloaded = [message('1', 1, { replyCount: 2, lastReplyAt: live[2]!.createdAt, stateSeq: 3 }), ...live.slice(1)];
    expect(threadSummaries(reloaded).get('1')).toEqual(threadSummaries(live).get('1'));
  });

  it('ignores unsent replies, and replies whose parent is not held', () => {
    const items = [message('1', 1), { ...message('x', 0, { replyTo: '1' }), id: null, seq: null }, message('5', 5, { replyTo: '99' })];
    expect(threadSummaries(items).size).toBe(0);
  });
});

describe('reply counts saved for the next start', () => {
  it('fold the replies between the server state and the saved state into the count, so a restore counts each once', async () => {
    const { repliesFoldedUpTo } = await import('./reply-threads');
    const parent = message('1', 1, { replyCount: 1, stateSeq: 2, foldedSeq: 4 });
    const items = [parent, message('2', 2, { replyTo: '1' }), message('3', 3, { replyTo: '1' }), message('5', 5, { replyTo: '1' })];
    const saved = repliesFoldedUpTo(parent, items, 4);
    expect(saved.count).toBe(2);
    const restored = [{ ...parent, replyCount: saved.count, lastReplyAt: saved.lastReplyAt, stateSeq: 4 }, ...items.slice(1)];
    expect(threadSummaries(restored).get('1')?.count).toBe(threadSummaries(items).get('1')?.count);
  });
});
