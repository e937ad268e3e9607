import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from './api-client';
import { ApiError } from './api-error';

const USER = { id: '00000000-0000-4000-8000-000000000001', email: 'ana@example.com', username: 'ana', roles: ['user'], emailVerified: false };
const PROFILE = { id: USER.id, username: 'ana', displayName: null, bio: null, avatarUrl: null, createdAt: '2026-01-01T00:00:00.000Z', email: USER.email, mentionDigest: true, updatedAt: '2026-01-01T00:00:00.000Z' };
const session = (token: string) => ({ user: USER, accessToken: token, expiresIn: 900 });

interface Call {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted server: each handler answers by path; every call is recorded. */
function fakeServer(handlers: Record<string, (call: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://parley.test');
    const call: Call = {
      path: url.pathname,
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const handler = handlers[url.pathname];
    if (!handler) return json(404, { error: { code: 'not_found', message: 'No such endpoint' } });
    return handler(call);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.useRealTimers());

describe('the API client', () => {
  it('asks for the refresh token as a cookie on login, and keeps the access token in memory for later calls', async () => {
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('token-1')),
      '/api/v1/users/me': () => json(200, PROFILE),
    });
    const api = new ApiClient({ fetch: server.fetch });
    await api.login({ login: 'ana', password: 'correct horse battery' });
    await api.me();
    expect(server.calls[0]!.headers['x-parley-token-transport']).toBe('cookie');
    expect(server.calls[0]!.headers.authorization).toBeUndefined();
    expect(server.calls[1]!.headers.authorization).toBe('Bearer token-1');
  });

  it('restores the session on page load from the refresh cookie, or reports none', async () => {
    const signedIn = fakeServer({ '/api/v1/auth/refresh': () => json(200, session('restored')) });
    const api = new ApiClient({ fetch: signedIn.fetch });
    expect(await api.restoreSession()).toMatchObject({ username: 'ana' });
    expect(api.currentAccessToken()).toBe('restored');
    expect(signedIn.calls[0]!.headers['x-parley-token-transport']).toBe('cookie');

    const signedOut = fakeServer({ '/api/v1/auth/refresh': () => json(401, { error: { code: 'unauthorized', message: 'No refresh token' } }) });
    expect(await new ApiClient({ fetch: signedOut.fetch }).restoreSession()).toBeNull();
  });

  it('refreshes once on a 401 and retries the request once with the new token', async () => {
    let meCalls = 0;
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('expired')),
      '/api/v1/auth/refresh': () => json(200, session('fresh')),
      '/api/v1/users/me': (call) => {
        meCalls += 1;
        return call.headers.authorization === 'Bearer fresh' ? json(200, PROFILE) : json(401, { error: { code: 'unauthorized', message: 'expired' } });
      },
    });
    const api = new ApiClient({ fetch: server.fetch });
    await api.login({ login: 'ana', password: 'x' });
    await expect(api.me()).resolves.toMatchObject({ username: 'ana' });
    expect(meCalls).toBe(2);
    expect(server.calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('gives up after one retry, and signs out when the refresh is refused', async () => {
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('expired')),
      '/api/v1/auth/refresh': () => json(401, { error: { code: 'unauthorized', message: 'Session revoked' } }),
      '/api/v1/users/me': () => json(401, { error: { code: 'unauthorized', message: 'expired' } }),
    });
    const api = new ApiClient({ fetch: server.fetch });
    const sessions: Array<string | null> = [];
    api.onSessionChange((user) => sessions.push(user?.username ?? null));
    await api.login({ login: 'ana', password: 'x' });
    await expect(api.me()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(server.calls.filter((call) => call.path === '/api/v1/users/me')).toHaveLength(1);
    expect(sessions).toEqual(['ana', null]);
    expect(api.currentAccessToken()).toBeNull();
  });

  it('shares one refresh between requests that fail together', async () => {
    let release: () => void = () => undefined;
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('expired')),
      '/api/v1/auth/refresh': () => new Promise<Response>((resolve) => (release = () => resolve(json(200, session('fresh'))))),
      '/api/v1/users/me': (call) => (call.headers.authorization === 'Bearer fresh' ? json(200, PROFILE) : json(401, { error: { code: 'unauthorized', message: 'expired' } })),
    });
    const api = new ApiClient({ fetch: server.fetch });
    await api.login({ login: 'ana', password: 'x' });
    const both = Promise.all([api.me(), api.me()]);
    await vi.waitFor(() => expect(server.calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1));
    release();
    await expect(both).resolves.toHaveLength(2);
    expect(server.calls.filter((call) => call.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('renews the access token a minute before it expires', async () => {
    vi.useFakeTimers();
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('first')),
      '/api/v1/auth/refresh': () => json(200, session('second')),
    });
    const api = new ApiClient({ fetch: server.fetch });
    await api.login({ login: 'ana', password: 'x' });
    await vi.advanceTimersByTimeAsync(839_000);
    expect(api.currentAccessToken()).toBe('first');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(api.currentAccessToken()).toBe('second');
  });

  it('tells its listeners every new access token (sign-in and each renewal)', async () => {
    const server = fakeServer({
      '/api/v1/auth/login': () => json(200, session('first')),
      '/api/v1/auth/refresh': () => json(200, session('second')),
    });
    const api = new ApiClient({ fetch: server.fetch });
    const tokens: string[] = [];
    const stop = api.onAccessToken((token) => tokens.push(token));
    await api.login({ login: 'ana', password: 'x' });
    await api.refresh();
    stop();
    await api.refresh();
    expect(tokens).toEqual(['first', 'second']);
  });

  it('turns the error body into a typed error with its details', async () => {
    const server = fakeServer({
      '/api/v1/auth/register': () => json(400, { error: { code: 'invalid', message: 'Invalid request', details: [{ path: 'password', message: 'is too common' }] } }),
    });
    const failure = await new ApiClient({ fetch: server.fetch }).register({ email: 'a@b.co', username: 'ana', password: 'password1' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'invalid', status: 400, details: [{ path: 'password', message: 'is too common' }] });
  });

  it('reports a request that never reached the server as a network error', async () => {
    const api = new ApiClient({ fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch });
    await expect(api.login({ login: 'ana', password: 'x' })).rejects.toMatchObject({ code: 'network' });
  });

  it('reads the local dev mailbox where it exists, and null where it does not', async () => {
    const local = fakeServer({
      '/dev/mailbox': () => json(200, { messages: [{ to: 'ana@example.com', subject: 'Your code', text: 'code 123456', kind: 'email-verification', sentAt: 'now' }] }),
    });
    expect(await new ApiClient({ fetch: local.fetch }).devMailbox('ana@example.com')).toHaveLength(1);
    expect(await new ApiClient({ fetch: fakeServer({}).fetch }).devMailbox('ana@example.com')).toBeNull();
  });
});
