import { basename } from 'node:path';
import { z } from 'zod';

/**
 * The signing-key file format shared by everything that reads or writes the signing-key
 * directory (the auth service's SIGNING_KEYS_DIR, the Secret the operator rotates and the
 * bootstrap job creates): one file `<kid>.json` per key, an EC P-256 JWK (private with `d`,
 * public-only without) plus `iat` (creation, epoch seconds) and optional `nbf` (earliest
 * signing time). Every reader applies the same rules, so a file one of them skips, all skip.
 */

/**
 * A key id: it names a file and a Secret data key, so path separators, a leading dot (hidden,
 * skipped by every loader) and unbounded length are refused.
 */
export const KID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A JWK is a few hundred bytes; anything far larger is not a key file. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;

const kidSchema = z.string().regex(KID_PATTERN, {
  message: 'kid must be 1-128 characters of A-Z, a-z, 0-9, ".", "_", "-", starting with a letter or digit',
});

const epochSeconds = z.number().int().nonnegative();

/** Unknown members are kept, so a tool that rewrites a file never drops what it does not know. */
export const signingKeyJwkSchema = z.looseObject({
  kty: z.literal('EC', { message: 'kty must be "EC"' }),
  crv: z.literal('P-256', { message: 'crv must be "P-256"' }),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1).optional(),
  kid: kidSchema.optional(),
  alg: z.literal('ES256', { message: 'alg must be "ES256"' }).optional(),
  use: z.literal('sig', { message: 'use must be "sig"' }).optional(),
  iat: epochSeconds.optional(),
  nbf: epochSeconds.optional(),
});

/** The content of a key file. */
export type SigningKeyJwk = z.infer<typeof signingKeyJwkSchema>;

/** A private key as written by the generator: every member present. */
export type PrivateSigningKeyJwk = SigningKeyJwk & { d: string; kid: string; alg: 'ES256'; use: 'sig'; iat: number };

/** One parsed key file. */
export interface SigningKeyFile {
  /** The file (or Secret data key) it came from, e.g. `20250101-abcdef012345.json`. */
  fileName: string;
  /** `kid` of the file, or its name without `.json`. */
  kid: string;
  /** Epoch seconds (0 for a public-only key without one). */
  iat: number;
  nbf?: number;
  hasPrivateKey: boolean;
  jwk: SigningKeyJwk;
}

export class SigningKeyFileError extends Error {
  override name = 'SigningKeyFileError';
}

/** Whether a directory entry (or Secret data key) is a key file: `*.json`, not hidden. */
export function isSigningKeyFileName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.');
}

/** The file name of a key: `<kid>.json`. */
export function signingKeyFileName(kid: string): string {
  const parsed = kidSchema.safeParse(kid);
  if (!parsed.success) throw new SigningKeyFileError(parsed.error.issues[0]?.message ?? 'invalid kid');
  return `${kid}.json`;
}

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`).join('; ');

/**
 * Parses and validates one key file's text, without importing the key (see
 * `importSigningKeyFile`). A private key must carry `iat`; a `kid` taken from the file name
 * obeys the same rule as one written in the file. Throws `SigningKeyFileError`.
 */
export function parseSigningKeyFile(text: string, fileName: string): SigningKeyFile {
  if (Buffer.byteLength(text, 'utf8') > MAX_KEY_FILE_BYTES) {
    throw new SigningKeyFileError(`larger than ${MAX_KEY_FILE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SigningKeyFileError('not valid JSON');
  }
  const parsed = signingKeyJwkSchema.safeParse(json);
  if (!parsed.success) throw new SigningKeyFileError(describeIssues(parsed.error));
  const jwk = parsed.data;
  const kid = jwk.kid ?? basename(fileName, '.json');
  if (jwk.kid === undefined) {
    const fromName = kidSchema.safeParse(kid);
    if (!fromName.success) throw new SigningKeyFileError(`file name: ${describeIssues(fromName.error)}`);
  }
  if (jwk.d !== undefined && jwk.iat === undefined) {
    throw new SigningKeyFileError('a private key needs "iat" (creation time, epoch seconds)');
  }
  return {
    fileName,
    kid,
    iat: jwk.iat ?? 0,
    ...(jwk.nbf !== undefined ? { nbf: jwk.nbf } : {}),
    hasPrivateKey: jwk.d !== undefined,
    jwk,
  };
}

/** The text of a key file: pretty JSON with a final newline. */
export function encodeSigningKeyFile(jwk: SigningKeyJwk): string {
  return `${JSON.stringify(jwk, null, 2)}\n`;
}
