import { z } from 'zod';

/**
 * The key files of the signing-key Secret, in the auth service's format (SIGNING_KEYS_DIR):
 * `<kid>.json`, an EC P-256 JWK with `kid`, `alg: ES256`, `use: sig`, `iat` (creation, epoch
 * seconds), optional `nbf` (do not sign before), and `d` on private keys.
 */
const keyFileSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1).optional(),
  kid: z.string().min(1).optional(),
  alg: z.literal('ES256').optional(),
  use: z.literal('sig').optional(),
  iat: z.number().int().nonnegative().optional(),
  nbf: z.number().int().nonnegative().optional(),
});

export type KeyFileJwk = z.infer<typeof keyFileSchema>;

export interface SigningKeyFile {
  /** Secret data key, e.g. `20250101-abcdef012345.json`. */
  fileName: string;
  kid: string;
  /** Epoch seconds (0 for public keys without one). */
  iat: number;
  nbf?: number;
  hasPrivateKey: boolean;
  jwk: KeyFileJwk;
}

export interface SigningKeyFiles {
  keys: SigningKeyFile[];
  /** Files the auth service would skip too; left untouched, reported in the status. */
  invalid: { fileName: string; problem: string }[];
}

/** Reads a Secret's `data` (base64 values) as key files. */
export function readSigningKeyFiles(data: Record<string, string> | undefined): SigningKeyFiles {
  const keys: SigningKeyFile[] = [];
  const invalid: SigningKeyFiles['invalid'] = [];
  for (const [fileName, encoded] of Object.entries(data ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!fileName.endsWith('.json') || fileName.startsWith('.')) continue;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch {
      invalid.push({ fileName, problem: 'not valid JSON' });
      continue;
    }
    const parsed = keyFileSchema.safeParse(json);
    if (!parsed.success) {
      invalid.push({ fileName, problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') });
      continue;
    }
    const jwk = parsed.data;
    if (jwk.d !== undefined && jwk.iat === undefined) {
      invalid.push({ fileName, problem: 'a private key needs "iat"' });
      continue;
    }
    keys.push({
      fileName,
      kid: jwk.kid ?? fileName.slice(0, -'.json'.length),
      iat: jwk.iat ?? 0,
      ...(jwk.nbf !== undefined ? { nbf: jwk.nbf } : {}),
      hasPrivateKey: jwk.d !== undefined,
      jwk,
    });
  }
  return { keys, invalid };
}

/** Secret `data` value of one key file. */
export function encodeKeyFile(jwk: KeyFileJwk): string {
  return Buffer.from(`${JSON.stringify(jwk, null, 2)}\n`).toString('base64');
}
