import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AuthUser } from '@parley/contracts';
import { ApiClient } from '../api/api-client';
import { describeError } from '../api/error-messages';

export type AuthStatus = 'restoring' | 'signed-out' | 'signed-in';

interface AuthContextValue {
  api: ApiClient;
  status: AuthStatus;
  user: AuthUser | null;
  /** Why restoring the session failed (the server could not be reached), if it did. */
  restoreError: string | null;
  retryRestore(): void;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/**
 * Owns the session: on page load it asks the auth service for a fresh access token with the
 * refresh cookie (so a reload keeps you signed in), and follows the ApiClient's sign-in and
 * sign-out events from then on.
 */
export function AuthProvider({ children, api: givenApi }: { children: ReactNode; api?: ApiClient }) {
  const [api] = useState(() => givenApi ?? new ApiClient());
  const [user, setUser] = useState<AuthUser | null>(() => api.currentUser());
  const [status, setStatus] = useState<AuthStatus>(() => (api.currentUser() ? 'signed-in' : 'restoring'));
  const [restoreError, setRestoreError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(
    () =>
      api.onSessionChange((next) => {
        setUser(next);
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
        if (!restored) setStatus('signed-out');
      },
      (error: unknown) => {
        if (cancelled) return;
        setRestoreError(describeError(error));
        setStatus('signed-out');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const retryRestore = useCallback(() => {
    setStatus('restoring');
    setAttempt((value) => value + 1);
  }, []);
  const logout = useCallback(() => api.logout().catch(() => undefined), [api]);

  const value = useMemo(() => ({ api, status, user, restoreError, retryRestore, logout }), [api, status, user, restoreError, retryRestore, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
