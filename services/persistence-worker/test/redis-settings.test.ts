import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '@parley/testing';
import { checkRedisSettings } from '../src/redis-settings/redis-settings-check.js';
import { capturingLogger, createWorkerTestEnv, startWorker, type WorkerTestEnv } from './support/worker-harness.js';

let admin: Redis;
let env: WorkerTestEnv;
let actual: Record<string, string | undefined>;
const aclUser = `parley-test-noconfig-${randomBytes(4).toString('hex')}`;
const aclPassword = randomBytes(12).toString('hex');

beforeAll(async () => {
  admin = new Redis(TEST_REDIS_URL);
  env = await createWorkerTestEnv('pw_redis_settings');
  const [, appendonly] = (await admin.call('CONFIG', 'GET', 'appendonly')) as string[];
  const [, policy] = (await admin.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
  actual = { appendonly, 'maxmemory-policy': policy };
  // A user like a managed Redis's: everything but CONFIG.
  await admin.call('ACL', 'SETUSER', aclUser, 'on', `>${aclPassword}`, '~*', '&*', '+@all', '-config');
});

afterAll(async () => {
  await admin?.call('ACL', 'DELUSER', aclUser).catch(() => undefined);
  admin?.disconnect();
  await env?.cleanup();
});

describe('Redis settings check', () => {
  it('warns about AOF being off (the test Redis runs with appendonly no), saying what to set, without failing', async () => {
    expect(actual.appendonly).toBe('no');
    const { logger, lines } = capturingLogger();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const report = await checkRedisSettings(redis, logger);

      expect(report).toMatchObject({ readable: true, settings: actual });
      expect(report.readable && report.missing).toContain('appendonly yes');
      const warning = lines().find((line) => line.setting === 'appendonly');
      expect(warning).toMatchObject({ level: 40, current: 'no', required: 'yes' });
      expect(String(warning!.msg)).toContain('appendonly yes');
      const policyWarning = lines().find((line) => line.setting === 'maxmemory-policy');
      if (actual['maxmemory-policy'] === 'noeviction') expect(policyWarning).toBeUndefined();
      else expect(String(policyWarning?.msg)).toContain('maxmemory-policy noeviction');
    } finally {
      redis.disconnect();
    }
  });

  it('says so when CONFIG is not allowed, instead of failing', async () => {
    const { logger, lines } = capturingLogger();
    const url = new URL(TEST_REDIS_URL);
    url.username = aclUser;
    url.password = aclPassword;
    const redis = new Redis(url.toString());
    try {
      const report = await checkRedisSettings(redis, logger);

      expect(report).toMatchObject({ readable: false, reason: expect.stringMatching(/NOPERM/) });
      expect(String(lines()[0]?.msg)).toMatch(/cannot read Redis settings.*appendonly yes.*maxmemory-policy noeviction/);
    } finally {
      redis.disconnect();
    }
  });

  it('runs the check when the worker starts and keeps running despite the warning', async () => {
    const { logger, lines } = capturingLogger();
    const running = await startWorker(env.config(), logger);
    try {
      await running.worker.redisSettings;
      expect(lines().some((line) => line.setting === 'appendonly')).toBe(true);
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});
