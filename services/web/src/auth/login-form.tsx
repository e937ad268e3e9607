import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/api-client';
import { describeError } from '../api/error-messages';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';
import type { FieldErrors } from './form-validation';

export interface LoginFormProps {
  api: Pick<ApiClient, 'login'>;
  onRegister(): void;
  onForgotPassword(): void;
  notice?: string | null;
}

export function LoginForm({ api, onRegister, onForgotPassword, notice }: LoginFormProps) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!login.trim()) found.login = 'Enter your username or email address';
    if (!password) found.password = 'Enter your password';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await api.login({ login: login.trim(), password });
    } catch (error) {
      setFailure(describeError(error, 'login'));
      setBusy(false);
    }
  };

  return (
    <form className="auth-form" onSubmit={submit} noValidate aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Parley</h1>
      <FormAlert kind="notice">{notice}</FormAlert>
      <FormAlert>{failure}</FormAlert>
      <TextField label="Username or email" name="login" autoComplete="username" value={login} onChange={(event) => setLogin(event.target.value)} error={errors.login} autoFocus />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={errors.password}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <div className="auth-links">
        <button type="button" className="link" onClick={onRegister}>
          Create an account
        </button>
        <button type="button" className="link" onClick={onForgotPassword}>
          Forgot your password?
        </button>
      </div>
    </form>
  );
}
