import { mentionedUsernames } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import type { ReplyMetrics } from './reply-metrics.js';

/**
 * `@username` in a body → the user ids of the room's members with those names, at send time
 * (names of non-members, or of nobody, stay plain text). Usernames live in the user service;
 * when it cannot answer, the message is sent without mentions rather than refused (counted in
 * `parley_mention_lookup_failures_total`): a chat message matters more than its highlight.
 */
export class MentionResolver {
  constructor(
    private readonly settings: {
      users: Pick<UserServiceClient, 'usersByUsername'>;
      rooms: Pick<RoomRepository, 'membershipsAmong'>;
      metrics: ReplyMetrics;
      logger: Logger;
    },
  ) {}

  async resolve(roomId: string, body: string): Promise<string[]> {
    const usernames = mentionedUsernames(body);
    if (usernames.length === 0) return [];
    let users: Array<{ id: string; username: string }>;
    try {
      users = await this.settings.users.usersByUsername(usernames);
    } catch (error) {
      this.settings.metrics.mentionLookupFailures.inc();
      this.settings.logger.warn({ err: error, roomId }, 'sending without mentions: usernames could not be resolved');
      return [];
    }
    const members = await this.settings.rooms.membershipsAmong(users.map((user) => ({ roomId, userId: user.id })));
    const byName = new Map(users.map((user) => [user.username.toLowerCase(), user.id]));
    const resolved = usernames.flatMap((name) => {
      const userId = byName.get(name);
      return userId !== undefined && members.has(`${roomId}:${userId}`) ? [userId] : [];
    });
    this.settings.metrics.mentionsResolved.inc(resolved.length);
    return [...new Set(resolved)];
  }
}
