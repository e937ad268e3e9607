import { basename } from 'node:path';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { z } from 'zod';
import type { SigningKey } from './signing-key.js';

/**
 * A key file: an EC P-256 JWK (private with `d`, or public-only without) plus `iat`
 * (creation, epoch seconds) and optional `nbf` (earliest signing time).
 */
const keyFileSchema = z.looseObject({
  kty: z.literal('EC', { message: 'kty must be "EC"' }),
  crv: z.literal('P-256', { message: 'crv must be "P-256"' }),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1).optional(),
  kid: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/).optional(),
  alg: z.literal('ES256', { message: 'alg must be "ES256"' }).optional(),
  use: z.literal('sig', { message: 'use must be "sig"' }).optional(),
  iat: z.number().int().nonnegative().optional(),
  nbf: z.number().int().nonnegative().optional(),
});

export class SigningKeyFileError extends Error {
  override name = 'SigningKeyFileError';
}

/**
 * Parses and imports one key file. `kid` defaults to the file name without `.json`; a
 * private key must carry `iat` and must match its public half (checked by a test signature).
 */
export async function parseSigningKeyFile(text: string, fileName: string): Promise<SigningKey> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SigningKeyFileError('not valid JSON');
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SigningKeyFileError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const file = parsed.data;
  const kid = file.kid ?? basename(fileName, '.json');
  if (file.d !== undefined && file.iat === undefined) {
    throw new SigningKeyFileError('a private key needs "iat" (creation time, epoch seconds)');
  }
  const publicJwk = { kty: 'EC', crv: 'P-256', x: file.x, y: file.y, kid, alg: 'ES256', use: 'sig' } as const;

  let publicKey;
  try {
    publicKey = await importJWK(publicJwk, 'ES256');
  } catch (error) {
    throw new SigningKeyFileError(`not a usable P-256 public key (${(error as Error).message})`);
  }
  const key: SigningKey = { kid, iat: file.iat ?? 0, publicJwk, ...(file.nbf !== undefined ? { nbf: file.nbf } : {}) };
  if (file.d === undefined) return key;

  try {
    key.privateKey = await importJWK({ ...publicJwk, d: file.d }, 'ES256');
    const probe = await new CompactSign(new TextEncoder().encode('parley-key-probe'))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(key.privateKey);
    await compactVerify(probe, publicKey);
  } catch (error) {
    throw new SigningKeyFileError(`private key "d" is unusable or does not match x/y (${(error as Error).message})`);
  }
  return key;
}
