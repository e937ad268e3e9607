import { describe, expect, it } from 'vitest';
import {
  encodeSigningKeyFile,
  isSigningKeyFileName,
  MAX_KEY_FILE_BYTES,
  parseSigningKeyFile,
  signingKeyFileName,
} from './key-file.js';
import { createSigningKeyJwk } from './key-generator.js';

const publicOnly = async () => {
  const { d: _d, kid: _kid, iat: _iat, ...jwk } = await createSigningKeyJwk();
  return jwk;
};

describe('parseSigningKeyFile', () => {
  it('reads a private key with its kid, iat and nbf', async () => {
    const jwk = await createSigningKeyJwk({ iat: 1_700_000_000, nbf: 1_700_000_100 });
    const file = parseSigningKeyFile(encodeSigningKeyFile(jwk), `${jwk.kid}.json`);
    expect(file).toMatchObject({ kid: jwk.kid, iat: 1_700_000_000, nbf: 1_700_000_100, hasPrivateKey: true });
    expect(file.jwk).toEqual(jwk);
  });

  it('takes the kid of a file without one from its name', async () => {
    const file = parseSigningKeyFile(JSON.stringify(await publicOnly()), 'retired-2024.json');
    expect(file).toMatchObject({ kid: 'retired-2024', iat: 0, hasPrivateKey: false });
  });

  it('keeps members it does not know, so a rewrite loses nothing', async () => {
    const jwk = { ...(await createSigningKeyJwk()), note: 'rotated by hand' };
    expect(parseSigningKeyFile(JSON.stringify(jwk), 'a.json').jwk).toMatchObject({ note: 'rotated by hand' });
  });

  it.each([
    ['a path in the kid', '../../etc/passwd'],
    ['a slash in the kid', 'keys/one'],
    ['a hidden kid', '.hidden'],
    ['a kid with a leading dash', '-rf'],
    ['a kid with a space', 'my key'],
    ['a kid with a NUL byte', 'a\u0000b'],
    ['a non-ASCII kid', 'clé'],
    ['an empty kid', ''],
    ['a 129-character kid', 'k'.repeat(129)],
  ])('rejects %s', async (_name, kid) => {
    const text = JSON.stringify({ ...(await createSigningKeyJwk()), kid });
    expect(() => parseSigningKeyFile(text, 'key.json')).toThrow(/kid must be/);
  });

  it('accepts a 128-character kid, the longest allowed', async () => {
    const kid = `a${'-'.repeat(127)}`;
    expect(parseSigningKeyFile(JSON.stringify({ ...(await createSigningKeyJwk()), kid }), 'key.json').kid).toBe(kid);
  });

  it('applies the kid rule to a kid taken from the file name', async () => {
    const text = JSON.stringify(await publicOnly());
    expect(() => parseSigningKeyFile(text, 'my key.json')).toThrow(/file name: kid must be/);
    expect(() => parseSigningKeyFile(text, '-.json')).toThrow(/file name: kid must be/);
  });

  it.each([
    ['invalid JSON', () => '{', /not valid JSON/],
    ['JSON null', () => 'null', /expected object/],
    ['a JSON array', () => '[]', /expected object/],
    ['a JSON string', () => '"key"', /expected object/],
    ['an RSA key', () => JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB' }), /kty must be "EC"/],
    ['another curve', async () => JSON.stringify({ ...(await createSigningKeyJwk()), crv: 'P-384' }), /crv must be "P-256"/],
    ['another algorithm', async () => JSON.stringify({ ...(await createSigningKeyJwk()), alg: 'none' }), /alg must be "ES256"/],
    ['an encryption key', async () => JSON.stringify({ ...(await createSigningKeyJwk()), use: 'enc' }), /use must be "sig"/],
    ['an empty x', async () => JSON.stringify({ ...(await createSigningKeyJwk()), x: '' }), /^x:/],
    ['a numeric d', async () => JSON.stringify({ ...(await createSigningKeyJwk()), d: 42 }), /^d:/],
    ['a negative iat', async () => JSON.stringify({ ...(await createSigningKeyJwk()), iat: -1 }), /^iat:/],
    ['a fractional nbf', async () => JSON.stringify({ ...(await createSigningKeyJwk()), nbf: 1.5 }), /^nbf:/],
    ['an iat given as a string', async () => JSON.stringify({ ...(await createSigningKeyJwk()), iat: '1700000000' }), /^iat:/],
    [
      'a private key without iat',
      async () => {
        const { iat: _iat, ...jwk } = await createSigningKeyJwk();
        return JSON.stringify(jwk);
      },
      /needs "iat"/,
    ],
    ['a file larger than any key', async () => JSON.stringify({ ...(await createSigningKeyJwk()), pad: 'x'.repeat(MAX_KEY_FILE_BYTES) }), /larger than/],
  ])('rejects %s', async (_name, make, message) => {
    const text = await make();
    expect(() => parseSigningKeyFile(text, 'bad.json')).toThrow(message);
  });

  it('does not let a "__proto__" member change the prototype of what it returns', async () => {
    const text = JSON.stringify(await createSigningKeyJwk()).replace(/^\{/, '{"__proto__":{"polluted":true},');
    const file = parseSigningKeyFile(text, 'key.json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((file.jwk as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('key file names', () => {
  it('names a key <kid>.json and refuses a kid that is not a plain name', () => {
    expect(signingKeyFileName('20260101-abcdef012345')).toBe('20260101-abcdef012345.json');
    expect(() => signingKeyFileName('../escape')).toThrow(/kid must be/);
  });

  it('counts only visible *.json entries as key files', () => {
    expect(isSigningKeyFileName('a.json')).toBe(true);
    expect(isSigningKeyFileName('.a.json.tmp')).toBe(false);
    expect(isSigningKeyFileName('..data')).toBe(false);
    expect(isSigningKeyFileName('.hidden.json')).toBe(false);
    expect(isSigningKeyFileName('notes.txt')).toBe(false);
  });
});
