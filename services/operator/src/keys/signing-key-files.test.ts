import { describe, expect, it } from 'vitest';
import { createSigningKeyJwk } from '@parley/signing-keys';
import { encodeKeyFile, readSigningKeyFiles } from './signing-key-files.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('readSigningKeyFiles', () => {
  it('reads the keys of a Secret and skips entries that are not key files', async () => {
    const jwk = await createSigningKeyJwk({ iat: 1_700_000_000 });
    const files = readSigningKeyFiles({ [`${jwk.kid}.json`]: encodeKeyFile(jwk), '..data': base64('x'), 'README.txt': base64('x') });
    expect(files.invalid).toEqual([]);
    expect(files.keys).toMatchObject([{ fileName: `${jwk.kid}.json`, kid: jwk.kid, iat: 1_700_000_000, hasPrivateKey: true }]);
  });

  it('reports as invalid the files the auth service skips, a kid it refuses included', async () => {
    const files = readSigningKeyFiles({
      'traversal.json': encodeKeyFile({ ...(await createSigningKeyJwk()), kid: '../../escape' }),
      'broken.json': base64('{'),
      'rsa.json': base64(JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB' })),
    });
    expect(files.keys).toEqual([]);
    expect(Object.fromEntries(files.invalid.map(({ fileName, problem }) => [fileName, problem]))).toEqual({
      'broken.json': 'not valid JSON',
      'rsa.json': expect.stringMatching(/kty must be "EC"/),
      'traversal.json': expect.stringMatching(/kid must be/),
    });
  });
});
