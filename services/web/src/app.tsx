import { lazy, Suspense, useEffect, useState } from 'react';
import { AuthProvider, useAuth } from './auth/auth-context';
import { AuthScreen } from './auth/auth-screen';
import { useVerifyLater } from './auth/verify-later';
import { VerifyEmailScreen } from './auth/verify-email-screen';

/** Everything after sign-in (socket, store, chat screen) is its own chunk: the sign-in page does not wait for it. */
const loadSignedInApp = () => import('./layout/signed-in-app');
const SignedInApp = lazy(loadSignedInApp);

/** While the session is checked, or the chat chunk loads. */
export function Splash() {
  return (
    <main className="splash" aria-busy="true">
      <p role="status">Loading Parley…</p>
    </main>
  );
}

/** Signed out → sign in / register / reset; signed in → confirm email (skippable, remembered) → chat. */
function Gate() {
  const { api, status, user, restoreError, signOutReason, retryRestore } = useAuth();
  const [verifyLater, setVerifyLater] = useVerifyLater(user?.id);
  const [prefetch, setPrefetch] = useState(false);

  // Fetch the chat chunk once the sign-in page is up and idle, so signing in does not wait for it.
  useEffect(() => {
    if (status !== 'signed-out' || prefetch) return;
    const timer = setTimeout(() => {
      setPrefetch(true);
      void loadSignedInApp().catch(() => undefined);
    }, 3_000);
    return () => clearTimeout(timer);
  }, [status, prefetch]);

  if (status === 'restoring') return <Splash />;
  if (status === 'signed-out' || !user) return <AuthScreen api={api} restoreError={restoreError} signOutReason={signOutReason} onRetryRestore={retryRestore} />;
  if (!user.emailVerified && !verifyLater && status === 'signed-in') {
    return <VerifyEmailScreen api={api} user={user} onSkip={() => setVerifyLater(true)} />;
  }
  return (
    <Suspense fallback={<Splash />}>
      <SignedInApp api={api} user={user} onVerifyEmail={() => setVerifyLater(false)} />
    </Suspense>
  );
}

export function App() {
  return (
    <AuthProvider>
      <Gate />
    </AuthProvider>
  );
}
