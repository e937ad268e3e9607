import { authUserSchema, type AuthUser } from '@parley/contracts';
import { readStored, removeStored, storageKeys, writeStored } from '../storage/browser-storage';

/**
 * The last signed-in user, kept in localStorage (no token: the session itself is the auth
 * service's HttpOnly cookie). Its presence says "probably signed in": the app shows a splash
 * instead of the sign-in form while it checks, and can open offline with what it saved.
 */
export function lastSignedInUser(): AuthUser | undefined {
  return readStored(storageKeys.lastUser, authUserSchema);
}

export function rememberSignedInUser(user: AuthUser): void {
  writeStored(storageKeys.lastUser, user);
}

export function clearSignedInUser(): void {
  removeStored(storageKeys.lastUser);
}
