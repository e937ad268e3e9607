import { useState } from 'react';
import { AuthProvider, useAuth } from './auth/auth-context';
import { AuthScreen } from './auth/auth-screen';
import { VerifyEmailScreen } from './auth/verify-email-screen';
import { ChatScreen } from './layout/chat-screen';
import { ChatProvider } from './store/chat-context';

/** Signed out → sign in / register / reset; signed in → confirm email (skippable) → chat. */
function Gate() {
  const { api, status, user, restoreError, retryRestore } = useAuth();
  const [verifyLater, setVerifyLater] = useState(false);

  if (status === 'restoring') {
    return (
      <main className="splash" aria-busy="true">
        <p role="status">Loading Parley…</p>
      </main>
    );
  }
  if (status === 'signed-out' || !user) return <AuthScreen api={api} restoreError={restoreError} onRetryRestore={retryRestore} />;
  if (!user.emailVerified && !verifyLater) return <VerifyEmailScreen api={api} user={user} onSkip={() => setVerifyLater(true)} />;
  return (
    <ChatProvider key={user.id} api={api} selfId={user.id}>
      <ChatScreen user={user} onVerifyEmail={() => setVerifyLater(false)} />
    </ChatProvider>
  );
}

export function App() {
  return (
    <AuthProvider>
      <Gate />
    </AuthProvider>
  );
}
