import { describe, expect, it } from 'vitest';
import type { CryptoKey } from 'jose';
import { pickActiveKey, type SigningKey } from './signing-key.js';

const privateKey = {} as CryptoKey;
const key = (kid: string, iat: number, extra: Partial<SigningKey> = {}): SigningKey => ({
  kid,
  iat,
  publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' },
  privateKey,
  ...extra,
});

describe('pickActiveKey', () => {
  it('picks the newest private key whose nbf has passed', () => {
    const keys = [key('old', 100), key('current', 200), key('next', 300, { nbf: 1_000 }), key('public', 400, { privateKey: undefined })];
    expect(pickActiveKey(keys, 500)?.kid).toBe('current');
    expect(pickActiveKey(keys, 1_000)?.kid).toBe('next');
  });

  it('breaks iat ties by kid so every pod signs with the same key', () => {
    expect(pickActiveKey([key('a', 100), key('b', 100)], 500)?.kid).toBe('b');
    expect(pickActiveKey([key('b', 100), key('a', 100)], 500)?.kid).toBe('b');
  });

  it('finds nothing without a usable private key', () => {
    expect(pickActiveKey([key('public', 1, { privateKey: undefined }), key('future', 1, { nbf: 99 })], 50)).toBeUndefined();
  });
});
