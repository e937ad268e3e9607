import { UnavailableError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import type { UserServiceClient } from '../user-service/user-service-client.js';
import type { RoomRepository } from './room-repository.js';

export interface DirectRoomBlocksSettings {
  rooms: Pick<RoomRepository, 'directPairsOf'>;
  users: Pick<UserServiceClient, 'isBlockedEitherWay'>;
  logger: Logger;
  /** How long a "may these two talk" answer is reused; the blocks-changed event drops it sooner. */
  verdictTtlMs?: number;
  /** While the user service is down, a known answer is reused this long before sends are refused. */
  staleOnErrorMs?: number;
  /** Bound of the room-kind cache (direct rooms' users never change, group rooms never become direct). */
  maxRooms?: number;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

/**
 * Whether sends into direct rooms are allowed: a block between the two users, added after the
 * room was opened, stops their messages. Answers come from the user service, cached briefly per
 * pair and dropped at once by the `blocks-changed` event; group rooms cost one cached lookup.
 */
export class DirectRoomBlocks {
  private readonly roomPairs = new Map<string, [string, string] | null>();
  private readonly verdicts = new Map<string, { blocked: boolean; at: number }>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly maxRooms: number;

  constructor(private readonly settings: DirectRoomBlocksSettings) {
    this.ttlMs = settings.verdictTtlMs ?? 30_000;
    this.staleMs = settings.staleOnErrorMs ?? 10 * 60_000;
    this.maxRooms = settings.maxRooms ?? 100_000;
  }

  /** The rooms among `roomIds` that are direct rooms whose users block each other. */
  async blockedRooms(roomIds: string[]): Promise<Set<string>> {
    const unknown = [...new Set(roomIds)].filter((roomId) => !this.roomPairs.has(roomId));
    if (unknown.length > 0) {
      const pairs = await this.settings.rooms.directPairsOf(unknown);
      if (this.roomPairs.size + pairs.size > this.maxRooms) this.roomPairs.clear();
      for (const [roomId, pair] of pairs) this.roomPairs.set(roomId, pair);
    }
    const blocked = new Set<string>();
    for (const roomId of new Set(roomIds)) {
      const pair = this.roomPairs.get(roomId);
      if (pair && (await this.isBlocked(pair[0], pair[1]))) blocked.add(roomId);
    }
    return blocked;
  }

  /** A block between the two changed (the user service's event): ask again next time. */
  invalidate(userA: string, userB: string): void {
    this.verdicts.delete(pairKey(userA, userB));
  }

  private async isBlocked(a: string, b: string): Promise<boolean> {
    const key = pairKey(a, b);
    const known = this.verdicts.get(key);
    const now = Date.now();
    if (known && now - known.at < this.ttlMs) return known.blocked;
    try {
      const blocked = await this.settings.users.isBlockedEitherWay(a, b);
      this.verdicts.set(key, { blocked, at: now });
      return blocked;
    } catch (error) {
      // Keep direct messages flowing through a short user-service outage on the last answer;
      // with no answer at all, refuse rather than let a possibly blocked user through.
      if (known && now - known.at < this.staleMs) return known.blocked;
      if (error instanceof UnavailableError) throw error;
      this.settings.logger.warn({ err: error }, 'block check failed');
      throw new UnavailableError('Cannot check blocks right now, try again shortly');
    }
  }
}
