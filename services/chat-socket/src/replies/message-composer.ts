import { ConflictError, ForbiddenError, NotFoundError } from '@parley/errors';
import type { Redis } from '@parley/redis';
import { idempotencyKey } from '@parley/keyspace';
import type { MessageKeyLayout } from '@parley/queues';
import type { SendMessageService, SendRequest, SendResult } from '../messages/send-message.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { MentionResolver } from './mention-resolver.js';
import type { ReplyMetrics } from './reply-metrics.js';
import type { ReplyParents } from './reply-parents.js';

export interface ComposerSettings {
  send: Pick<SendMessageService, 'send'>;
  rooms: Pick<RoomRepository, 'roleOf'>;
  parents: Pick<ReplyParents, 'find'>;
  mentions: Pick<MentionResolver, 'resolve'>;
  metrics: ReplyMetrics;
  /** Where the accept script keeps what each (sender, clientMsgId) was accepted as. */
  redis: Redis;
  /** Where each room's message keys live (its shard's prefix with MESSAGE_SHARD_KEYS=shard). */
  messageKeys: Pick<MessageKeyLayout, 'prefixOfRoom'>;
}

/**
 * What a user's send passes through before the send path (docs/decisions/0034-replies-and-mentions.md):
 * a `replyTo` is checked here, on the server (the sender is a member; the parent is a message
 * of the same room, not deleted) and becomes the message's quote; `@username` becomes the
 * mentioned members' ids. A send with neither goes straight on: the common case costs one
 * `includes('@')`.
 */
export class MessageComposer {
  constructor(private readonly settings: ComposerSettings) {}

  async send(request: SendRequest): Promise<SendResult> {
    const { replyTo } = request;
    if (replyTo === undefined && !request.body.includes('@')) return this.settings.send.send(request);
    // A retry of an accepted send is answered with the first message before anything is checked
    // again (the parent may have been deleted since).
    if (await this.settings.redis.exists(idempotencyKey(this.settings.messageKeys.prefixOfRoom(request.roomId), request.senderId, request.clientMsgId))) {
      return this.settings.send.send({ ...request, replyTo: undefined });
    }
    if (replyTo !== undefined || !request.memberVerified) {
      // Before anything about the room is looked at: non-members learn nothing of its messages.
      if (!(await this.settings.rooms.roleOf(request.roomId, request.senderId))) {
        if (replyTo !== undefined) this.settings.metrics.replies.inc({ outcome: 'forbidden' });
        throw new ForbiddenError('Only members of the room can send to it');
      }
    }
    let composed: SendRequest = { ...request, memberVerified: true };
    if (replyTo !== undefined) {
      const quote = await this.settings.parents.find(request.roomId, replyTo);
      if (!quote) {
        this.settings.metrics.replies.inc({ outcome: 'not_found' });
        throw new NotFoundError('The message replied to is not in this room');
      }
      if (quote.deleted) {
        this.settings.metrics.replies.inc({ outcome: 'conflict' });
        throw new ConflictError('The message replied to was deleted');
      }
      composed = { ...composed, replyTo, replyQuote: quote };
    }
    const mentions = request.body.includes('@') ? await this.settings.mentions.resolve(request.roomId, request.body) : [];
    if (mentions.length > 0) composed = { ...composed, mentions };
    const result = await this.settings.send.send(composed);
    if (replyTo !== undefined) this.settings.metrics.replies.inc({ outcome: 'accepted' });
    return result;
  }
}
