import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * TEST STAND-IN for the auth service's token issuing: an ES256 key, a real JWKS served over
 * HTTP on an ephemeral port, and tokens shaped like the auth service's (sub, sid, username,
 * roles, iss, aud, exp, iat, header kid). It also forges the tokens an attacker would try.
 * The service under test only ever sees its JWKS URL, exactly as in production.
 */
export interface TestTokenIssuer {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** A valid access token. */
  mint(subject: TokenSubject, options?: MintOptions): Promise<string>;
  forge: {
    /** `alg: none`, no signature. */
    unsigned(subject: TokenSubject): string;
    /** Signed by a key whose kid is not in the JWKS. */
    unknownKey(subject: TokenSubject): Promise<string>;
    /** Signed by another key, but claiming the published kid. */
    publishedKidWrongKey(subject: TokenSubject): Promise<string>;
    /** HS256 keyed with the public JWK: the classic algorithm-confusion attack. */
    hmacWithPublicKey(subject: TokenSubject): Promise<string>;
  };
  close(): Promise<void>;
}

export interface TokenSubject {
  id: string;
  username: string;
  roles?: string[];
  /** The `sid` claim; a new session per token when omitted. */
  sessionId?: string;
}

export interface MintOptions {
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Overrides the `sub` claim, e.g. with something that is not a uuid. */
  sub?: string;
  /** `iat` in epoch seconds (the auth service dates tokens at a user's not-before at the earliest). */
  issuedAt?: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function startTestTokenIssuer(settings: { issuer?: string; audience?: string } = {}): Promise<TestTokenIssuer> {
  const issuer = settings.issuer ?? 'parley-auth-test';
  const audience = settings.audience ?? 'parley-test';
  const published = await createSigningKey();
  const stranger = await createSigningKey();

  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [published.publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = async (key: CryptoKey | Uint8Array, header: { alg: string; kid?: string }, subject: TokenSubject, options: MintOptions = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 900;
    return new SignJWT({ username: subject.username, roles: subject.roles ?? ['user'], sid: subject.sessionId ?? randomUUID() })
      .setProtectedHeader({ ...header, typ: 'JWT' })
      .setSubject(options.sub ?? subject.id)
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? audience)
      .setIssuedAt(options.issuedAt ?? (expiresIn > 0 ? now : now + expiresIn - 60))
      .setExpirationTime(now + expiresIn)
      .setJti(randomUUID())
      .sign(key);
  };

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    mint: (subject, options) => sign(published.privateKey, { alg: 'ES256', kid: published.kid }, subject, options),
    forge: {
      unsigned(subject) {
        const now = Math.floor(Date.now() / 1000);
        const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const claims = {
          sub: subject.id,
          sid: subject.sessionId ?? randomUUID(),
          username: subject.username,
          roles: subject.roles ?? ['user'],
          iss: issuer,
          aud: audience,
          iat: now,
          exp: now + 900,
        };
        return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
      },
      unknownKey: (subject) => sign(stranger.privateKey, { alg: 'ES256', kid: stranger.kid }, subject),
      publishedKidWrongKey: (subject) => sign(stranger.privateKey, { alg: 'ES256', kid: published.kid }, subject),
      hmacWithPublicKey: (subject) =>
        sign(Buffer.from(JSON.stringify(published.publicJwk)), { alg: 'HS256', kid: published.kid }, subject),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}
