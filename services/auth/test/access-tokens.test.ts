import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, base64url, decodeProtectedHeader, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwksSchema } from '@parley/contracts';
import { registerAccount, startAuthTestApp, type AuthTestApp, type TestAccount } from './support/auth-test-app.js';

describe('access tokens and the JWKS', () => {
  let app: AuthTestApp;
  let account: TestAccount;
  let serviceKey: { kid: string; privateKey: CryptoKey };

  beforeAll(async () => {
    app = await startAuthTestApp({}, 'auth_tokens');
    account = await registerAccount(app);
    // The service generated its key on start; tests sign with it to isolate each claim check.
    const [file] = await readdir(app.signingKeysDir);
    const jwk = JSON.parse(await readFile(join(app.signingKeysDir, file ?? ''), 'utf8')) as { kid: string; d: string };
    serviceKey = { kid: jwk.kid, privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey };
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A token like the service's own, with overrides. */
  const token = (
    options: { claims?: Record<string, unknown>; kid?: string; key?: CryptoKey; iat?: number; exp?: number; iss?: string; aud?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ username: account.username, roles: ['user'], sid: randomUUID(), ...options.claims })
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? serviceKey.kid, typ: 'JWT' })
      .setSubject(account.session.user.id)
      .setIssuer(options.iss ?? 'parley-auth')
      .setAudience(options.aud ?? 'parley')
      .setIssuedAt(options.iat ?? now)
      .setExpirationTime(options.exp ?? now + 300)
      .setJti('test')
      .sign(options.key ?? serviceKey.privateKey);
  };

  const me = (accessToken: string) => app.get('/api/v1/auth/me', { token: accessToken });

  it('serves the JWKS at both paths with only public members and a short public cache', async () => {
    for (const path of ['/.well-known/jwks.json', '/api/v1/auth/.well-known/jwks.json']) {
      const response = await app.get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      const jwks = jwksSchema.parse(response.body);
      expect(jwks.keys).toHaveLength(1);
      expect(Object.keys(response.body.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(response.text).not.toContain('"d"');
      expect(jwks.keys[0]?.kid).toBe(decodeProtectedHeader(account.session.accessToken).kid);
    }
  });

  it('accepts its own tokens and a well-formed token signed with its key', async () => {
    expect((await me(account.session.accessToken)).status).toBe(200);
    expect((await me(await token())).status).toBe(200);
  });

  it('writes its generated signing key with mode 0600', async () => {
    const [file] = await readdir(app.signingKeysDir);
    expect((await stat(join(app.signingKeysDir, file ?? ''))).mode & 0o777).toBe(0o600);
  });

  const rejected: Array<[string, () => Promise<string>]> = [
    ['an expired token', () => token({ iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 })],
    [
      'an unsigned token (alg none)',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
        const [, payload] = (await token()).split('.');
        return `${header}.${payload}.`;
      },
    ],
    [
      'a valid ES256 token signed by another key under the same kid',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return token({ key: privateKey });
      },
    ],
    ['a token for another audience', () => token({ aud: 'someone-else' })],
    ['a token from another issuer', () => token({ iss: 'evil-auth' })],
    [
      'an HS256 token keyed with the public key',
      async () => {
        const jwks = (await app.get('/.well-known/jwks.json')).body as { keys: Array<{ x: string }> };
        const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
        return new SignJWT({ username: account.username, roles: ['user'] })
          .setProtectedHeader({ alg: 'HS256', kid: serviceKey.kid })
          .setSubject(account.session.user.id)
          .setIssuer('parley-auth')
          .setAudience('parley')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(secret);
      },
    ],
    ['a token with an unknown kid', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return token({ key: privateKey, kid: 'unknown-kid' });
    }],
    ['a token whose claims break the contract (roles not a list)', () => token({ claims: { roles: 'admin' } })],
    ['a token without a session (no sid)', () => token({ claims: { sid: undefined } })],
    ['a token whose sid is not a session id', () => token({ claims: { sid: 'everything' } })],
    ['a tampered token (payload changed after signing)', async () => {
      const [header, , signature] = (await token()).split('.');
      const payload = base64url.encode(JSON.stringify({ sub: account.session.user.id, roles: ['admin'], username: 'x', iss: 'parley-auth', aud: 'parley', iat: 1, exp: 9_999_999_999 }));
      return `${header}.${payload}.${signature}`;
    }],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(rejected)('answers 401 to %s on an authenticated endpoint', async (_name, make) => {
    const response = await me(await make());
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'unauthorized', message: 'The access token is invalid or expired' } });
  });

  it('answers 401 without a bearer token', async () => {
    const response = await app.post('/api/v1/auth/email/verify/request');
    expect(response.status).toBe(401);
    expect(response.body.error.message).toBe('Missing bearer token');
  });
});
