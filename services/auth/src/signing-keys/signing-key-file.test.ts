import { describe, expect, it } from 'vitest';
import { parseSigningKeyFile } from './signing-key-file.js';
import { createSigningKeyJwk } from './signing-key-generator.js';

describe('parseSigningKeyFile', () => {
  it('imports a private key with its public half, kid, iat and nbf', async () => {
    const jwk = await createSigningKeyJwk({ iat: 1_700_000_000, nbf: 1_700_000_100 });
    const key = await parseSigningKeyFile(JSON.stringify(jwk), `${jwk.kid}.json`);
    expect(key).toMatchObject({ kid: jwk.kid, iat: 1_700_000_000, nbf: 1_700_000_100 });
    expect(key.privateKey).toBeDefined();
    expect(Object.keys(key.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('imports a public-only key (no d) for verification only, kid defaulting to the file name', async () => {
    const { d: _d, kid: _kid, iat: _iat, ...publicOnly } = await createSigningKeyJwk();
    const key = await parseSigningKeyFile(JSON.stringify(publicOnly), 'retired-2024.json');
    expect(key.kid).toBe('retired-2024');
    expect(key.privateKey).toBeUndefined();
  });

  it.each([
    ['invalid JSON', () => '{', /not valid JSON/],
    ['an RSA key', async () => JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB' }), /kty must be "EC"/],
    ['another curve', async () => JSON.stringify({ ...(await createSigningKeyJwk()), crv: 'P-384' }), /crv must be "P-256"/],
    ['another algorithm', async () => JSON.stringify({ ...(await createSigningKeyJwk()), alg: 'ES384' }), /alg must be "ES256"/],
    ['an encryption key', async () => JSON.stringify({ ...(await createSigningKeyJwk()), use: 'enc' }), /use must be "sig"/],
    [
      'a private key without iat',
      async () => {
        const { iat: _iat, ...jwk } = await createSigningKeyJwk();
        return JSON.stringify(jwk);
      },
      /needs "iat"/,
    ],
    [
      'a private key that does not match its x/y',
      async () => JSON.stringify({ ...(await createSigningKeyJwk()), d: (await createSigningKeyJwk()).d }),
      /does not match/,
    ],
    ['a point not on the curve', async () => JSON.stringify({ ...(await createSigningKeyJwk()), d: undefined, x: 'AAAA' }), /public key/],
  ])('rejects %s', async (_name, make, message) => {
    await expect(parseSigningKeyFile(await make(), 'bad.json')).rejects.toThrow(message);
  });
});
