import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-message';
import { earlierPageCursor, threadReplies, withEarlierPage } from './thread-pages';

const ROOM = '3f6c1a52-6a0e-4a53-9d43-0a8f4d1b6a10';
const reply = (seq: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  key: `u:${seq}`,
  id: String(1000 + seq),
  seq,
  clientMsgId: String(seq),
  roomId: ROOM,
  senderId: 'u',
  body: `r${seq}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  state: 'sent',
  replyTo: '1000',
  ...extra,
});
const seqs = (items: readonly ChatMessage[]) => items.map((item) => item.seq);

describe('thread panel pages', () => {
  it('put an earlier page before the replies read so far, each reply once, and page on below the first', () => {
    const latest = [reply(8), reply(9), reply(10)];
    expect(earlierPageCursor(latest)).toBe(8);
    const both = withEarlierPage(latest, [reply(5), reply(6), reply(7)]);
    expect(seqs(both)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(earlierPageCursor(both)).toBe(5);
    // A page read twice (a retried click) adds nothing.
    expect(seqs(withEarlierPage(both, [reply(5), reply(6), reply(7)]))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(earlierPageCursor([])).toBeUndefined();
  });

  it('show live and room-held replies with the pages, once each, in sequence order, the room’s copy winning', () => {
    const loaded = [reply(8), reply(9, { body: 'old text' })];
    const room = [reply(9, { body: 'edited' }), reply(12), reply(4, { replyTo: 'another parent' }), reply(0, { key: 'u:pending', id: null, seq: null })];
    const shown = threadReplies(loaded, room, '1000');
    expect(shown.map((item) => item.key)).toEqual(['u:8', 'u:9', 'u:12', 'u:pending']);
    expect(shown[1]!.body).toBe('edited');
  });

  it('leave out what the room holds below the pages read while earlier pages remain, so nothing is shown out of a gap', () => {
    const loaded = [reply(8), reply(9)];
    const room = [reply(3), reply(7), reply(9), reply(10), reply(0, { key: 'u:pending', id: null, seq: null })];
    expect(seqs(threadReplies(loaded, room, '1000', earlierPageCursor(loaded)))).toEqual([8, 9, 10, null]);
    // Every page read: all of it.
    expect(seqs(threadReplies(loaded, room, '1000'))).toEqual([3, 7, 8, 9, 10, null]);
  });
});
