import { useState, type FormEvent } from 'react';
import { passwordResetConfirmSchema, passwordResetRequestSchema } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { DevMailboxPanel } from './dev-mailbox-panel';
import { validateForm, type FieldErrors } from './form-validation';

export interface PasswordResetScreenProps {
  api: Pick<ApiClient, 'requestPasswordReset' | 'confirmPasswordReset' | 'devMailbox'>;
  onDone(notice: string): void;
  onCancel(): void;
}

/** Forgotten password: ask for a code by email, then set a new password with it. */
export function PasswordResetScreen({ api, onDone, onCancel }: PasswordResetScreenProps) {
  const [step, setStep] = useState<'request' | 'confirm'>('request');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await action();
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) setErrors(fieldErrors(error.details));
      setFailure(describeError(error, 'reset-password'));
    } finally {
      setBusy(false);
    }
  };

  const requestCode = (event: FormEvent) => {
    event.preventDefault();
    const checked = validateForm(passwordResetRequestSchema, { email: email.trim() });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    const request = checked.value;
    void run(async () => {
      setNotice(await api.requestPasswordReset(request.email));
      setStep('confirm');
    });
  };

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    const checked = validateForm(passwordResetConfirmSchema, { email: email.trim(), code: code.trim(), newPassword });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    const request = checked.value;
    void run(async () => {
      await api.confirmPasswordReset(request);
      onDone('Your password was changed. Sign in with the new one.');
    });
  };

  return (
    <>
      {step === 'request' ? (
        <form className="auth-form" onSubmit={requestCode} noValidate aria-labelledby="reset-title">
          <h1 id="reset-title">Reset your password</h1>
          <p>Enter the email address of your account; we will send it a code.</p>
          <FormAlert>{failure}</FormAlert>
          <TextField label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} error={errors.email} autoFocus />
          <button type="submit" className="primary" disabled={busy}>
            Send reset code
          </button>
          <div className="auth-links">
            <button type="button" className="link" onClick={onCancel}>
              Back to sign in
            </button>
          </div>
        </form>
      ) : (
        <form className="auth-form" onSubmit={confirm} noValidate aria-labelledby="reset-confirm-title">
          <h1 id="reset-confirm-title">Choose a new password</h1>
          <FormAlert kind="notice">{notice}</FormAlert>
          <FormAlert>{failure}</FormAlert>
          <TextField
            label="Reset code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
            error={errors.code}
            autoFocus
          />
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="At least 8 characters"
            value={newPassword}
            onChange={(event) => setNewPassword(event.target.value)}
            error={errors.newPassword}
          />
          <button type="submit" className="primary" disabled={busy}>
            Change password
          </button>
          <div className="auth-links">
            <button type="button" className="link" onClick={() => setStep('request')}>
              Send another code
            </button>
            <button type="button" className="link" onClick={onCancel}>
              Back to sign in
            </button>
          </div>
        </form>
      )}
      {step === 'confirm' && <DevMailboxPanel api={api} email={email.trim()} kind="password-reset" onUseCode={setCode} />}
    </>
  );
}
