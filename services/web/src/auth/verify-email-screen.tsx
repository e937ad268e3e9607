import { useState, type FormEvent } from 'react';
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

/**
 * Confirms the email address with a 6-digit code. A code is mailed only when the person asks
 * for one (not on every visit or tab); "Later" is remembered by the caller.
 */
export function VerifyEmailScreen({ api, user, onSkip }: VerifyEmailScreenProps) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);
  const [requested, setRequested] = useState(false);
  const [busy, setBusy] = useState(false);

  const requestCode = async () => {
    setError(null);
    setBusy(true);
    try {
      await api.requestEmailVerification();
      setNotice(`A code is on its way to ${user.email}. It can take a minute to arrive.`);
      setRequested(true);
    } catch (failure) {
      setError(describeError(failure, 'verify-email'));
    } finally {
      setBusy(false);
    }
  };

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
      setError(describeError(failure, 'verify-email'));
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <form className="auth-form" onSubmit={submit} noValidate aria-labelledby="verify-title">
        <h1 id="verify-title">Confirm your email address</h1>
        <p>
          Confirm that <strong dir="auto">{user.email}</strong> is yours: ask for a 6-digit code by email, then enter it here.
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
        <button type="button" className={requested ? undefined : 'primary'} disabled={busy} onClick={() => void requestCode()}>
          {requested ? 'Send a new code' : 'Email me a code'}
        </button>
        <button type="submit" className={requested ? 'primary' : undefined} disabled={busy}>
          Confirm email
        </button>
        <div className="auth-links">
          <button type="button" className="link" onClick={onSkip}>
            Later
          </button>
        </div>
      </form>
      <DevMailboxPanel api={api} email={user.email} kind="email-verification" onUseCode={setCode} />
    </main>
  );
}
