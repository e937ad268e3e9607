import { replyExcerpt, type Message, type ReplyQuote } from '@parley/contracts';
import { findReplyParent } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import type { RecentWindow } from '../recent-window/recent-window.js';

/**
 * The message a reply names, looked up in PostgreSQL and in the room's recent window (accepted
 * but maybe not stored yet): only a message (not an event) of that same room counts, so another
 * room's id is "no such message" whoever asks.
 */
export class ReplyParents {
  constructor(
    private readonly dataSource: DataSource,
    private readonly window: Pick<RecentWindow, 'about'>,
  ) {}

  async find(roomId: string, messageId: string): Promise<ReplyQuote | null> {
    const [stored, recent] = await Promise.all([findReplyParent(this.dataSource, roomId, messageId), this.window.about(roomId, messageId)]);
    let quote: ReplyQuote | null = stored;
    if (!quote) {
      const item = recent.find((candidate) => candidate.id === messageId);
      if (!item || !isMessage(item) || item.roomId !== roomId) return null;
      quote = { messageId, senderId: item.senderId, excerpt: replyExcerpt(item.body), deleted: false };
    }
    // A deletion accepted but not folded yet is final all the same.
    if (recent.some((item) => item.targetId === messageId && item.kind === 'delete')) quote = { ...quote, excerpt: '', deleted: true };
    return quote;
  }
}

const isMessage = (item: Message) => (item.kind ?? 'message') === 'message';
