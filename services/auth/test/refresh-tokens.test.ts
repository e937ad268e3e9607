import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSessionSchema } from '@parley/contracts';
import { registerAccount, startAuthTestApp, type AuthTestApp } from './support/auth-test-app.js';
import { sql } from './support/test-sql.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

describe('refresh tokens (no reuse grace)', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ REFRESH_REUSE_GRACE_SECONDS: '0' }, 'auth_refresh');
  });
  afterAll(async () => {
    await app?.close();
  });

  const refresh = (refreshToken: string) => app.post('/api/v1/auth/refresh', { refreshToken });

  it('rotates: answers a new pair, marks the old token used and keeps it in the same family', async () => {
    const account = await registerAccount(app);
    const first: string = account.session.refreshToken;
    const response = await refresh(first);
    expect(response.status).toBe(200);
    const session = authSessionSchema.parse(response.body);
    expect(session.refreshToken).not.toBe(first);
    expect(session.user.id).toBe(account.session.user.id);

    const rows = await sql(
      app,
      `SELECT token_hash, family_id, used_at, revoked_at, replaced_by_id, id FROM auth.refresh_tokens
        WHERE user_id = $1 ORDER BY created_at`,
      [account.session.user.id],
    );
    expect(rows).toHaveLength(2);
    const [old, next] = rows;
    expect(old?.token_hash).toBe(sha256(first));
    expect(next?.token_hash).toBe(sha256(session.refreshToken ?? ''));
    expect(old?.used_at).not.toBeNull();
    expect(old?.replaced_by_id).toBe(next?.id);
    expect(next?.family_id).toBe(old?.family_id);
    expect(next?.used_at).toBeNull();

    // The successor works in turn.
    expect((await refresh(session.refreshToken ?? '')).status).toBe(200);
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const account = await registerAccount(app);
    const rows = await sql(app, `SELECT row_to_json(t)::text AS json FROM auth.refresh_tokens t WHERE user_id = $1`, [
      account.session.user.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.json)).not.toContain(account.session.refreshToken);
  });

  it('rejects a refresh token used twice and revokes its family', async () => {
    const account = await registerAccount(app);
    const first: string = account.session.refreshToken;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    const second: string = rotated.body.refreshToken;

    const replay = await refresh(first);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('unauthorized');

    // The legitimate successor died with its family, so a thief cannot keep the session either.
    expect((await refresh(second)).status).toBe(401);
    const live = await sql(app, `SELECT count(*)::int AS n FROM auth.refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [
      account.session.user.id,
    ]);
    expect(live[0]?.n).toBe(0);

    const metrics = await app.metrics();
    expect(metrics.text).toMatch(/parley_auth_refreshes_total\{outcome="reuse_detected",service="auth"\} [1-9]/);
    expect(metrics.text).toMatch(/parley_auth_refresh_reuse_detections_total\{service="auth"\} [1-9]/);
  });

  it('revoking one family leaves the other sessions of the user alone', async () => {
    const account = await registerAccount(app);
    const other = await app.post('/api/v1/auth/login', { login: account.username, password: account.password });
    const first: string = account.session.refreshToken;
    await refresh(first);
    expect((await refresh(first)).status).toBe(401);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it('rejects an expired refresh token', async () => {
    const account = await registerAccount(app);
    await sql(app, `UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
      account.session.user.id,
    ]);
    const response = await refresh(account.session.refreshToken);
    expect(response.status).toBe(401);
  });

  it('rejects unknown tokens, a missing token and malformed bodies', async () => {
    expect((await refresh(randomBytes(32).toString('base64url'))).status).toBe(401);
    const missing = await app.post('/api/v1/auth/refresh', {});
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toBe('A refresh token is required');
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: 'short' })).status).toBe(400);
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: randomBytes(32).toString('base64url'), extra: 1 })).status).toBe(400);
  });

  it('sets the lifetime of new refresh tokens from REFRESH_TOKEN_TTL_SECONDS (30 days by default)', async () => {
    const account = await registerAccount(app);
    const [row] = await sql(app, `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM auth.refresh_tokens WHERE user_id = $1`, [
      account.session.user.id,
    ]);
    expect(row?.ttl).toBe(2_592_000);
  });

  it('logout answers 204 and revokes the family of the token', async () => {
    const account = await registerAccount(app);
    const rotated = await refresh(account.session.refreshToken);
    const current: string = rotated.body.refreshToken;

    const logout = await app.post('/api/v1/auth/logout', { refreshToken: current });
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    expect((await refresh(current)).status).toBe(401);

    // Idempotent, and silent about tokens it does not know.
    expect((await app.post('/api/v1/auth/logout', { refreshToken: current })).status).toBe(204);
    expect((await app.post('/api/v1/auth/logout', { refreshToken: randomBytes(32).toString('base64url') })).status).toBe(204);
  });
});

describe('refresh tokens within the reuse grace window', () => {
  let app: AuthTestApp;

  beforeAll(async () => {
    app = await startAuthTestApp({ REFRESH_REUSE_GRACE_SECONDS: '10' }, 'auth_refresh_grace');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers a fresh pair of the same family when a just-used token is presented again (two tabs refreshing at once)', async () => {
    const account = await registerAccount(app);
    const first: string = account.session.refreshToken;
    const [tabA, tabB] = await Promise.all([
      app.post('/api/v1/auth/refresh', { refreshToken: first }),
      app.post('/api/v1/auth/refresh', { refreshToken: first }),
    ]);
    expect(tabA.status).toBe(200);
    expect(tabB.status).toBe(200);
    expect(tabA.body.refreshToken).not.toBe(tabB.body.refreshToken);

    const families = await sql(app, `SELECT DISTINCT family_id FROM auth.refresh_tokens WHERE user_id = $1`, [
      account.session.user.id,
    ]);
    expect(families).toHaveLength(1);
    // Both tabs carry on.
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: tabA.body.refreshToken })).status).toBe(200);
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: tabB.body.refreshToken })).status).toBe(200);
  });

  it('still treats reuse after the grace window as a replay', async () => {
    const account = await registerAccount(app);
    const first: string = account.session.refreshToken;
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: first })).status).toBe(200);
    await sql(app, `UPDATE auth.refresh_tokens SET used_at = now() - interval '11 seconds' WHERE token_hash = $1`, [sha256(first)]);
    expect((await app.post('/api/v1/auth/refresh', { refreshToken: first })).status).toBe(401);
    const live = await sql(app, `SELECT count(*)::int AS n FROM auth.refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [
      account.session.user.id,
    ]);
    expect(live[0]?.n).toBe(0);
  });
});
