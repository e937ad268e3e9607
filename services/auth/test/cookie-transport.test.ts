import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME, TOKEN_TRANSPORT_HEADER } from '@parley/contracts';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';

const COOKIE_MODE = { [TOKEN_TRANSPORT_HEADER]: 'cookie' };

/** The `parley_refresh` Set-Cookie header of a response. */
function refreshCookie(headers: Headers): string | undefined {
  return headers.getSetCookie().find((cookie) => cookie.startsWith(`${REFRESH_COOKIE_NAME}=`));
}

function cookieValue(setCookie: string | undefined): string {
  return /^parley_refresh=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';
}

describe('refresh token cookie transport', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_cookie');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on the auth path and omits it from the body', async () => {
    const account = await registerAccount(app, { headers: COOKIE_MODE });
    expect(account.session.refreshToken).toBeUndefined();
    expect(account.session.accessToken).toEqual(expect.any(String));

    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { headers: COOKIE_MODE });
    expect(login.status).toBe(200);
    expect(login.body.refreshToken).toBeUndefined();
    const cookie = refreshCookie(login.headers);
    expect(cookie).toBeDefined();
    const attributes = (cookie ?? '').split(';').map((part) => part.trim());
    expect(cookieValue(cookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/api/v1/auth', 'Max-Age=2592000']),
    );
  });

  it('refreshes from the cookie when the transport header is present, rotating the cookie', async () => {
    const account = await registerAccount(app, { headers: COOKIE_MODE });
    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { headers: COOKIE_MODE });
    const token = cookieValue(refreshCookie(login.headers));

    const refreshed = await app.post('/api/v1/auth/refresh', undefined, {
      headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE_NAME}=${token}` },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const next = cookieValue(refreshCookie(refreshed.headers));
    expect(next).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(next).not.toBe(token);
  });

  it('ignores the cookie without the transport header (a cross-site form cannot send it)', async () => {
    const account = await registerAccount(app, { headers: COOKIE_MODE });
    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { headers: COOKIE_MODE });
    const token = cookieValue(refreshCookie(login.headers));

    const withoutHeader = await app.post('/api/v1/auth/refresh', undefined, { headers: { cookie: `${REFRESH_COOKIE_NAME}=${token}` } });
    expect(withoutHeader.status).toBe(401);
    const logoutWithoutHeader = await app.post('/api/v1/auth/logout', undefined, { headers: { cookie: `${REFRESH_COOKIE_NAME}=${token}` } });
    expect(logoutWithoutHeader.status).toBe(204);

    // Neither request touched the token: with the header it still works.
    const withHeader = await app.post('/api/v1/auth/refresh', undefined, {
      headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE_NAME}=${token}` },
    });
    expect(withHeader.status).toBe(200);
  });

  it('logout with the cookie revokes its family and clears the cookie', async () => {
    const account = await registerAccount(app, { headers: COOKIE_MODE });
    const login = await app.post('/api/v1/auth/login', { login: account.username, password: account.password }, { headers: COOKIE_MODE });
    const token = cookieValue(refreshCookie(login.headers));

    const logout = await app.post('/api/v1/auth/logout', undefined, { headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE_NAME}=${token}` } });
    expect(logout.status).toBe(204);
    const cleared = refreshCookie(logout.headers);
    expect(cookieValue(cleared)).toBe('');
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(cleared).toContain('Path=/api/v1/auth');

    const after = await app.post('/api/v1/auth/refresh', undefined, { headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE_NAME}=${token}` } });
    expect(after.status).toBe(401);
    // A dead cookie gets cleared too.
    expect(cookieValue(refreshCookie(after.headers))).toBe('');
  });

  it('prefers a token in the body over the cookie', async () => {
    const account = await registerAccount(app);
    const response = await app.post(
      '/api/v1/auth/refresh',
      { refreshToken: account.session.refreshToken },
      { headers: { ...COOKIE_MODE, cookie: `${REFRESH_COOKIE_NAME}=not-a-real-token-at-all-xxxxxxxx` } },
    );
    expect(response.status).toBe(200);
    expect(response.body.refreshToken).toBeUndefined();
    expect(cookieValue(refreshCookie(response.headers))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
