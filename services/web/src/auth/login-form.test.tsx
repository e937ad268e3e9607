// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthUser } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { LoginForm } from './login-form';

afterEach(cleanup);

const user: AuthUser = { id: '00000000-0000-4000-8000-000000000001', email: 'ana@example.com', username: 'ana', roles: ['user'], emailVerified: true };

function renderForm(login: (request: { login: string; password: string }) => Promise<AuthUser>) {
  const api = { login: vi.fn(login) };
  render(<LoginForm api={api} onRegister={() => undefined} onForgotPassword={() => undefined} />);
  return api;
}

describe('the login form', () => {
  it('says which fields are missing and does not call the server', async () => {
    const api = renderForm(async () => user);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByLabelText('Username or email')).toHaveProperty('ariaInvalid', 'true');
    expect(screen.getByText('Enter your username or email address')).toBeTruthy();
    expect(screen.getByText('Enter your password')).toBeTruthy();
    expect(api.login).not.toHaveBeenCalled();
  });

  it('signs in with the trimmed login, submitting with Enter', async () => {
    const api = renderForm(async () => user);
    await userEvent.type(screen.getByLabelText('Username or email'), '  ana  ');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery{Enter}');
    expect(api.login).toHaveBeenCalledWith({ login: 'ana', password: 'correct horse battery' });
  });

  it('shows one generic message for a wrong pair, as an alert', async () => {
    renderForm(async () => {
      throw new ApiError('unauthorized', 'Invalid credentials', 401);
    });
    await userEvent.type(screen.getByLabelText('Username or email'), 'ana');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username, email or password.');
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false);
  });

  it('tells how long to wait when login attempts are rate limited', async () => {
    renderForm(async () => {
      throw new ApiError('rate_limited', 'Too many failed logins', 429, [], 90);
    });
    await userEvent.type(screen.getByLabelText('Username or email'), 'ana');
    await userEvent.type(screen.getByLabelText('Password'), 'guess{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 2 min.');
  });

  it('explains that the server cannot be reached', async () => {
    renderForm(async () => {
      throw new ApiError('network', 'fetch failed');
    });
    await userEvent.type(screen.getByLabelText('Username or email'), 'ana');
    await userEvent.type(screen.getByLabelText('Password'), 'whatever{Enter}');
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot reach Parley/);
  });
});
