import { useState } from 'react';
import type { ApiClient, SignOutReason } from '../api/api-client';
import { FormAlert } from '../ui/form-alert';
import { LoginForm } from './login-form';
import { PasswordResetScreen } from './password-reset-screen';
import { RegisterForm } from './register-form';
import { describeSignOut } from './sign-out-reasons';

export interface AuthScreenProps {
  api: ApiClient;
  /** Shown when the session could not be restored because the server was unreachable. */
  restoreError?: string | null;
  /** Why the person was signed out, said on the sign-in form. */
  signOutReason?: SignOutReason | null;
  onRetryRestore?(): void;
}

/** Signed out: sign in, register, or reset a forgotten password. */
export function AuthScreen({ api, restoreError, signOutReason = null, onRetryRestore }: AuthScreenProps) {
  const [mode, setMode] = useState<'login' | 'register' | 'reset'>('login');
  const [resetNotice, setNotice] = useState<string | null>(null);
  const notice = resetNotice ?? describeSignOut(signOutReason);
  return (
    <main className="auth-page">
      <p className="brand" aria-hidden="true">
        Parley
      </p>
      {restoreError && (
        <FormAlert>
          {restoreError}{' '}
          {onRetryRestore && (
            <button type="button" className="link" onClick={onRetryRestore}>
              Try again
            </button>
          )}
        </FormAlert>
      )}
      {mode === 'login' && <LoginForm api={api} notice={notice} onRegister={() => setMode('register')} onForgotPassword={() => setMode('reset')} />}
      {mode === 'register' && <RegisterForm api={api} onSignIn={() => setMode('login')} />}
      {mode === 'reset' && (
        <PasswordResetScreen
          api={api}
          onCancel={() => setMode('login')}
          onDone={(message) => {
            setNotice(message);
            setMode('login');
          }}
        />
      )}
    </main>
  );
}
