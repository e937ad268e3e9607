import { describe, expect, it } from 'vitest';
import { ConfigError } from '@parley/config';
import { configSchema, loadUserServiceConfig } from './config.js';

const required = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/parley' };

describe('user service config', () => {
  it('applies the documented defaults', () => {
    const config = loadUserServiceConfig(required);
    expect(config).toMatchObject({
      PORT: 8082,
      HOST: '0.0.0.0',
      DATABASE_POOL_SIZE: 10,
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWKS_URL: 'http://127.0.0.1:8081/.well-known/jwks.json',
      JWT_ISSUER: 'parley-auth',
      JWT_AUDIENCE: 'parley',
      FRIEND_REQUEST_LIMIT_PER_MINUTE: 30,
      WRITE_LIMIT_PER_MINUTE: 120,
      DB_MIGRATE_ON_START: false,
    });
    expect(config.INTERNAL_API_TOKEN).toBeUndefined();
  });

  it('reads overrides from the environment', () => {
    const config = loadUserServiceConfig({
      ...required,
      PORT: '9000',
      DB_MIGRATE_ON_START: 'true',
      FRIEND_REQUEST_LIMIT_PER_MINUTE: '5',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config).toMatchObject({
      PORT: 9000,
      DB_MIGRATE_ON_START: true,
      FRIEND_REQUEST_LIMIT_PER_MINUTE: 5,
      CORS_ORIGINS: ['https://a.example', 'https://b.example'],
    });
  });

  it('lists every invalid variable at once', () => {
    try {
      loadUserServiceConfig({ JWKS_URL: 'not a url', FRIEND_REQUEST_LIMIT_PER_MINUTE: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('DATABASE_URL');
      expect(problems).toContain('JWKS_URL');
      expect(problems).toContain('FRIEND_REQUEST_LIMIT_PER_MINUTE');
    }
  });

  it('describes every variable, for the generated configuration table', () => {
    const undocumented = Object.entries(configSchema.shape)
      .filter(([, schema]) => !schema.description)
      .map(([name]) => name);
    expect(undocumented).toEqual([]);
  });
});
