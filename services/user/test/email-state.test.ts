import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserService, type UserServiceHarness } from './support/user-service-harness.js';

/**
 * The address state the auth service sends through its outbox (`PUT /internal/v1/profiles/:id/email`):
 * only a confirmed address is handed to the mention digest. The outbox may deliver a message twice
 * or late, so each carries a version and the profile keeps the highest.
 */
let service: UserServiceHarness;

beforeAll(async () => {
  service = await startUserService({}, 'email_state');
});

afterAll(async () => {
  await service?.close();
});

const setState = (id: string, body: unknown) => service.internal('PUT', `/internal/v1/profiles/${id}/email`, body);

async function mailProfile(id: string): Promise<{ email: string | null; emailVerified: boolean }> {
  const result = await service.internal('POST', '/internal/v1/users/mail-profiles', { userIds: [id] });
  expect(result.status).toBe(200);
  const [user] = result.body.users as Array<{ email: string | null; emailVerified: boolean }>;
  if (!user) throw new Error(`no mail profile for ${id}`);
  return { email: user.email, emailVerified: user.emailVerified };
}

describe('email confirmation carried to the profile', () => {
  it('starts unconfirmed, is confirmed by the auth service’s message, and the same message again changes nothing', async () => {
    const ida = await service.registerUser('state_ida', { email: 'ida@example.test' });
    expect(await mailProfile(ida.id)).toEqual({ email: 'ida@example.test', emailVerified: false });

    const confirmed = { email: 'ida@example.test', emailVerified: true, version: 1 };
    expect((await setState(ida.id, confirmed)).status).toBe(204);
    expect(await mailProfile(ida.id)).toEqual({ email: 'ida@example.test', emailVerified: true });
    expect((await setState(ida.id, confirmed)).status).toBe(204);
    expect(await mailProfile(ida.id)).toEqual({ email: 'ida@example.test', emailVerified: true });
  });

  it('makes a changed address unconfirmed until it is confirmed in turn', async () => {
    const jo = await service.registerUser('state_jo', { email: 'jo@example.test' });
    await setState(jo.id, { email: 'jo@example.test', emailVerified: true, version: 1 });

    expect((await setState(jo.id, { email: 'Jo.New@example.test', emailVerified: false, version: 2 })).status).toBe(204);
    expect(await mailProfile(jo.id)).toEqual({ email: 'Jo.New@example.test', emailVerified: false });

    await setState(jo.id, { email: 'Jo.New@example.test', emailVerified: true, version: 3 });
    expect(await mailProfile(jo.id)).toEqual({ email: 'Jo.New@example.test', emailVerified: true });
    // Search by exact email follows the new address.
    const viewer = await service.registerUser('state_viewer');
    const found = await service.request('GET', '/api/v1/users?query=jo.new%40example.test', { token: viewer.token });
    expect(found.status).toBe(200);
    expect((found.body.users as Array<{ id: string }>).map((user) => user.id)).toEqual([jo.id]);
  });

  it('ignores late messages: an older confirmation, an older change and a provisioning retried after the address changed', async () => {
    const kit = await service.registerUser('state_kit', { email: 'kit@example.test' });
    await setState(kit.id, { email: 'kit.moved@example.test', emailVerified: false, version: 2 });

    // Delivered out of order: version 1 (the old address confirmed) after version 2.
    expect((await setState(kit.id, { email: 'kit@example.test', emailVerified: true, version: 1 })).status).toBe(204);
    expect(await mailProfile(kit.id)).toEqual({ email: 'kit.moved@example.test', emailVerified: false });

    // The registration's provisioning, retried late, keeps the username in step but not the old address.
    const provisioned = await service.internal('PUT', `/internal/v1/profiles/${kit.id}`, { username: 'state_kit', email: 'kit@example.test' });
    expect(provisioned.status).toBe(200);
    expect(await mailProfile(kit.id)).toEqual({ email: 'kit.moved@example.test', emailVerified: false });

    await setState(kit.id, { email: 'kit.moved@example.test', emailVerified: true, version: 3 });
    await setState(kit.id, { email: 'kit.moved@example.test', emailVerified: false, version: 2 });
    expect(await mailProfile(kit.id)).toEqual({ email: 'kit.moved@example.test', emailVerified: true });
  });

  it('answers 404 before the profile exists (the outbox retries), and applies the state once it does', async () => {
    const id = randomUUID();
    const state = { email: 'lee@example.test', emailVerified: true, version: 1 };
    const early = await setState(id, state);
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('not_found');

    expect((await service.internal('PUT', `/internal/v1/profiles/${id}`, { username: 'state_lee', email: 'lee@example.test' })).status).toBe(201);
    expect(await mailProfile(id)).toEqual({ email: 'lee@example.test', emailVerified: false });
    expect((await setState(id, state)).status).toBe(204);
    expect(await mailProfile(id)).toEqual({ email: 'lee@example.test', emailVerified: true });
  });

  it('fills in a profile created from a token before provisioning, and the late provisioning keeps the confirmed state', async () => {
    const id = randomUUID();
    const token = await service.issuer.mint({ id, username: 'state_mo' });
    expect((await service.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect(await mailProfile(id)).toEqual({ email: null, emailVerified: false });

    await setState(id, { email: 'mo@example.test', emailVerified: true, version: 1 });
    await service.internal('PUT', `/internal/v1/profiles/${id}`, { username: 'state_mo', email: 'mo@example.test' });
    expect(await mailProfile(id)).toEqual({ email: 'mo@example.test', emailVerified: true });
  });

  it('refuses malformed states and callers without the internal token', async () => {
    const nia = await service.registerUser('state_nia');
    const invalid: unknown[] = [
      {},
      { email: 'nia@example.test', emailVerified: true },
      { email: 'nia@example.test', emailVerified: true, version: 0 },
      { email: 'nia@example.test', emailVerified: true, version: -1 },
      { email: 'nia@example.test', emailVerified: true, version: 1.5 },
      { email: 'nia@example.test', emailVerified: true, version: 2 ** 31 },
      { email: 'nia@example.test', emailVerified: 'yes', version: 1 },
      { email: `${'n'.repeat(250)}@example.test`, emailVerified: true, version: 1 },
      { email: 'nia@example.test\n', emailVerified: true, version: 1 },
      { email: 'nia@example.test', emailVerified: true, version: 1, username: 'admin' },
    ];
    for (const body of invalid) expect((await setState(nia.id, body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    expect((await service.internal('PUT', '/internal/v1/profiles/not-a-uuid/email', { email: 'x@example.test', emailVerified: true, version: 1 })).status).toBe(400);

    const body = { email: 'nia@example.test', emailVerified: true, version: 1 };
    expect((await service.request('PUT', `/internal/v1/profiles/${nia.id}/email`, { body })).status).toBe(401);
    expect(
      (await service.request('PUT', `/internal/v1/profiles/${nia.id}/email`, { body, headers: { 'x-parley-internal-token': 'wrong-token-0123456789abc' } })).status,
    ).toBe(401);
    expect(await mailProfile(nia.id)).toEqual({ email: 'state_nia@example.test', emailVerified: false });
  });
});
