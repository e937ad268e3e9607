import type { z } from 'zod';

/**
 * What the client keeps in the browser between visits, under names defined here only. Each
 * value is JSON read back through a zod schema (another tab, an older version or a person with
 * devtools may have written anything). Everything of a user is forgotten at sign-out.
 */
export const storageKeys = {
  /** The signed-in user (no secret): decides splash or sign-in at load, and offline start. */
  lastUser: 'parley:last-user',
  /** "Later" on the email confirmation screen. */
  verifyLater: (userId: string) => `parley:verify-later:${userId}`,
  /** Messages written but not acknowledged yet, in order (the outbox). */
  outbox: (userId: string) => `parley:outbox:${userId}`,
  /** Unsent text per room. */
  drafts: (userId: string) => `parley:drafts:${userId}`,
  /** Rooms, people and recent messages, shown when the app opens offline. */
  snapshot: (userId: string) => `parley:snapshot:${userId}`,
  /** The notifications prompt was answered or dismissed. */
  notificationsPrompt: (userId: string) => `parley:notifications-prompt:${userId}`,
} as const;

/** An invite link opened while signed out, followed after sign-in (this tab only: sessionStorage). */
export const PENDING_INVITE_KEY = 'parley:pending-invite';

function storage(kind: 'local' | 'session'): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

export function readStored<T>(key: string, schema: z.ZodType<T>, kind: 'local' | 'session' = 'local'): T | undefined {
  const raw = storage(kind)?.getItem(key);
  if (raw === null || raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** False when the browser refused (quota, private mode): callers keep working from memory. */
export function writeStored(key: string, value: unknown, kind: 'local' | 'session' = 'local'): boolean {
  try {
    storage(kind)?.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export function removeStored(key: string, kind: 'local' | 'session' = 'local'): void {
  try {
    storage(kind)?.removeItem(key);
  } catch {
    // nothing to do
  }
}

/** Sign-out: nothing of this user stays in the browser. */
export function forgetUser(userId: string): void {
  removeStored(storageKeys.lastUser);
  for (const key of [storageKeys.verifyLater, storageKeys.outbox, storageKeys.drafts, storageKeys.snapshot, storageKeys.notificationsPrompt]) {
    removeStored(key(userId));
  }
}
