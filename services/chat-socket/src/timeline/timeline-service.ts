import type { Message, MemberRole, MessageRevisionList, TimelineEventKind } from '@parley/contracts';
import { REACTION_EMOJI_MAX } from '@parley/contracts';
import { fetchMessageRevisions, findStoredTarget } from '@parley/chat-store';
import type { DataSource } from '@parley/db';
import { ConflictError, ForbiddenError, NotFoundError } from '@parley/errors';
import type { Redis } from '@parley/redis';
import { idempotencyKey } from '@parley/keyspace';
import type { MessageKeyLayout } from '@parley/queues';
import type { RecentWindow } from '../recent-window/recent-window.js';
import type { SendMessageService } from '../messages/send-message.js';
import type { RoomRepository } from '../rooms/room-repository.js';

export interface TimelineSettings {
  dataSource: DataSource;
  rooms: Pick<RoomRepository, 'roleOf'>;
  window: Pick<RecentWindow, 'about'>;
  send: Pick<SendMessageService, 'send'>;
  /** Where the accept script keeps what each (sender, clientMsgId) was accepted as. */
  redis: Redis;
  /** Where each room's message keys live (its shard's prefix with MESSAGE_SHARD_KEYS=shard). */
  messageKeys: Pick<MessageKeyLayout, 'prefixOfRoom'>;
  /** How long after sending an author may edit (0: always). */
  editWindowSeconds: number;
  /** How long after sending an author may delete (0: always); owners and admins always may. */
  deleteWindowSeconds: number;
}

export interface TimelineRequest {
  userId: string;
  roomId: string;
  messageId: string;
  clientMsgId: string;
}

/** What is known of the message a change names: stored state, and what the recent window adds. */
interface Target {
  senderId: string;
  createdAt: string;
  deleted: boolean;
  emoji: Set<string>;
}

/**
 * Edits, deletions and reactions (docs/decisions/0021-timeline-events.md). Each is authorized
 * here, on the server, then sent down the message path as a timeline event: one accept script
 * (idempotent by the caller's clientMsgId, the room's next sequence number, the persistence
 * job), acknowledged when durable, then broadcast as `message:changed`.
 */
export class TimelineService {
  constructor(private readonly settings: TimelineSettings) {}

  async edit(request: TimelineRequest & { body: string }): Promise<Message> {
    const retried = await this.retried(request, 'edit');
    if (retried) return retried;
    const { target } = await this.authorize(request);
    if (target.senderId !== request.userId) throw new ForbiddenError('Only the author can edit a message');
    this.requireWithin(target, this.settings.editWindowSeconds, 'edited');
    return this.record(request, 'edit', request.body);
  }

  async delete(request: TimelineRequest): Promise<Message> {
    const retried = await this.retried(request, 'delete');
    if (retried) return retried;
    const { target, role } = await this.authorize(request);
    if (target.senderId === request.userId) {
      if (role !== 'owner' && role !== 'admin') this.requireWithin(target, this.settings.deleteWindowSeconds, 'deleted');
    } else if (role !== 'owner' && role !== 'admin') {
      throw new ForbiddenError("Only room owners and admins can delete other members' messages");
    }
    return this.record(request, 'delete', '');
  }

  async react(request: TimelineRequest & { emoji: string; add: boolean }): Promise<Message> {
    const retried = await this.retried(request, request.add ? 'reaction_add' : 'reaction_remove', request.emoji);
    if (retried) return retried;
    const { target } = await this.authorize(request);
    if (request.add && !target.emoji.has(request.emoji) && target.emoji.size >= REACTION_EMOJI_MAX) {
      throw new ConflictError(`A message carries at most ${REACTION_EMOJI_MAX} different emoji`);
    }
    return this.record(request, request.add ? 'reaction_add' : 'reaction_remove', '', request.emoji);
  }

  /** What edits and deletions of a message replaced: room owners and admins only. */
  async revisions(userId: string, roomId: string, messageId: string): Promise<MessageRevisionList> {
    const role = await this.settings.rooms.roleOf(roomId, userId);
    if (role !== 'owner' && role !== 'admin') throw new ForbiddenError('Only room owners and admins can see what was edited or deleted');
    const target = await findStoredTarget(this.settings.dataSource, roomId, messageId);
    if (!target || target.kind !== 'message') throw new NotFoundError('No such message in this room');
    return { revisions: await fetchMessageRevisions(this.settings.dataSource, messageId) };
  }

  /**
   * A retry of a change already accepted is answered with it before anything is checked again
   * (the first attempt may have deleted the message, or the edit window may have closed since).
   */
  private async retried(request: TimelineRequest, kind: TimelineEventKind, emoji?: string): Promise<Message | null> {
    const stored = await this.settings.redis.get(idempotencyKey(this.settings.messageKeys.prefixOfRoom(request.roomId), request.userId, request.clientMsgId));
    if (!stored) return null;
    const message = JSON.parse(stored) as Message;
    if (message.roomId !== request.roomId) throw new ConflictError('This clientMsgId was already used for something else');
    return this.sameChange(message, request, kind, emoji);
  }

  private sameChange(message: Message, request: TimelineRequest, kind: TimelineEventKind, emoji: string | undefined): Message {
    if (message.kind !== kind || message.targetId !== request.messageId || (emoji !== undefined && message.emoji !== emoji)) {
      throw new ConflictError('This clientMsgId was already used for something else');
    }
    return message;
  }

  private async record(request: TimelineRequest, kind: TimelineEventKind, body: string, emoji?: string): Promise<Message> {
    const { message } = await this.settings.send.send({
      senderId: request.userId,
      roomId: request.roomId,
      clientMsgId: request.clientMsgId,
      body,
      event: emoji === undefined ? { kind, targetId: request.messageId } : { kind, targetId: request.messageId, emoji },
    });
    // A retry answers what the clientMsgId was first used for: it must be this same change.
    return this.sameChange(message, request, kind, emoji);
  }

  /** Membership, and the target: a message (not an event) of this room, not deleted. */
  private async authorize(request: TimelineRequest): Promise<{ target: Target; role: MemberRole }> {
    const role = await this.settings.rooms.roleOf(request.roomId, request.userId);
    if (!role) throw new ForbiddenError('Only members of the room can change its messages');
    const target = await this.findTarget(request.roomId, request.messageId);
    if (!target) throw new NotFoundError('No such message in this room');
    if (target.deleted) throw new ConflictError('The message was deleted');
    return { target, role };
  }

  private async findTarget(roomId: string, messageId: string): Promise<Target | null> {
    const [stored, recent] = await Promise.all([
      findStoredTarget(this.settings.dataSource, roomId, messageId),
      this.settings.window.about(roomId, messageId),
    ]);
    const inWindow = recent.find((item) => item.id === messageId);
    let target: Target | null = null;
    if (stored) {
      if (stored.kind !== 'message') return null;
      target = { senderId: stored.senderId, createdAt: stored.createdAt, deleted: stored.deleted, emoji: new Set(stored.emoji) };
    } else if (inWindow && (inWindow.kind ?? 'message') === 'message' && inWindow.roomId === roomId) {
      target = { senderId: inWindow.senderId, createdAt: inWindow.createdAt, deleted: false, emoji: new Set() };
    }
    if (!target) return null;
    // Accepted but maybe not stored yet: a deletion is final, new emoji count toward the bound.
    for (const item of recent) {
      if (item.targetId !== messageId) continue;
      if (item.kind === 'delete') target.deleted = true;
      if (item.kind === 'reaction_add' && item.emoji) target.emoji.add(item.emoji);
    }
    return target;
  }

  private requireWithin(target: Target, seconds: number, done: string): void {
    if (seconds > 0 && Date.now() - Date.parse(target.createdAt) > seconds * 1_000) {
      throw new ForbiddenError(`Messages can only be ${done} within ${seconds} seconds of sending`);
    }
  }
}
