import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSessionSchema } from '@parley/contracts';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

describe('POST /api/v1/auth/register', () => {
  let app: AuthTestApp;
  // Each attempt from its own client IP, so only the rate-limit test meets the per-IP limit.
  let nextIp = 1;
  const register = (body: unknown, options: { rawBody?: string } = {}) =>
    app.request('POST', '/api/v1/auth/register', { ...options, ...(body === undefined ? {} : { body }), ip: `203.0.113.${nextIp++}` });

  beforeAll(async () => {
    app = await startAuthTestApp({ REGISTER_LIMIT_PER_IP: '3' }, 'auth_register');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates an account and answers 201 with a session that matches the contract', async () => {
    const response = await register({
      email: 'Ada.Lovelace@Example.com',
      username: 'ada',
      password: 'analytical engine 1843',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const session = authSessionSchema.parse(response.body);
    expect(session.user).toEqual({
      id: expect.any(String),
      email: 'Ada.Lovelace@Example.com',
      username: 'ada',
      roles: ['user'],
      emailVerified: false,
    });
    expect(session.expiresIn).toBe(900);
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const header = decodeProtectedHeader(session.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    const claims = decodeJwt(session.accessToken);
    expect(claims).toMatchObject({
      sub: session.user.id,
      username: 'ada',
      roles: ['user'],
      iss: 'parley-auth',
      aud: 'parley',
      jti: expect.any(String),
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('stores an argon2id hash and the lower-cased email and username', async () => {
    const [row] = await sql(app, `SELECT * FROM auth.credentials WHERE username_lower = 'ada'`);
    expect(row).toMatchObject({ email: 'Ada.Lovelace@Example.com', email_lower: 'ada.lovelace@example.com', roles: ['user'] });
    expect(String(row?.password_hash)).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
  });

  it('rejects a taken email regardless of case with 409 naming the email field', async () => {
    const response = await register({
      email: 'ada.lovelace@EXAMPLE.com',
      username: 'someone_else',
      password: 'analytical engine 1843',
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: 'conflict',
      message: 'The email address is already registered',
      details: [{ path: 'email', message: 'is already registered' }],
    });
  });

  it('rejects a taken username with 409 naming the username field, and names both when both are taken', async () => {
    const username = await register({
      email: 'other@example.com',
      username: 'ada',
      password: 'analytical engine 1843',
    });
    expect(username.status).toBe(409);
    expect(username.body.error.details).toEqual([{ path: 'username', message: 'is already taken' }]);

    const both = await register({
      email: 'ADA.LOVELACE@example.com',
      username: 'ada',
      password: 'analytical engine 1843',
    });
    expect(both.status).toBe(409);
    expect(both.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(['email', 'username']);
  });

  it('lets exactly one of two simultaneous registrations of the same username through', async () => {
    const attempts = await Promise.all(
      ['racer.one@example.com', 'racer.two@example.com'].map((email) =>
        register({ email, username: 'racer', password: 'analytical engine 1843' }),
      ),
    );
    expect(attempts.map((response) => response.status).sort()).toEqual([201, 409]);
    const conflict = attempts.find((response) => response.status === 409);
    expect(conflict?.body.error.details).toEqual([{ path: 'username', message: 'is already taken' }]);
    expect(await sql(app, `SELECT id FROM auth.credentials WHERE username_lower = 'racer'`)).toHaveLength(1);
    expect(await sql(app, `SELECT id FROM auth.outbox WHERE payload->>'username' = 'racer'`)).toHaveLength(1);
  });

  it('answers 400 with per-field details for an invalid email, username and password', async () => {
    const response = await register({ email: 'not-an-email', username: 'Ab', password: 'short' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid');
    const paths = response.body.error.details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'username', 'password']));

    const tooLong = await register({
      email: 'long@example.com',
      username: 'a'.repeat(33),
      password: 'x'.repeat(129),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['password', 'username']);

    const badCharacters = await register({
      email: 'chars@example.com',
      username: 'no spaces!',
      password: 'analytical engine 1843',
    });
    expect(badCharacters.status).toBe(400);
    expect(badCharacters.body.error.details).toEqual([{ path: 'username', message: 'may contain only a-z, 0-9, "_" and "."' }]);
  });

  it('refuses a password from the common-passwords list, whatever its case', async () => {
    for (const password of ['password123', 'PassWord123', 'qwertyuiop', 'iloveyou']) {
      const response = await register({ email: 'common@example.com', username: 'common', password });
      expect(response.status, password).toBe(400);
      expect(response.body.error.details).toEqual([
        { path: 'password', message: 'is too common; choose a password that is harder to guess' },
      ]);
    }
  });

  it('rejects unknown fields', async () => {
    const response = await register({
      email: 'extra@example.com',
      username: 'extra',
      password: 'analytical engine 1843',
      roles: ['admin'],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].message).toContain('roles');
  });

  it('answers 400 to malformed JSON and 413 to a body over 64 KB, without stack traces', async () => {
    const malformed = await register(undefined, { rawBody: '{"email": "a@b.c",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: { code: 'invalid', message: 'The request body is not valid JSON' } });

    const huge = await register({
      email: 'huge@example.com',
      username: 'huge',
      password: 'analytical engine 1843',
      padding: 'x'.repeat(70 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual({ error: { code: 'payload_too_large', message: 'The request body is too large' } });
    expect(malformed.text + huge.text).not.toMatch(/at .+\.(js|ts):\d+/);
  });

  it('limits registrations per client IP with 429 and Retry-After', async () => {
    const ip = '198.51.100.20';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await registerAccount(app, { ip });
    }
    const limited = await app.post(
      '/api/v1/auth/register',
      { email: 'fourth@example.com', username: 'fourth', password: 'analytical engine 1843' },
      { ip },
    );
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another client is unaffected.
    await registerAccount(app, { ip: '198.51.100.21' });
  });
});
