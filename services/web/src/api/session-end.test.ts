import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './api-client';
import { describeSignOut } from '../auth/sign-out-reasons';

const USER = { id: '00000000-0000-4000-8000-000000000001', email: 'ana@example.com', username: 'ana', roles: ['user'], emailVerified: false };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A client signed in through a scripted server; `answers` by path, recorded in `calls`. */
async function signedIn(answers: Record<string, () => Response | Promise<Response>> = {}) {
  const calls: string[] = [];
  let refreshes = 0;
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const path = new URL(String(input), 'http://parley.test').pathname;
    calls.push(path);
    if (path === '/api/v1/auth/login') return json(200, { user: USER, accessToken: 'first', expiresIn: 900 });
    if (path === '/api/v1/auth/refresh') return json(200, { user: USER, accessToken: `renewed-${(refreshes += 1)}`, expiresIn: 900 });
    const answer = answers[path];
    return answer ? answer() : json(404, { error: { code: 'not_found', message: 'No such endpoint' } });
  }) as unknown as typeof globalThis.fetch;
  const api = new ApiClient({ fetch });
  await api.login({ login: 'ana', password: 'correct horse battery' });
  const changes: Array<string | null> = [];
  api.onSessionChange((user) => changes.push(user ? user.id : null));
  return { api, calls, changes };
}

describe('the end of a session, as the client sees it', () => {
  it('ends at once on the server’s word (session:ended), and remembers why', async () => {
    const { api, changes } = await signedIn();
    api.sessionEnded('password-change');
    expect(api.currentUser()).toBeNull();
    expect(api.currentAccessToken()).toBeNull();
    expect(changes).toEqual([null]);
    expect(api.lastSignOutReason()).toBe('password-change');
    expect(describeSignOut(api.lastSignOutReason())).toBe('Your password was changed. Sign in with the new password.');
  });

  it('renews an expired token instead of ending the session', async () => {
    const { api, calls, changes } = await signedIn();
    api.sessionEnded('expired');
    await vi.waitFor(() => expect(api.currentAccessToken()).toBe('renewed-1'));
    expect(calls).toContain('/api/v1/auth/refresh');
    expect(changes).not.toContain(null);
  });

  it('says its own reason when it ends the session itself, even if the server’s word arrives first', async () => {
    let answer: ((response: Response) => void) | undefined;
    const { api } = await signedIn({ '/api/v1/auth/account': () => new Promise<Response>((resolve) => (answer = resolve)) });
    const deleting = api.deleteAccount('correct horse battery');
    await vi.waitFor(() => expect(answer).toBeDefined());
    api.sessionEnded('logout-all');
    expect(api.currentUser()).not.toBeNull();
    answer?.(new Response(null, { status: 204 }));
    await deleting;
    expect(api.lastSignOutReason()).toBe('account-deleted');
    expect(describeSignOut('other-tab')).toBe('You signed out in another tab.');
  });

  it('stays signed out when a renewal that was on the wire during the logout is answered afterwards', async () => {
    let answerRefresh: ((response: Response) => void) | undefined;
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      const path = new URL(String(input), 'http://parley.test').pathname;
      if (path === '/api/v1/auth/login') return json(200, { user: USER, accessToken: 'first', expiresIn: 900 });
      if (path === '/api/v1/auth/refresh') return new Promise<Response>((resolve) => (answerRefresh = resolve));
      return new Response(null, { status: 204 });
    }) as unknown as typeof globalThis.fetch;
    const api = new ApiClient({ fetch });
    await api.login({ login: 'ana', password: 'correct horse battery' });
    const renewal = api.refresh();
    await vi.waitFor(() => expect(answerRefresh).toBeDefined());
    await api.logout();
    // The server renewed before it saw the logout; the answer arrives last.
    answerRefresh?.(json(200, { user: USER, accessToken: 'renewed', expiresIn: 900 }));
    await expect(renewal).resolves.toBeNull();
    expect(api.currentUser()).toBeNull();
    expect(api.currentAccessToken()).toBeNull();
    expect(api.lastSignOutReason()).toBe('signed-out');
  });

  it('keeps the session when deleting the account is refused (a wrong password)', async () => {
    const { api } = await signedIn({
      '/api/v1/auth/account': () => json(400, { error: { code: 'invalid', message: 'The password is incorrect', details: [{ path: 'password', message: 'is incorrect' }] } }),
    });
    await expect(api.deleteAccount('wrong')).rejects.toMatchObject({ code: 'invalid' });
    expect(api.currentUser()).not.toBeNull();
    expect(api.lastSignOutReason()).toBeNull();
  });
});
