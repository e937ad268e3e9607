import type { AttachmentLinks, MessageAttachment } from '@parley/contracts';
import { ApiError, apiErrorFromAck } from '../api/api-error';
import { describeError, describeSendFailure } from '../api/error-messages';
import { messageKey, type ChatMessage } from '../messages/chat-message';
import { ACK_TIMEOUT_MS, type ControllerContext } from './controller-context';
import { Outbox, type OutboxEntry } from './outbox';

/** After an unanswered send, the outbox tries again this long later (or at the next reconnect). */
const OUTBOX_RETRY_MS = 5_000;
/**
 * After a send refused as too fast, the outbox waits this long and sends it again: the server's
 * token bucket refills within a second, and its retry hint is never below one.
 */
const RATE_LIMITED_RETRY_MS = 1_000;

type Delivery = 'sent' | 'refused' | 'limited' | 'unanswered';
type TimelineChange = 'message:edit' | 'message:delete' | 'reaction:add' | 'reaction:remove';

/**
 * What the person writes: new messages through the outbox (shown at once, sent in order while
 * connected, kept across reloads), retries of refused ones, and edits, deletions and reactions.
 */
export class MessageSending {
  private readonly outbox: Outbox;
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  private readonly sentListeners = new Set<() => void>();

  constructor(
    private readonly context: ControllerContext,
    private readonly newClientMsgId: () => string,
  ) {
    this.outbox = new Outbox(context.getState().selfId);
  }

  /** Shows the message at once and puts it in the outbox, which sends it now or when the connection is back. */
  send(roomId: string, body: string, replyTo?: string, attachments?: MessageAttachment[]): void {
    const entry: OutboxEntry = {
      roomId,
      clientMsgId: this.newClientMsgId(),
      body,
      createdAt: new Date().toISOString(),
      ...(replyTo ? { replyTo } : {}),
      ...(attachments && attachments.length > 0 ? { attachments } : {}),
    };
    this.outbox.add(entry);
    this.show(entry, 'queued');
    for (const listener of this.sentListeners) listener();
    void this.flushOutbox();
  }

  /** Sends a refused message again with the same clientMsgId: the server stores it at most once. */
  retry(roomId: string, key: string): void {
    const message = this.context.getState().messages[roomId]?.items.find((item) => item.key === key && item.id === null);
    if (!message) return;
    const entry: OutboxEntry = {
      roomId,
      clientMsgId: message.clientMsgId,
      body: message.body,
      createdAt: message.createdAt,
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
    };
    this.outbox.add(entry);
    this.show(entry, 'queued');
    void this.flushOutbox();
  }

  /** Uploads a file to a room, to be sent with a message. */
  uploadAttachment(roomId: string, file: File, onProgress?: (sent: number, total: number) => void): Promise<MessageAttachment> {
    return this.context.api.uploadAttachment(roomId, file, file.name || 'pasted-image', onProgress);
  }

  /** Signed URLs of a file, fresh each time (they expire within minutes). */
  attachmentLinks(roomId: string, attachmentId: string): Promise<AttachmentLinks> {
    return this.context.api.attachmentLinks(roomId, attachmentId);
  }

  /** Every message the person sends. */
  onSent(listener: () => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  /** Changes the caller's own message's text (the server refuses others' messages). */
  editMessage(roomId: string, messageId: string, body: string): Promise<boolean> {
    return this.changeTimeline('message:edit', { roomId, messageId, clientMsgId: this.newClientMsgId(), body });
  }

  /** Deletes a message: the caller's own, or anyone's for room owners and admins. */
  deleteMessage(roomId: string, messageId: string): Promise<boolean> {
    return this.changeTimeline('message:delete', { roomId, messageId, clientMsgId: this.newClientMsgId() });
  }

  /** Adds or removes the caller's reaction with one emoji. */
  react(roomId: string, messageId: string, emoji: string, add: boolean): Promise<boolean> {
    return this.changeTimeline(add ? 'reaction:add' : 'reaction:remove', { roomId, messageId, clientMsgId: this.newClientMsgId(), emoji });
  }

  /** What was left unsent last time (a reload, a closed tab) is shown as waiting, and goes out once connected. */
  showUnsent(): void {
    for (const entry of this.outbox.list()) this.show(entry, 'queued');
  }

  /** Sends the outbox one message at a time, in order, while connected; stops at the first unanswered one. */
  async flushOutbox(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    clearTimeout(this.outboxTimer);
    try {
      for (;;) {
        const next = this.outbox.list()[0];
        if (!next || !this.context.socket.connected) return;
        const delivery = await this.deliver(next);
        if (delivery === 'unanswered' || delivery === 'limited') {
          this.outboxTimer = setTimeout(() => void this.flushOutbox(), delivery === 'limited' ? RATE_LIMITED_RETRY_MS : OUTBOX_RETRY_MS);
          return;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  stop(): void {
    clearTimeout(this.outboxTimer);
  }

  /**
   * A timeline change is acknowledged with the event as the server accepted it (with its room
   * sequence number): folded in at once, like a live one. One clientMsgId per change, so the
   * socket's own retry of the same emit is applied once.
   */
  private async changeTimeline(
    event: TimelineChange,
    payload: { roomId: string; messageId: string; clientMsgId: string; body?: string; emoji?: string },
  ): Promise<boolean> {
    const { socket, dispatch, live } = this.context;
    try {
      // One typed emit per event name: socket.io's typings need the literal.
      const ack =
        event === 'message:edit'
          ? await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId, body: payload.body ?? '' })
          : event === 'message:delete'
            ? await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId })
            : await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, { roomId: payload.roomId, messageId: payload.messageId, clientMsgId: payload.clientMsgId, emoji: payload.emoji ?? '' });
      if (!ack.ok) throw apiErrorFromAck(ack.error);
      live.arrived([ack.event]);
      return true;
    } catch (error) {
      dispatch({ type: 'notice/shown', text: describeError(error) });
      return false;
    }
  }

  private async deliver(entry: OutboxEntry): Promise<Delivery> {
    const { socket, dispatch, live } = this.context;
    const key = messageKey(this.context.getState().selfId, entry.clientMsgId);
    this.show(entry, 'pending');
    try {
      const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
        roomId: entry.roomId,
        clientMsgId: entry.clientMsgId,
        body: entry.body,
        ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
        ...(entry.attachments ? { attachments: entry.attachments.map((attachment) => attachment.id) } : {}),
      });
      if (!ack.ok && ack.error.code === 'rate_limited' && this.outbox.has(entry.clientMsgId)) {
        // Typed faster than the server takes: the message keeps its place and goes again shortly,
        // as a person would send it again, instead of failing (the server still enforces the limit).
        this.show(entry, 'queued');
        return 'limited';
      }
      this.outbox.remove(entry.clientMsgId);
      if (ack.ok) {
        live.gaps.observe([ack.message]);
        dispatch({ type: 'message/received', messages: [ack.message] });
        return 'sent';
      }
      dispatch({ type: 'message/failed', roomId: entry.roomId, key, error: describeSendFailure(apiErrorFromAck(ack.error)) });
      return 'refused';
    } catch {
      // No answer (the connection dropped, or the server is slow): it stays in the outbox.
      if (this.outbox.has(entry.clientMsgId)) this.show(entry, 'queued');
      else dispatch({ type: 'message/failed', roomId: entry.roomId, key, error: describeSendFailure(new ApiError('timeout', 'no acknowledgement')) });
      return 'unanswered';
    }
  }

  private show(entry: OutboxEntry, state: 'queued' | 'pending'): void {
    const { selfId } = this.context.getState();
    const message: ChatMessage = {
      key: messageKey(selfId, entry.clientMsgId),
      id: null,
      seq: null,
      clientMsgId: entry.clientMsgId,
      roomId: entry.roomId,
      senderId: selfId,
      body: entry.body,
      createdAt: entry.createdAt,
      state,
      ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
      ...(entry.attachments ? { attachments: entry.attachments } : {}),
    };
    this.context.dispatch({ type: 'message/pending', message });
  }
}
