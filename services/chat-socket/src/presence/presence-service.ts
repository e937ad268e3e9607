import type { Presence } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import { roomChannel, userChannel } from '../realtime/channels.js';
import type { ChatServer } from '../realtime/socket-types.js';
import type { RoomRepository } from '../rooms/room-repository.js';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import type { PresenceStore } from './presence-store.js';

export interface PresenceServiceSettings {
  io: ChatServer;
  store: PresenceStore;
  rooms: RoomRepository;
  users: UserServiceClient;
  logger: Logger;
  ttlMs: number;
}

/**
 * A user is online while any of their sockets, on any pod, holds a lease. Leases are renewed
 * every third of the TTL; a sweeper (one pod at a time, under a Redis lock) turns users whose
 * leases all lapsed (their pod crashed) offline. Changes go to the user's room co-members
 * (their room channels) and friends (their user channels), never to anyone the user blocks or
 * is blocked by: between those two, each always looks offline to the other.
 */
export class PresenceService {
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly settings: PresenceServiceSettings) {}

  start(): void {
    const interval = Math.max(200, Math.floor(this.settings.ttlMs / 3));
    this.heartbeat = setInterval(() => void this.renewLocalSockets(), interval);
    this.sweeper = setInterval(() => void this.sweep(interval), interval);
    this.heartbeat.unref();
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
  }

  async socketConnected(userId: string, socketId: string): Promise<void> {
    if (await this.settings.store.connect(userId, socketId)) {
      await this.announce({ userId, status: 'online', lastSeenAt: null });
    }
  }

  async socketDisconnected(userId: string, socketId: string): Promise<void> {
    if (await this.settings.store.release(userId, [socketId])) {
      await this.announce({ userId, status: 'offline', lastSeenAt: new Date().toISOString() });
    }
  }

  /** Presence as `viewerId` may see it. UnavailableError when the blocks cannot be checked. */
  async statusFor(viewerId: string, userIds: string[]): Promise<Presence[]> {
    const [hidden, statuses] = await Promise.all([this.settings.users.blockedIds(viewerId), this.settings.store.statusOf(userIds)]);
    return statuses.map((presence) => (hidden.includes(presence.userId) ? { userId: presence.userId, status: 'offline', lastSeenAt: null } : presence));
  }

  /** Who among `userIds` `viewerId` may see online; nobody when the blocks cannot be checked. */
  async onlineAmongFor(viewerId: string, userIds: string[]): Promise<Set<string>> {
    const hidden = await this.settings.users.blockedIds(viewerId).catch(() => undefined);
    if (!hidden) return new Set();
    const online = await this.settings.store.onlineAmong(userIds);
    for (const userId of hidden) online.delete(userId);
    return online;
  }

  /**
   * A block between the two was added or lifted: each of their sockets on this pod learns the
   * other's presence as it may now see it (offline while blocked). Every pod does this for its own.
   */
  async blocksChanged(userA: string, userB: string): Promise<void> {
    this.settings.users.forgetBlocks(userA, userB);
    try {
      const blocked = (await this.settings.users.blockedIds(userA)).includes(userB);
      const [a, b] = await this.settings.store.statusOf([userA, userB]);
      const hiddenAs = (userId: string): Presence => ({ userId, status: 'offline', lastSeenAt: null });
      this.settings.io.local.to(userChannel(userA)).emit('presence', blocked ? hiddenAs(userB) : b!);
      this.settings.io.local.to(userChannel(userB)).emit('presence', blocked ? hiddenAs(userA) : a!);
    } catch (error) {
      this.settings.logger.warn({ err: error, userA, userB }, 'cannot update presence after a block change');
    }
  }

  private async renewLocalSockets(): Promise<void> {
    const entries = [...this.settings.io.of('/').sockets.values()].map((socket) => ({
      userId: socket.data.userId,
      socketId: socket.id,
    }));
    try {
      await this.settings.store.renew(entries);
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'presence heartbeat failed');
    }
  }

  private async sweep(lockMs: number): Promise<void> {
    try {
      const offline = await this.settings.store.sweep(lockMs);
      const lastSeenAt = new Date().toISOString();
      for (const userId of offline) await this.announce({ userId, status: 'offline', lastSeenAt });
    } catch (error) {
      this.settings.logger.warn({ err: error }, 'presence sweep failed');
    }
  }

  private async announce(presence: Presence): Promise<void> {
    try {
      const [roomIds, friendIds, hidden] = await Promise.all([
        this.settings.rooms.roomIdsOf(presence.userId),
        this.settings.users.friendIds(presence.userId),
        this.settings.users.blockedIds(presence.userId).catch(() => undefined),
      ]);
      // Without the block list, only friends hear of it: blocking ends a friendship, so none is blocked.
      const targets = [...(hidden ? roomIds.map(roomChannel) : []), ...friendIds.map(userChannel)];
      if (targets.length === 0) return;
      const operator = this.settings.io.to(targets);
      (hidden && hidden.length > 0 ? operator.except(hidden.map(userChannel)) : operator).emit('presence', presence);
    } catch (error) {
      this.settings.logger.warn({ err: error, userId: presence.userId }, 'cannot announce a presence change');
    }
  }
}
