import { blockedIdsResponseSchema, INTERNAL_TOKEN_HEADER, MAIL_PROFILES_MAX, mailProfilesResponseSchema, type MailProfile } from '@parley/contracts';

/** What a digest needs from the user service, which owns addresses, names, preferences and blocks. */
export interface UserDirectory {
  /** The profiles of these users (unknown ones left out). Throws when the user service cannot answer. */
  mailProfiles(userIds: string[]): Promise<Map<string, MailProfile>>;
  /** Everyone the user blocks or is blocked by. Throws when the user service cannot answer. */
  blockedIds(userId: string): Promise<Set<string>>;
}

export interface UserDirectorySettings {
  baseUrl: string;
  internalToken?: string;
  timeoutMs?: number;
}

/**
 * The user service's internal endpoints (`/internal/v1/...`). Any failure throws: the digest job
 * is retried later rather than mailing without knowing the address, the opt-out or the blocks.
 */
export function createUserDirectory(settings: UserDirectorySettings): UserDirectory {
  const timeoutMs = settings.timeoutMs ?? 5_000;
  const headers: Record<string, string> = settings.internalToken ? { [INTERNAL_TOKEN_HEADER]: settings.internalToken } : {};

  async function call(path: string, init: RequestInit = {}): Promise<unknown> {
    const response = await fetch(new URL(path, settings.baseUrl), { ...init, headers: { ...headers, ...init.headers }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`user service answered ${path} with ${response.status}`);
    return response.json();
  }

  return {
    async mailProfiles(userIds) {
      const profiles = new Map<string, MailProfile>();
      const unique = [...new Set(userIds)];
      for (let start = 0; start < unique.length; start += MAIL_PROFILES_MAX) {
        const body = JSON.stringify({ userIds: unique.slice(start, start + MAIL_PROFILES_MAX) });
        const raw = await call('/internal/v1/users/mail-profiles', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        for (const profile of mailProfilesResponseSchema.parse(raw).users) profiles.set(profile.id, profile);
      }
      return profiles;
    },
    async blockedIds(userId) {
      const raw = await call(`/internal/v1/users/${encodeURIComponent(userId)}/blocked-ids`);
      return new Set(blockedIdsResponseSchema.parse(raw).userIds);
    },
  };
}
