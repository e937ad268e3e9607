import { describe, expect, it } from 'vitest';
import type { CryptoKey } from 'jose';
import { encodeSigningKeyFile } from './key-file.js';
import { createSigningKeyJwk } from './key-generator.js';
import { activeSigningKey, loadSigningKey, type SigningKey } from './signing-key.js';

describe('loadSigningKey', () => {
  it('imports a private key that signs, and publishes only its public members', async () => {
    const jwk = await createSigningKeyJwk({ iat: 1_700_000_000, nbf: 1_700_000_100 });
    const key = await loadSigningKey(encodeSigningKeyFile(jwk), `${jwk.kid}.json`);
    expect(key).toMatchObject({ kid: jwk.kid, iat: 1_700_000_000, nbf: 1_700_000_100 });
    expect(key.privateKey).toBeDefined();
    expect(Object.keys(key.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('imports a public-only key for verification only', async () => {
    const { d: _d, kid: _kid, iat: _iat, ...publicOnly } = await createSigningKeyJwk();
    const key = await loadSigningKey(JSON.stringify(publicOnly), 'retired-2024.json');
    expect(key.kid).toBe('retired-2024');
    expect(key.privateKey).toBeUndefined();
  });

  it('rejects a private key that does not match its x/y', async () => {
    const text = JSON.stringify({ ...(await createSigningKeyJwk()), d: (await createSigningKeyJwk()).d });
    await expect(loadSigningKey(text, 'bad.json')).rejects.toThrow(/does not match/);
  });

  it('rejects a point that is not on the curve', async () => {
    const { d: _d, ...jwk } = await createSigningKeyJwk();
    await expect(loadSigningKey(JSON.stringify({ ...jwk, x: 'AAAA' }), 'bad.json')).rejects.toThrow(/public key/);
  });

  it('rejects what the file format rejects before importing anything', async () => {
    const text = JSON.stringify({ ...(await createSigningKeyJwk()), kid: '../escape' });
    await expect(loadSigningKey(text, 'bad.json')).rejects.toThrow(/kid must be/);
  });
});

const privateKey = {} as CryptoKey;
const key = (kid: string, iat: number, extra: Partial<SigningKey> = {}): SigningKey => ({
  kid,
  iat,
  publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' },
  privateKey,
  ...extra,
});

describe('activeSigningKey', () => {
  it('picks the newest private key whose nbf has passed', () => {
    const keys = [key('old', 100), key('current', 200), key('next', 300, { nbf: 1_000 }), key('public', 400, { privateKey: undefined })];
    expect(activeSigningKey(keys, 500)?.kid).toBe('current');
    expect(activeSigningKey(keys, 1_000)?.kid).toBe('next');
  });

  it('breaks iat ties by kid so every pod signs with the same key', () => {
    expect(activeSigningKey([key('a', 100), key('b', 100)], 500)?.kid).toBe('b');
    expect(activeSigningKey([key('b', 100), key('a', 100)], 500)?.kid).toBe('b');
  });

  it('finds nothing without a usable private key', () => {
    expect(activeSigningKey([key('public', 1, { privateKey: undefined }), key('future', 1, { nbf: 99 })], 50)).toBeUndefined();
  });
});
