import { describe, expect, it } from 'vitest';
import { ConfigError } from '@parley/config';
import { configSchema, loadAuthConfig } from './config.js';

describe('auth config', () => {
  it('needs only DATABASE_URL and defaults the rest as documented', () => {
    const config = loadAuthConfig({ DATABASE_URL: 'postgres://localhost/parley' });
    expect(config).toMatchObject({
      PORT: 8081,
      DATA_DIR: './.parley-data',
      SIGNING_KEYS_GENERATE: true,
      SIGNING_KEYS_RELOAD_MS: 5_000,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 2_592_000,
      REFRESH_REUSE_GRACE_SECONDS: 10,
      COOKIE_SECURE: true,
      ARGON2_MEMORY_KIB: 19_456,
      ARGON2_TIME_COST: 2,
      ARGON2_PARALLELISM: 1,
      LOGIN_LIMIT_PER_ACCOUNT_IP: 5,
      LOGIN_LIMIT_PER_IP: 100,
      LOGIN_LIMIT_WINDOW_SECONDS: 900,
      REGISTER_LIMIT_PER_IP: 20,
      OUTBOX_RELAY_INTERVAL_MS: 5_000,
      MAIL_WORKER_ENABLED: true,
      MAIL_FROM: 'Parley <no-reply@parley.local>',
      DB_MIGRATE_ON_START: false,
    });
    expect(config.USER_SERVICE_URL).toBeUndefined();
    expect(config.SIGNING_KEYS_DIR).toBeUndefined();
  });

  it('lists every bad variable at once', () => {
    expect(() => loadAuthConfig({ ARGON2_MEMORY_KIB: '8', SMTP_URL: 'http://mail' })).toThrow(ConfigError);
    try {
      loadAuthConfig({ ARGON2_MEMORY_KIB: '8', SMTP_URL: 'http://mail' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('DATABASE_URL');
      expect(problems).toContain('ARGON2_MEMORY_KIB');
      expect(problems).toContain('SMTP_URL');
    }
  });

  it('describes every variable (the config table is generated from these)', () => {
    for (const [name, schema] of Object.entries(configSchema.shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
});
