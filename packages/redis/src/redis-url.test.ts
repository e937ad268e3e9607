import { describe, expect, it } from 'vitest';
import { hasHashTag, isClusterUrl, parseRedisUrl } from './redis-url.js';

describe('REDIS_URL: one Redis or a Redis Cluster by its seeds', () => {
  it('keeps redis:// and rediss:// URLs for one Redis as they are', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://user:pw@redis.example:6380')).toEqual({ kind: 'single', url: 'rediss://user:pw@redis.example:6380' });
    expect(isClusterUrl('redis://127.0.0.1:6379')).toBe(false);
  });

  it('reads the seeds, credentials and TLS of a cluster URL', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      seeds: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://default:p%40ss%3Aword@clustercfg.parley.cache.amazonaws.com:6379/')).toEqual({
      kind: 'cluster',
      seeds: [{ host: 'clustercfg.parley.cache.amazonaws.com', port: 6379 }],
      username: 'default',
      password: 'p@ss:word',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@[::1]:7000')).toMatchObject({ seeds: [{ host: '::1', port: 7000 }], password: 'secret' });
    expect(isClusterUrl('rediss+cluster://a:1')).toBe(true);
  });

  it('refuses seeds that are not host:port, and other schemes', () => {
    expect(() => parseRedisUrl('redis+cluster://')).toThrow(/host:port/);
    expect(() => parseRedisUrl('redis+cluster://10.0.0.1')).toThrow(/"10.0.0.1" is not host:port/);
    expect(() => parseRedisUrl('redis+cluster://10.0.0.1:7000,,10.0.0.2:7001')).toThrow(/is not host:port/);
    expect(() => parseRedisUrl('redis+cluster://10.0.0.1:70000')).toThrow(/is not host:port/);
    expect(() => parseRedisUrl('redis+cluster://evil host:7000')).toThrow(/is not host:port/);
    expect(() => parseRedisUrl('http://10.0.0.1:7000')).toThrow(/redis\+cluster/);
  });

  it('tells a hash-tagged prefix', () => {
    expect(hasHashTag('{parley}:')).toBe(true);
    expect(hasHashTag('parley:')).toBe(false);
    expect(hasHashTag('parley:{}:')).toBe(false);
  });
});
