import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@parley/logger';
import { freePort } from '@parley/ports';
import { createRedis, type Redis } from '@parley/redis';
import { createSessionRevocationWriter, type SessionRevocationWriter } from './session-revocation-writer.js';
import { startSessionRevocations, type SessionClaims, type SessionRevocations } from './session-revocations.js';

const PREFIX = 'parley-test:';
const logger = createLogger({ service: 'session-revocations-test', level: 'silent' });

async function eventually<T>(check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Against a private redis-server (its connections are dropped on purpose, which the shared
 * Redis of other tests must never see).
 */
describe('session revocations', () => {
  let server: ChildProcess;
  let url: string;
  let commands: Redis;
  let admin: Redis;
  let writer: SessionRevocationWriter;
  let revocations: SessionRevocations;
  const resubscribed: number[] = [];

  beforeAll(async () => {
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    admin = createRedis({ url, name: 'test-admin', logger });
    await eventually(() => (admin.status === 'ready' ? true : undefined));
    commands = createRedis({ url, name: 'test-commands', logger });
    writer = createSessionRevocationWriter({ redis: commands, redisKeyPrefix: PREFIX, accessTokenTtlSeconds: 900 });
    revocations = startSessionRevocations({ redis: commands, redisUrl: url, redisKeyPrefix: PREFIX, logger });
    revocations.onResubscribed(() => resubscribed.push(Date.now()));
    await revocations.ready;
  });

  afterAll(async () => {
    await revocations?.close();
    commands?.disconnect();
    admin?.disconnect();
    server?.kill('SIGKILL');
  });

  const session = (userId: string = randomUUID(), issuedAt = Math.floor(Date.now() / 1000)): SessionClaims => ({ userId, sessionId: randomUUID(), issuedAt });

  it('answers active sessions, and a revocation is known locally as soon as it is heard', async () => {
    const mine = session();
    const other = session(mine.userId);
    expect(await revocations.check(mine)).toBeNull();
    expect(revocations.checkLocally(mine)).toBeNull();

    await writer.revokeSession(mine.userId, mine.sessionId, 'logout');
    expect(await eventually(() => revocations.checkLocally(mine) ?? undefined)).toBe('logout');
    expect(await revocations.check(mine)).toBe('logout');
    expect(await revocations.check(other)).toBeNull();
  });

  it('refuses tokens issued before a user’s not-before, not those issued at or after it', async () => {
    const userId = randomUUID();
    const before = session(userId);
    const notBefore = await writer.revokeUserSessions(userId, 'password-reset');
    expect(notBefore).toBe(before.issuedAt + 1);
    expect(await eventually(() => revocations.checkLocally(before) ?? undefined)).toBe('password-reset');
    expect(await revocations.check({ ...before, sessionId: randomUUID() })).toBe('password-reset');
    expect(await revocations.check(session(userId, notBefore))).toBeNull();
    expect(await writer.notBefore(userId)).toBe(notBefore);
  });

  it('refuses, on a second revocation within the same second, the tokens signed at the first one’s not-before', async () => {
    const userId = randomUUID();
    const first = await writer.revokeUserSessions(userId, 'logout-all');
    // A sign-in right after the first revocation: the signer dates its token at the not-before.
    const signedAfterFirst = session(userId, first);
    expect(await revocations.check(signedAfterFirst)).toBeNull();
    const second = await writer.revokeUserSessions(userId, 'password-reset');
    expect(second).toBeGreaterThan(first);
    expect(await revocations.check({ ...signedAfterFirst, sessionId: randomUUID() })).toBe('password-reset');
    expect(await eventually(() => revocations.checkLocally(signedAfterFirst) ?? undefined)).toBe('password-reset');
    expect(await revocations.check(session(userId, second))).toBeNull();
  });

  it('reads Redis for what it may have missed while its channel was down, and says so to its listeners', async () => {
    const missed = session();
    expect(await revocations.check(missed)).toBeNull();
    const before = resubscribed.length;

    // Only this test's connections are on this server: the subscriber is the one pub/sub client.
    await admin.client('KILL', 'TYPE', 'pubsub');
    await writer.revokeSession(missed.userId, missed.sessionId, 'logout');
    // Unheard: not vouched for locally, and the answer cached before is not reused.
    expect(revocations.checkLocally(missed)).toBeUndefined();
    expect(await revocations.check(missed)).toBe('logout');

    await eventually(() => (resubscribed.length > before ? true : undefined));
    expect(revocations.checkLocally(session())).toBeNull();
    expect(await revocations.check(missed)).toBe('logout');
    expect(revocations.checkLocally(missed)).toBe('logout');
  });

  it('fails closed: a check that cannot reach Redis rejects instead of answering active', async () => {
    const unknown = session();
    server.kill('SIGKILL');
    await eventually(() => (revocations.checkLocally(unknown) === undefined ? true : undefined));
    await expect(revocations.check(unknown)).rejects.toThrow();
  });
});
