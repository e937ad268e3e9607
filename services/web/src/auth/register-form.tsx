import { useState, type FormEvent } from 'react';
import { registerRequestSchema } from '@parley/contracts';
import type { ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import { validateForm, type FieldErrors } from './form-validation';

export interface RegisterFormProps {
  api: Pick<ApiClient, 'register'>;
  onSignIn(): void;
}

/** Registering signs the person in; the app then asks them to confirm their email address. */
export function RegisterForm({ api, onSignIn }: RegisterFormProps) {
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const checked = validateForm(registerRequestSchema, { email: email.trim(), username: username.trim(), password });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    setBusy(true);
    try {
      await api.register(checked.value);
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) setErrors(fieldErrors(error.details));
      setFailure(describeError(error, 'register'));
      setBusy(false);
    }
  };

  return (
    <form className="auth-form" onSubmit={submit} noValidate aria-labelledby="register-title">
      <h1 id="register-title">Create your Parley account</h1>
      <FormAlert>{failure}</FormAlert>
      <TextField label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} error={errors.email} autoFocus />
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        hint="3–32 characters: a–z, 0–9, “_” and “.”"
        value={username}
        onChange={(event) => setUsername(event.target.value.toLowerCase())}
        error={errors.username}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={errors.password}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating account…' : 'Create account'}
      </button>
      <div className="auth-links">
        <button type="button" className="link" onClick={onSignIn}>
          I already have an account
        </button>
      </div>
    </form>
  );
}
