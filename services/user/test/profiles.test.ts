import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownProfileSchema, publicProfileSchema } from '@parley/contracts';
import { startUserService, type UserServiceHarness } from './support/user-service-harness.js';

let service: UserServiceHarness;

beforeAll(async () => {
  service = await startUserService({}, 'profiles');
});

afterAll(async () => {
  await service?.close();
});

describe('authentication', () => {
  const subject = () => ({ id: randomUUID(), username: `ghost${Math.floor(Math.random() * 1e6)}` });

  it('answers 401 without a bearer token', async () => {
    const result = await service.request('GET', '/api/v1/users/me');
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe('unauthorized');
  });

  it('answers 401 to a malformed authorization header', async () => {
    const result = await service.request('GET', '/api/v1/users/me', { headers: { authorization: 'Basic abc' } });
    expect(result.status).toBe(401);
  });

  it('rejects forged and invalid tokens with 401', async () => {
    const { issuer } = service;
    const forged: Record<string, string> = {
      'alg none': issuer.forge.unsigned(subject()),
      'key not in the JWKS': await issuer.forge.unknownKey(subject()),
      'published kid, other key': await issuer.forge.publishedKidWrongKey(subject()),
      'HS256 keyed with the public key': await issuer.forge.hmacWithPublicKey(subject()),
      'wrong audience': await issuer.mint(subject(), { audience: 'someone-else' }),
      'wrong issuer': await issuer.mint(subject(), { issuer: 'evil-auth' }),
      expired: await issuer.mint(subject(), { expiresIn: -120 }),
      'sub is not a user id': await issuer.mint(subject(), { sub: 'admin' }),
      garbage: 'not.a.jwt',
    };
    for (const [kind, token] of Object.entries(forged)) {
      const result = await service.request('GET', '/api/v1/users/me', { token });
      expect({ kind, status: result.status, code: result.body?.error?.code }).toEqual({
        kind,
        status: 401,
        code: 'unauthorized',
      });
    }
  });

  it('creates no profile for a rejected token', async () => {
    const ghost = subject();
    await service.request('GET', '/api/v1/users/me', { token: await service.issuer.forge.unknownKey(ghost) });
    const viewer = await service.registerUser('viewer_of_ghosts');
    const result = await service.request('GET', `/api/v1/users/${ghost.id}`, { token: viewer.token });
    expect(result.status).toBe(404);
  });
});

describe('own profile', () => {
  it('returns the provisioned profile with its email', async () => {
    const alice = await service.registerUser('alice', { email: 'Alice@Example.test' });
    const result = await service.request('GET', '/api/v1/users/me', { token: alice.token });
    expect(result.status).toBe(200);
    expect(ownProfileSchema.parse(result.body)).toMatchObject({
      id: alice.id,
      username: 'alice',
      email: 'Alice@Example.test',
      displayName: null,
      bio: null,
      avatarUrl: null,
    });
  });

  it('updates display name, bio and avatar URL, and null clears a field', async () => {
    const bob = await service.registerUser('bob');
    const updated = await service.request('PATCH', '/api/v1/users/me', {
      token: bob.token,
      body: { displayName: '  Bob Builder ', bio: 'Can we fix it?', avatarUrl: 'https://cdn.example.test/bob.png' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      displayName: 'Bob Builder',
      bio: 'Can we fix it?',
      avatarUrl: 'https://cdn.example.test/bob.png',
    });
    expect(Date.parse(updated.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated.body.createdAt));

    const cleared = await service.request('PATCH', '/api/v1/users/me', { token: bob.token, body: { bio: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ displayName: 'Bob Builder', bio: null, avatarUrl: 'https://cdn.example.test/bob.png' });

    const reread = await service.request('GET', '/api/v1/users/me', { token: bob.token });
    expect(reread.body).toEqual(cleared.body);
  });

  it('rejects an avatar URL that is not http(s)', async () => {
    const carol = await service.registerUser('carol');
    for (const avatarUrl of ['javascript:alert(1)', 'not a url', 'ftp://example.test/a.png']) {
      const result = await service.request('PATCH', '/api/v1/users/me', { token: carol.token, body: { avatarUrl } });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('invalid');
      expect(result.body.error.details[0].path).toBe('avatarUrl');
    }
  });

  it('rejects unknown fields, an empty patch, oversized values and non-JSON bodies', async () => {
    const dave = await service.registerUser('dave');
    const invalid = [
      { body: { displayName: 'Dave', email: 'dave@evil.test' } },
      { body: { username: 'root' } },
      { body: {} },
      { body: { displayName: '' } },
      { body: { displayName: 'x'.repeat(65) } },
      { body: { bio: 'y'.repeat(501) } },
      { rawBody: '{"displayName": ' },
    ];
    for (const options of invalid) {
      const result = await service.request('PATCH', '/api/v1/users/me', { token: dave.token, ...options });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('invalid');
    }
    const unchanged = await service.request('GET', '/api/v1/users/me', { token: dave.token });
    expect(unchanged.body).toMatchObject({ username: 'dave', displayName: null, email: 'dave@example.test' });
  });
});

describe('profile provisioning', () => {
  it('creates a profile on first access from the token, and provisioning later fills in the email', async () => {
    const id = randomUUID();
    const token = await service.issuer.mint({ id, username: 'early_bird' });

    const first = await service.request('GET', '/api/v1/users/me', { token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, username: 'early_bird', email: null });

    const provisioned = await service.internal('PUT', `/internal/v1/profiles/${id}`, {
      username: 'early_bird',
      email: 'early@example.test',
    });
    expect(provisioned.status).toBe(200);
    expect(provisioned.body).toMatchObject({ id, email: 'early@example.test', createdAt: first.body.createdAt });

    const after = await service.request('GET', '/api/v1/users/me', { token });
    expect(after.body).toMatchObject({ id, username: 'early_bird', email: 'early@example.test' });
  });

  it('survives many concurrent first requests of a new user (none answered 409 by the username index)', async () => {
    // Ten new users, eight racing first requests each: racing inserts of one new profile used
    // to fail on the username index in about one stampede in ten.
    for (let user = 0; user < 10; user += 1) {
      const id = randomUUID();
      const token = await service.issuer.mint({ id, username: `stampede_${user}` });
      const results = await Promise.all(
        Array.from({ length: 8 }, () => service.request('GET', '/api/v1/users/me', { token })),
      );
      expect(results.map((result) => result.status)).toEqual(Array(8).fill(200));
      expect(new Set(results.map((result) => result.body.createdAt)).size).toBe(1);
    }
  });

  it('answers 201 on first provisioning and 200 when repeated, keeping one profile', async () => {
    const id = randomUUID();
    const body = { username: 'twice', email: 'twice@example.test' };
    const first = await service.internal('PUT', `/internal/v1/profiles/${id}`, body);
    const again = await service.internal('PUT', `/internal/v1/profiles/${id}`, body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('refuses a username that belongs to another profile', async () => {
    await service.registerUser('taken_name');
    const result = await service.internal('PUT', `/internal/v1/profiles/${randomUUID()}`, {
      username: 'Taken_Name',
      email: 'other@example.test',
    });
    expect(result.status).toBe(409);
    expect(result.body.error.code).toBe('conflict');
  });

  it('validates the provisioning request', async () => {
    const invalid: [string, unknown][] = [
      [randomUUID(), { username: 'x' }],
      [randomUUID(), { username: 'ok_name', email: 'a@b.test', role: 'admin' }],
      ['not-a-uuid', { username: 'ok_name', email: 'a@b.test' }],
    ];
    for (const [id, body] of invalid) {
      const result = await service.internal('PUT', `/internal/v1/profiles/${id}`, body);
      expect(result.status).toBe(400);
    }
  });

  it('requires the internal service token when one is configured', async () => {
    const path = `/internal/v1/profiles/${randomUUID()}`;
    const body = { username: 'sneaky', email: 'sneaky@example.test' };
    const missing = await service.request('PUT', path, { body });
    const wrong = await service.request('PUT', path, { body, headers: { 'x-parley-internal-token': 'wrong-token-0123456789abc' } });
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    const viewer = await service.registerUser('token_checker');
    const lookup = await service.request('GET', '/api/v1/users/me', { token: viewer.token });
    expect(lookup.status).toBe(200);
  });
});

describe('public profiles', () => {
  it('shows another user without their email', async () => {
    const erin = await service.registerUser('erin', { displayName: 'Erin' });
    const frank = await service.registerUser('frank');
    const result = await service.request('GET', `/api/v1/users/${erin.id}`, { token: frank.token });
    expect(result.status).toBe(200);
    expect(result.body).toEqual(publicProfileSchema.parse(result.body));
    expect(result.body).toMatchObject({ id: erin.id, username: 'erin', displayName: 'Erin' });
    expect(result.body).not.toHaveProperty('email');
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    const gina = await service.registerUser('gina');
    const unknown = await service.request('GET', `/api/v1/users/${randomUUID()}`, { token: gina.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await service.request('GET', '/api/v1/users/12345', { token: gina.token });
    expect(malformed.status).toBe(400);
  });
});

describe('usernames for mentions (internal)', () => {
  it('answers who has the given usernames, leaving unknown names out', async () => {
    const ann = await service.registerUser('mention_ann');
    const bob = await service.registerUser('mention_bob');
    const result = await service.internal('POST', '/internal/v1/users/by-username', { usernames: ['mention_ann', 'mention_bob', 'nobody_here'] });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ users: [{ id: ann.id, username: 'mention_ann' }, { id: bob.id, username: 'mention_bob' }] });
  });

  it('refuses malformed, oversized or padded lookups', async () => {
    const invalid: unknown[] = [
      {},
      { usernames: [] },
      { usernames: Array.from({ length: 21 }, (_, index) => `name_${index}`) },
      { usernames: ["x' OR 1=1 --"] },
      { usernames: ['ann\u0000'] },
      { usernames: ['ann'], extra: true },
      { usernames: 'ann' },
      // Callers lower-case what they look up (usernames are lower case).
      { usernames: ['Mention_Ann'] },
    ];
    for (const body of invalid) {
      const result = await service.internal('POST', '/internal/v1/users/by-username', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('mention digest preference and mail profiles (internal)', () => {
  it('mails mentions by default, and the owner can turn it off and on again', async () => {
    const mia = await service.registerUser('digest_mia');
    const own = await service.request('GET', '/api/v1/users/me', { token: mia.token });
    expect(ownProfileSchema.parse(own.body).mentionDigest).toBe(true);

    const off = await service.request('PATCH', '/api/v1/users/me', { token: mia.token, body: { mentionDigest: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ mentionDigest: false });
    const reread = await service.request('GET', '/api/v1/users/me', { token: mia.token });
    expect(reread.body).toMatchObject({ mentionDigest: false });

    const on = await service.request('PATCH', '/api/v1/users/me', { token: mia.token, body: { mentionDigest: true } });
    expect(on.body).toMatchObject({ mentionDigest: true });
    // Only a boolean: a string is refused, never read as "yes".
    const refused = await service.request('PATCH', '/api/v1/users/me', { token: mia.token, body: { mentionDigest: 'false' } });
    expect(refused.status).toBe(400);
  });

  it('never shows the preference or the address on a public profile', async () => {
    const nia = await service.registerUser('digest_nia');
    const viewer = await service.registerUser('digest_viewer');
    const result = await service.request('GET', `/api/v1/users/${nia.id}`, { token: viewer.token });
    expect(result.body).not.toHaveProperty('mentionDigest');
    expect(result.body).not.toHaveProperty('email');
  });

  it('answers address, names and preference of the given users, leaving unknown ids out', async () => {
    const ola = await service.registerUser('digest_ola', { email: 'ola@example.test', displayName: 'Ola' });
    const pia = await service.registerUser('digest_pia', { email: 'pia@example.test' });
    await service.request('PATCH', '/api/v1/users/me', { token: pia.token, body: { mentionDigest: false } });

    const result = await service.internal('POST', '/internal/v1/users/mail-profiles', { userIds: [ola.id, pia.id, randomUUID()] });

    expect(result.status).toBe(200);
    const byId = new Map((result.body.users as Array<{ id: string }>).map((user) => [user.id, user]));
    expect(byId.size).toBe(2);
    expect(byId.get(ola.id)).toEqual({ id: ola.id, username: 'digest_ola', displayName: 'Ola', email: 'ola@example.test', emailVerified: false, mentionDigest: true });
    expect(byId.get(pia.id)).toMatchObject({ email: 'pia@example.test', mentionDigest: false });
  });

  it('refuses malformed or oversized lookups', async () => {
    const invalid: unknown[] = [{}, { userIds: [] }, { userIds: ['not-a-uuid'] }, { userIds: Array.from({ length: 101 }, () => randomUUID()) }, { userIds: [randomUUID()], extra: 1 }];
    for (const body of invalid) {
      const result = await service.internal('POST', '/internal/v1/users/mail-profiles', body);
      expect(result.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
  });
});
