import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { AccountSession, ErrorDetail } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import type { FieldErrors } from '../auth/form-validation';
import { fullDateTime, relativeTime } from '../time/date-labels';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { describeUserAgent } from './session-label';

/** Field problems in plain words; a wrong password says so rather than what a new one needs. */
function accountFieldErrors(details: readonly ErrorDetail[]): FieldErrors {
  const fields = fieldErrors(details);
  for (const detail of details) {
    if (detail.message === 'is incorrect') fields[detail.path] = 'That password is not right.';
    else if (/common/.test(detail.message)) fields[detail.path] = 'That password is too common. Choose another.';
  }
  return fields;
}

function ChangePasswordForm() {
  const { api } = useAuth();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    const found: FieldErrors = {};
    if (!currentPassword) found.currentPassword = 'Enter your current password.';
    if (newPassword.length < 8) found.newPassword = 'Use at least 8 characters.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await api.changePassword({ currentPassword, newPassword });
      setCurrentPassword('');
      setNewPassword('');
      setNotice('Password changed. Your other sessions were signed out.');
    } catch (error) {
      if (error instanceof ApiError) setErrors(accountFieldErrors(error.details));
      setFailure(describeError(error, 'account'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="account-password-title">
      <h3 id="account-password-title">Change password</h3>
      <FormAlert>{failure}</FormAlert>
      <FormAlert kind="notice">{notice}</FormAlert>
      <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={currentPassword} onChange={(event) => setCurrentPassword(event.target.value)} error={errors.currentPassword} data-autofocus />
      <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" hint="At least 8 characters." value={newPassword} onChange={(event) => setNewPassword(event.target.value)} error={errors.newPassword} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

function SessionsSection() {
  const { api } = useAuth();
  const [sessions, setSessions] = useState<AccountSession[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);

  const load = useCallback(() => {
    api.accountSessions().then(
      (list) => setSessions(list.sessions),
      (error: unknown) => setFailure(describeError(error, 'account')),
    );
  }, [api]);
  useEffect(load, [load]);

  const end = async (session: AccountSession, label: string) => {
    setFailure(null);
    setNotice(null);
    try {
      await api.endAccountSession(session.id);
      setNotice(`Signed out: ${label}.`);
    } catch (error) {
      setFailure(describeError(error, 'account'));
    }
    load();
  };

  const now = new Date();
  return (
    <section aria-labelledby="account-sessions-title">
      <h3 id="account-sessions-title">Where you are signed in</h3>
      <FormAlert>{failure}</FormAlert>
      <FormAlert kind="notice">{notice}</FormAlert>
      {sessions === null ? (
        <p role="status">Loading sessions…</p>
      ) : (
        <ul className="session-list" aria-label="Sessions">
          {sessions.map((session) => {
            const label = describeUserAgent(session.userAgent) ?? 'Unknown browser';
            const lastUsed = new Date(session.lastUsedAt);
            return (
              <li key={session.id} className="session-item">
                <div>
                  <strong>{label}</strong>
                  {session.current && <span className="tag"> · This session</span>}
                  <p className="field-hint">
                    Signed in {fullDateTime(new Date(session.createdAt))} · active{' '}
                    <time dateTime={session.lastUsedAt} title={fullDateTime(lastUsed)}>
                      {relativeTime(lastUsed, now)}
                    </time>
                    {session.ip ? ` · ${session.ip}` : ''}
                  </p>
                </div>
                {!session.current && (
                  <button type="button" onClick={() => void end(session, label)} aria-label={`Sign out: ${label}, active ${relativeTime(lastUsed, now)}`}>
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="danger" onClick={() => setConfirmEverywhere(true)}>
        Sign out everywhere
      </button>
      {confirmEverywhere && (
        <ConfirmDialog
          title="Sign out everywhere?"
          confirmLabel="Sign out everywhere"
          onConfirm={() => api.logoutEverywhere()}
          onClose={() => setConfirmEverywhere(false)}
          describeFailure={(error) => describeError(error, 'account')}
        >
          Every session of your account ends now, this one included. You will need your password to sign in again.
        </ConfirmDialog>
      )}
    </section>
  );
}

function DeleteAccountForm() {
  const { api } = useAuth();
  const explanationId = useId();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!password) {
      setError('Enter your password to confirm.');
      return;
    }
    setError(undefined);
    setConfirming(true);
  };

  const describeFailure = (failure: unknown) => {
    if (failure instanceof ApiError && failure.details.some((detail) => detail.message === 'is incorrect')) {
      return 'That password is not right. Nothing was deleted.';
    }
    return describeError(failure, 'account');
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="account-delete-title" aria-describedby={explanationId}>
      <h3 id="account-delete-title">Delete account</h3>
      <p id={explanationId} className="field-hint">
        Your profile, friends, friend requests and blocks are removed and you leave every room. Messages you sent stay in their rooms, shown as from a
        deleted user.
      </p>
      <TextField label="Password to confirm" name="deletePassword" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} error={error} />
      <button type="submit" className="danger">
        Delete account…
      </button>
      {confirming && (
        <ConfirmDialog
          title="Delete your account?"
          confirmLabel="Delete my account"
          onConfirm={() => api.deleteAccount(password)}
          onClose={() => setConfirming(false)}
          describeFailure={describeFailure}
        >
          This cannot be undone. Every session ends now.
        </ConfirmDialog>
      )}
    </form>
  );
}

/** Account settings: change the password, see and end sessions, delete the account. */
export function AccountSettingsDialog({ onClose }: { onClose(): void }) {
  return (
    <Dialog title="Account settings" onClose={onClose} wide>
      <div className="account-settings">
        <ChangePasswordForm />
        <SessionsSection />
        <DeleteAccountForm />
      </div>
    </Dialog>
  );
}
