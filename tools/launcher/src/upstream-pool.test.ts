import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { UpstreamPool } from './upstream-pool.js';

const request = (cookie?: string) => ({ headers: cookie ? { cookie } : {} }) as IncomingMessage;

describe('upstream pool', () => {
  it('rotates requests over the instances', () => {
    const pool = new UpstreamPool(['a', 'b']);
    expect([pool.pick(request(), false), pool.pick(request(), false), pool.pick(request(), false)].map((p) => p.target)).toEqual(['a', 'b', 'a']);
  });

  it('skips an instance marked down (it refused a connection) until its time is up, unless every instance is down', () => {
    const pool = new UpstreamPool(['a', 'b', 'c']);
    pool.markDown(1, 60_000);
    expect([1, 2, 3, 4].map(() => pool.pick(request(), false).target)).toEqual(['a', 'c', 'a', 'c']);
    pool.markDown(0, 60_000);
    pool.markDown(2, 60_000);
    expect(pool.pick(request(), false).target).toMatch(/^[abc]$/);
    pool.markDown(1, -1);
    expect(pool.pick(request(), false).target).toBe('b');
  });

  it('keeps a socket.io session on the instance named by its affinity cookie', () => {
    const pool = new UpstreamPool(['a', 'b']);
    for (let i = 0; i < 3; i += 1) {
      expect(pool.pick(request('x=1; parley_affinity=1'), true)).toEqual({ target: 'b', index: 1, fromCookie: true });
    }
  });

  it('ignores an affinity cookie naming an instance that does not exist', () => {
    const pool = new UpstreamPool(['a']);
    expect(pool.pick(request('parley_affinity=7'), true)).toMatchObject({ target: 'a', fromCookie: false });
  });
});
