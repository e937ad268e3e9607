import type { SignOutReason } from '../api/api-client';

/** What the sign-in page says about why the person is there, in plain words (null: nothing to say). */
export function describeSignOut(reason: SignOutReason | null): string | null {
  switch (reason) {
    case null:
      return null;
    case 'signed-out':
      return 'You signed out.';
    case 'other-tab':
    case 'logout':
      return 'You signed out in another tab.';
    case 'logout-all':
      return 'You were signed out everywhere.';
    case 'password-reset':
      return 'Your password was reset, so every session was signed out. Sign in with the new password.';
    case 'password-change':
      return 'Your password was changed. Sign in with the new password.';
    case 'session-revoked':
      return 'This session was signed out from another device.';
    case 'account-deleted':
      return 'Your account was deleted.';
    case 'role-change':
      return 'Your permissions changed. Sign in again to continue.';
    case 'expired':
    case 'refused':
      return 'Your session has ended. Sign in again to continue.';
  }
}
