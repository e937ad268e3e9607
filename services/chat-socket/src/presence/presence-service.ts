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
 * (their room channels) and friends (their user channels).
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

  statusOf(userIds: string[]): Promise<Presence[]> {
    return this.settings.store.statusOf(userIds);
  }

  onlineAmong(userIds: string[]): Promise<Set<string>> {
    return this.settings.store.onlineAmong(userIds);
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
      const [roomIds, friendIds] = await Promise.all([
        this.settings.rooms.roomIdsOf(presence.userId),
        this.settings.users.friendIds(presence.userId),
      ]);
      const targets = [...roomIds.map(roomChannel), ...friendIds.map(userChannel)];
      if (targets.length > 0) this.settings.io.to(targets).emit('presence', presence);
    } catch (error) {
      this.settings.logger.warn({ err: error, userId: presence.userId }, 'cannot announce a presence change');
    }
  }
}
