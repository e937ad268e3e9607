import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AuthUser } from '@parley/contracts';
import { ApiClient, type SignOutReason } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError } from '../api/error-messages';
import { forgetUser } from '../storage/browser-storage';
import { clearSignedInUser, lastSignedInUser, rememberSignedInUser } from './session-hint';
import { openSessionChannel, type SessionChannel } from './session-channel';
import { judgeOtherTabAnnouncement } from './other-tab-announcement';

/**
 * restoring: checking the session of someone who was signed in (splash) · signed-out · signed-in ·
 * offline: the server cannot be reached, and the person was signed in here: the app shows what it
 * saved and checks again when the network is back.
 */
export type AuthStatus = 'restoring' | 'signed-out' | 'signed-in' | 'offline';

interface AuthContextValue {
  api: ApiClient;
  status: AuthStatus;
  user: AuthUser | null;
  /** Why restoring the session failed (the server could not be reached), if it did. */
  restoreError: string | null;
  /** Why the last session ended, for the sign-in page (null: it did not, or nothing to say). */
  signOutReason: SignOutReason | null;
  retryRestore(): void;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** While offline, how often the session is checked again (besides the browser's `online` event). */
const OFFLINE_RETRY_MS = 15_000;

const unreachable = (error: unknown) => error instanceof ApiError && ['network', 'offline', 'timeout', 'unavailable'].includes(error.code);

/**
 * Owns the session: on page load it asks the auth service for a fresh access token with the
 * refresh cookie (so a reload keeps you signed in) and follows the ApiClient's sign-in and
 * sign-out events from then on. A first visit shows the sign-in form at once (it is in the
 * page already) while the check runs; someone signed in before sees a splash instead.
 */
export function AuthProvider({ children, api: givenApi }: { children: ReactNode; api?: ApiClient }) {
  const [api] = useState(() => givenApi ?? new ApiClient());
  const [hint] = useState(() => api.currentUser() ?? lastSignedInUser() ?? null);
  const [user, setUser] = useState<AuthUser | null>(() => api.currentUser());
  const [status, setStatus] = useState<AuthStatus>(() => (api.currentUser() ? 'signed-in' : hint ? 'restoring' : 'signed-out'));
  const [restoreError, setRestoreError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [signOutReason, setSignOutReason] = useState<SignOutReason | null>(null);
  const shownUser = useRef(user);
  shownUser.current = user;
  const signedInAs = useRef<string | null>(api.currentUser()?.id ?? null);
  const channel = useRef<SessionChannel | null>(null);
  /** Set while ending a session another tab announced: it is not announced back. */
  const endingFromChannel = useRef(false);

  useEffect(() => {
    const opened = openSessionChannel((userId, reason) => {
      const verdict = judgeOtherTabAnnouncement(
        { clientUserId: api.currentUser()?.id ?? null, clientSessionEnded: api.lastSignOutReason() !== null, shownUserId: shownUser.current?.id ?? null },
        userId,
      );
      if (verdict === 'ignore') return;
      if (verdict === 'end-screen') {
        forgetUser(userId);
        setUser(null);
        setSignOutReason(reason);
        setStatus('signed-out');
        return;
      }
      endingFromChannel.current = true;
      try {
        api.sessionEnded(reason);
      } finally {
        endingFromChannel.current = false;
      }
    });
    channel.current = opened;
    return () => {
      opened.close();
      channel.current = null;
    };
  }, [api]);

  useEffect(
    () =>
      api.onSessionChange((next) => {
        const previousId = signedInAs.current;
        signedInAs.current = next?.id ?? null;
        setUser((previous) => {
          if (!next && previous) forgetUser(previous.id);
          return next;
        });
        if (next) {
          rememberSignedInUser(next);
          setSignOutReason(null);
        } else {
          clearSignedInUser();
          const reason = api.lastSignOutReason();
          setSignOutReason(reason);
          // Every tab of this browser shares the session: they all return to sign-in now.
          if (previousId && reason && !endingFromChannel.current) channel.current?.announce(previousId, reason);
        }
        setStatus(next ? 'signed-in' : 'signed-out');
      }),
    [api],
  );

  useEffect(() => {
    if (api.currentUser()) return;
    let cancelled = false;
    api.restoreSession().then(
      (restored) => {
        if (cancelled) return;
        setRestoreError(null);
        if (!restored) {
          if (hint) forgetUser(hint.id);
          setStatus('signed-out');
        }
      },
      (error: unknown) => {
        if (cancelled) return;
        if (hint && unreachable(error)) {
          setUser(hint);
          setStatus('offline');
          return;
        }
        setRestoreError(describeError(error));
        setStatus('signed-out');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt, hint]);

  // Offline with a saved session: check again when the network is back.
  useEffect(() => {
    if (status !== 'offline') return;
    const retry = () => setAttempt((value) => value + 1);
    window.addEventListener('online', retry);
    const timer = setInterval(retry, OFFLINE_RETRY_MS);
    return () => {
      window.removeEventListener('online', retry);
      clearInterval(timer);
    };
  }, [status]);

  const retryRestore = useCallback(() => {
    setStatus('restoring');
    setAttempt((value) => value + 1);
  }, []);
  const logout = useCallback(async () => {
    const offlineUser = api.currentUser() ? null : lastSignedInUser();
    await api.logout().catch(() => undefined);
    // Offline there was no session in the client to end: sign out of what was saved.
    if (api.currentUser()) return;
    setUser((previous) => {
      if (previous) forgetUser(previous.id);
      return null;
    });
    clearSignedInUser();
    setSignOutReason('signed-out');
    if (offlineUser) channel.current?.announce(offlineUser.id, 'signed-out');
    setStatus('signed-out');
  }, [api]);

  const value = useMemo(
    () => ({ api, status, user, restoreError, signOutReason, retryRestore, logout }),
    [api, status, user, restoreError, signOutReason, retryRestore, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
