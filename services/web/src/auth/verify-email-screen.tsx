import { useEffect, useState, type FormEvent } from 'react';
import { verificationCodeSchema, type AuthUser } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { describeError } from '../api/error-messages';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { DevMailboxPanel } from './dev-mailbox-panel';

export interface VerifyEmailScreenProps {
  api: Pick<ApiClient, 'requestEmailVerification' | 'confirmEmail' | 'devMailbox'>;
  user: AuthUser;
  onSkip(): void;
}

const requestedKey = (userId: string) => `parley:verification-requested:${userId}`;

/** Confirms the email address with the 6-digit code; a code is requested once per browser session. */
export function VerifyEmailScreen({ api, user, onSkip }: VerifyEmailScreenProps) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const requestCode = async () => {
    setError(null);
    try {
      setNotice(await api.requestEmailVerification());
      sessionStorage.setItem(requestedKey(user.id), '1');
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  useEffect(() => {
    if (sessionStorage.getItem(requestedKey(user.id))) return;
    sessionStorage.setItem(requestedKey(user.id), '1');
    void requestCode();
  }, [user.id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const checked = verificationCodeSchema.safeParse(code.trim());
    if (!checked.success) {
      setCodeError('Enter the 6-digit code from the email');
      return;
    }
    setCodeError(undefined);
    setBusy(true);
    try {
      await api.confirmEmail(checked.data);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <form className="auth-form" onSubmit={submit} noValidate aria-labelledby="verify-title">
        <h1 id="verify-title">Confirm your email address</h1>
        <p>
          We sent a 6-digit code to <strong>{user.email}</strong>. Enter it here to confirm the address.
        </p>
        <FormAlert kind="notice">{notice}</FormAlert>
        <FormAlert>{error}</FormAlert>
        <TextField
          label="Verification code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
          error={codeError}
          autoFocus
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Confirming…' : 'Confirm email'}
        </button>
        <div className="auth-links">
          <button type="button" className="link" onClick={() => void requestCode()}>
            Send a new code
          </button>
          <button type="button" className="link" onClick={onSkip}>
            Later
          </button>
        </div>
      </form>
      <DevMailboxPanel api={api} email={user.email} kind="email-verification" onUseCode={setCode} />
    </main>
  );
}
