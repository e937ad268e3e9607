import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';

/**
 * The platform's own signing key, from the launcher's data directory (what an insider or a
 * leaked backup would hold): with it the suite makes tokens whose signature is genuine and
 * whose claims are not (expired, wrong audience, about to expire).
 */
export async function platformSigningKey(dataDir: string): Promise<{ kid: string; publicJwk: JWK; privateJwk: JWK }> {
  const dir = join(dataDir, 'signing-keys');
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.json'))) {
    const file = JSON.parse(await readFile(join(dir, name), 'utf8')) as JWK & { kid?: string };
    if (!file.d) continue;
    const kid = file.kid ?? name.replace(/\.json$/, '');
    const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: file.x!, y: file.y!, kid, alg: 'ES256', use: 'sig' };
    return { kid, publicJwk, privateJwk: { ...publicJwk, d: file.d } };
  }
  throw new Error(`no private signing key under ${dir}`);
}
