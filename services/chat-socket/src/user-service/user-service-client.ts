import { blockCheckResponseSchema, blockedIdsResponseSchema, INTERNAL_TOKEN_HEADER, usernameLookupResponseSchema } from '@parley/contracts';
import { UnavailableError } from '@parley/errors';
import type { Logger } from '@parley/logger';
import { z } from 'zod';

const friendIdsSchema = z.object({ friendIds: z.array(z.string()) });

export interface UserServiceClient {
  /** Whether either user blocks the other. Throws UnavailableError when the user service cannot answer: never a silent "no". */
  isBlockedEitherWay(userA: string, userB: string): Promise<boolean>;
  /** The user's friends, or [] when the user service cannot tell (presence then only reaches co-members). */
  friendIds(userId: string): Promise<string[]>;
  /**
   * Everyone the user blocks or is blocked by (their presence is hidden from each other).
   * The last answer is reused while the user service cannot answer; with none, UnavailableError.
   */
  blockedIds(userId: string): Promise<string[]>;
  /** The users with these usernames (unknown ones left out). Throws UnavailableError when the user service cannot answer. */
  usersByUsername(usernames: string[]): Promise<Array<{ id: string; username: string }>>;
  /** A block between the two changed: ask again for both. */
  forgetBlocks(userA: string, userB: string): void;
}

export interface UserServiceClientSettings {
  baseUrl: string;
  internalToken?: string;
  logger: Logger;
  timeoutMs?: number;
  /** How long a user's friend list is reused (presence changes are frequent, friendships are not). */
  friendCacheMs?: number;
  /** How long a user's block list is reused; the blocks-changed event drops it sooner. */
  blockCacheMs?: number;
}

const CACHE_MAX = 10_000;

/** Calls the user service's internal endpoints (`/internal/v1/...`, never routed by the ingress). */
export function createUserServiceClient(settings: UserServiceClientSettings): UserServiceClient {
  const timeoutMs = settings.timeoutMs ?? 2_000;
  const friendCacheMs = settings.friendCacheMs ?? 60_000;
  const friendCache = new Map<string, { at: number; ids: string[] }>();
  const blockCacheMs = settings.blockCacheMs ?? 60_000;
  const blockCache = new Map<string, { at: number; ids: string[] }>();
  const headers: Record<string, string> = settings.internalToken ? { [INTERNAL_TOKEN_HEADER]: settings.internalToken } : {};

  const get = (path: string) => fetch(new URL(path, settings.baseUrl), { headers, signal: AbortSignal.timeout(timeoutMs) });

  return {
    async isBlockedEitherWay(userA, userB) {
      const query = new URLSearchParams({ userA, userB });
      let response: Response;
      try {
        response = await get(`/internal/v1/blocks?${query.toString()}`);
      } catch (error) {
        settings.logger.warn({ err: error }, 'user service unreachable for a block check');
        throw new UnavailableError('Cannot check blocks right now, try again shortly');
      }
      const parsed = response.ok ? blockCheckResponseSchema.safeParse(await response.json().catch(() => undefined)) : undefined;
      if (!parsed?.success) {
        settings.logger.warn({ status: response.status }, 'user service answered a block check with an error');
        throw new UnavailableError('Cannot check blocks right now, try again shortly');
      }
      return parsed.data.blocked;
    },

    async friendIds(userId) {
      const cached = friendCache.get(userId);
      if (cached && Date.now() - cached.at < friendCacheMs) return cached.ids;
      let ids: string[] = [];
      try {
        const response = await get(`/internal/v1/users/${encodeURIComponent(userId)}/friend-ids`);
        const parsed = response.ok ? friendIdsSchema.safeParse(await response.json()) : undefined;
        if (parsed?.success) ids = parsed.data.friendIds;
      } catch (error) {
        settings.logger.debug({ err: error }, 'cannot fetch friend ids; presence goes to co-members only');
      }
      friendCache.set(userId, { at: Date.now(), ids });
      if (friendCache.size > CACHE_MAX) friendCache.delete(friendCache.keys().next().value as string);
      return ids;
    },

    async blockedIds(userId) {
      const cached = blockCache.get(userId);
      if (cached && Date.now() - cached.at < blockCacheMs) return cached.ids;
      try {
        const response = await get(`/internal/v1/users/${encodeURIComponent(userId)}/blocked-ids`);
        const parsed = response.ok ? blockedIdsResponseSchema.safeParse(await response.json()) : undefined;
        if (!parsed?.success) throw new Error(`the user service answered ${response.status}`);
        blockCache.set(userId, { at: Date.now(), ids: parsed.data.userIds });
        if (blockCache.size > CACHE_MAX) blockCache.delete(blockCache.keys().next().value as string);
        return parsed.data.userIds;
      } catch (error) {
        if (cached) return cached.ids;
        // Callers have a safe answer for it (presence goes to friends only, or the request is 503): not a warning.
        settings.logger.debug({ err: error }, 'cannot fetch blocked ids');
        throw new UnavailableError('Cannot check blocks right now, try again shortly');
      }
    },

    async usersByUsername(usernames) {
      try {
        const response = await fetch(new URL('/internal/v1/users/by-username', settings.baseUrl), {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ usernames }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const parsed = response.ok ? usernameLookupResponseSchema.safeParse(await response.json()) : undefined;
        if (!parsed?.success) throw new Error(`the user service answered ${response.status}`);
        return parsed.data.users;
      } catch (error) {
        settings.logger.warn({ err: error }, 'cannot look usernames up');
        throw new UnavailableError('Cannot resolve mentions right now');
      }
    },

    forgetBlocks(userA, userB) {
      blockCache.delete(userA);
      blockCache.delete(userB);
    },
  };
}
