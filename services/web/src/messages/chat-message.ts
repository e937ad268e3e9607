import type { Message, MessageAttachment, ReactionSummary, ReplyQuote } from '@parley/contracts';

/**
 * queued: in the outbox, waiting for the connection · pending: sent, no ack yet ·
 * sent: acknowledged (has an id) · failed: refused by the server (offers a retry).
 */
export type DeliveryState = 'queued' | 'pending' | 'sent' | 'failed';

/** A message as the client shows it: acknowledged ones carry the server id, optimistic ones not yet. */
export interface ChatMessage {
  /** Stable from the optimistic copy to the acknowledged one: `${senderId}:${clientMsgId}`. */
  key: string;
  id: string | null;
  /** The room's sequence number (acknowledged messages); the room's order. */
  seq: number | null;
  clientMsgId: string;
  roomId: string;
  senderId: string;
  body: string;
  createdAt: string;
  state: DeliveryState;
  /** Why it failed, in words for the person who sent it. */
  error?: string;
  /** When last edited (the body is the edited one). */
  editedAt?: string | undefined;
  /** When deleted: a tombstone, the body is empty. */
  deletedAt?: string | undefined;
  reactions?: ReactionSummary[] | undefined;
  /** Sequence number up to which the server had folded events into this copy (see timeline-fold.ts). */
  stateSeq?: number | undefined;
  /** Highest event sequence number folded in here (from the server or since). */
  foldedSeq?: number | undefined;
  /** Sequence number of the edit shown. */
  editSeq?: number | undefined;
  /** Per `${emoji} ${userId}`, the sequence number of the reaction event that decided it. */
  reactionSeqs?: Record<string, number> | undefined;
  /** The message this one replies to (same room), and how it was quoted. */
  replyTo?: string | undefined;
  replyQuote?: ReplyQuote | undefined;
  /** Members the body mentions (user ids, resolved by the server). */
  mentions?: string[] | undefined;
  /** Replies folded in by the server up to `stateSeq` (see messages/reply-threads.ts for the live count). */
  replyCount?: number | undefined;
  lastReplyAt?: string | undefined;
  /** Files the message carries (metadata; the bytes come through signed URLs). */
  attachments?: MessageAttachment[] | undefined;
}

export function messageKey(senderId: string, clientMsgId: string): string {
  return `${senderId}:${clientMsgId}`;
}

export function fromServer(message: Message): ChatMessage {
  return {
    key: messageKey(message.senderId, message.clientMsgId),
    id: message.id,
    seq: message.seq,
    clientMsgId: message.clientMsgId,
    roomId: message.roomId,
    senderId: message.senderId,
    body: message.body,
    createdAt: message.createdAt,
    state: 'sent',
    ...(message.editedAt ? { editedAt: message.editedAt } : {}),
    ...(message.deletedAt ? { deletedAt: message.deletedAt } : {}),
    ...(message.reactions ? { reactions: message.reactions } : {}),
    ...(message.stateSeq ? { stateSeq: message.stateSeq, foldedSeq: message.stateSeq } : {}),
    ...(message.replyTo ? { replyTo: message.replyTo, replyQuote: message.replyQuote } : {}),
    ...(message.mentions ? { mentions: message.mentions } : {}),
    ...(message.replyCount ? { replyCount: message.replyCount, lastReplyAt: message.lastReplyAt } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
  };
}

/** Message ids are snowflakes as decimal strings: longer is larger, equal lengths compare as text. */
export function compareMessageIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The room's order of acknowledged messages: by sequence number (ids only break a tie, which the server never makes). */
export function compareConfirmed(a: ChatMessage, b: ChatMessage): number {
  return (a.seq ?? 0) - (b.seq ?? 0) || compareMessageIds(a.id!, b.id!);
}

/** The larger of two ids, either of which may be missing. */
export function maxMessageId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return compareMessageIds(a, b) >= 0 ? a : b;
}
