import { createHmac, createPublicKey, generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import { createServer } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { handshakeOutcome, type Account, type PlatformApi } from '../clients/platform-api.js';
import { platformSigningKey } from '../clients/platform-signing-key.js';

/** Where a forged token is presented: three services' REST routes and the socket handshake. */
const REST_TARGETS = ['/api/v1/auth/me', '/api/v1/users/me', '/api/v1/rooms'] as const;

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * Tokens an attacker can make for the victim's account: unsigned, HMAC-signed with the public
 * key, signed by the attacker's own key (unknown kid, the real kid, or announced in a jwk/jku
 * header), a genuine token with its payload or header changed, and tokens signed with the
 * platform's real key whose claims are wrong (expired, wrong audience or issuer, not yet valid).
 */
async function forgeries(dataDir: string, victim: Account, jkuUrl: string): Promise<Array<{ kind: string; token: string }>> {
  const real = await platformSigningKey(dataDir);
  const genuine = decodeJwt(victim.token) as JWTPayload & { username: string; roles: string[]; sid: string };
  const now = Math.floor(Date.now() / 1000);
  const claims = { username: genuine.username, roles: genuine.roles, sid: genuine.sid };
  const realKey = await importJWK(real.privateJwk, 'ES256');
  const attacker = await generateKeyPair('ES256', { extractable: true });
  const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker-key', alg: 'ES256', use: 'sig' };
  const sign = (key: Parameters<SignJWT['sign']>[0], header: Record<string, unknown>, overrides: (jwt: SignJWT) => SignJWT = (jwt) => jwt) =>
    overrides(
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...header } as { alg: string })
        .setSubject(victim.userId)
        .setIssuer(genuine.iss!)
        .setAudience(genuine.aud as string)
        .setIssuedAt(now)
        .setExpirationTime(now + 600),
    ).sign(key);
  const payload = { ...claims, sub: victim.userId, iss: genuine.iss, aud: genuine.aud, iat: now, exp: now + 600 };
  const hmac = (alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer) => {
    const head = `${b64({ alg, typ: 'JWT', kid: real.kid })}.${b64(payload)}`;
    return `${head}.${createHmac(alg.replace('HS', 'sha'), secret).update(head).digest('base64url')}`;
  };
  const publicPem = createPublicKey({ key: real.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const [head, body, signature] = victim.token.split('.') as [string, string, string];
  const tamperedBody = b64({ ...decodeJwt(victim.token), sub: '00000000-0000-4000-8000-000000000001', roles: ['user', 'admin'] });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaToken = (() => {
    const part = `${b64({ alg: 'RS256', typ: 'JWT', kid: real.kid })}.${b64(payload)}`;
    return `${part}.${signWithKey('sha256', Buffer.from(part), rsa.privateKey).toString('base64url')}`;
  })();

  return [
    { kind: 'alg none', token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.` },
    { kind: 'alg None, kid', token: `${b64({ alg: 'None', typ: 'JWT', kid: real.kid })}.${b64(payload)}.` },
    { kind: 'alg NONE, genuine signature', token: `${b64({ alg: 'NONE', typ: 'JWT', kid: real.kid })}.${body}.${signature}` },
    { kind: 'HS256 with the public key (PEM)', token: hmac('HS256', publicPem) },
    { kind: 'HS256 with the public key (JWK JSON)', token: hmac('HS256', JSON.stringify(real.publicJwk)) },
    { kind: 'HS384 with the public key (PEM)', token: hmac('HS384', publicPem) },
    { kind: 'HS512 with the public x coordinate', token: hmac('HS512', Buffer.from(real.publicJwk.x!, 'base64url')) },
    { kind: 'RS256 by an attacker key, real kid', token: rsaToken },
    { kind: 'expired (real key)', token: await sign(realKey, { kid: real.kid }, (jwt) => jwt.setIssuedAt(now - 3_600).setExpirationTime(now - 120)) },
    { kind: 'wrong aud (real key)', token: await sign(realKey, { kid: real.kid }, (jwt) => jwt.setAudience('someone-else')) },
    { kind: 'wrong iss (real key)', token: await sign(realKey, { kid: real.kid }, (jwt) => jwt.setIssuer('https://evil.example')) },
    { kind: 'not yet valid (real key)', token: await sign(realKey, { kid: real.kid }, (jwt) => jwt.setNotBefore(now + 3_600)) },
    { kind: 'unknown kid (attacker key)', token: await sign(attacker.privateKey, { kid: 'unknown-kid' }) },
    { kind: 'real kid (attacker key)', token: await sign(attacker.privateKey, { kid: real.kid }) },
    { kind: 'no kid (attacker key)', token: await sign(attacker.privateKey, {}) },
    { kind: 'embedded jwk header (attacker key)', token: await sign(attacker.privateKey, { jwk: attackerJwk }) },
    { kind: 'embedded jwk header, real kid', token: await sign(attacker.privateKey, { kid: real.kid, jwk: attackerJwk }) },
    { kind: 'jku header to an attacker JWKS', token: await sign(attacker.privateKey, { kid: 'attacker-key', jku: jkuUrl }) },
    { kind: 'x5u header to an attacker URL', token: await sign(attacker.privateKey, { kid: 'attacker-key', x5u: jkuUrl }) },
    { kind: 'tampered payload (genuine signature)', token: `${head}.${tamperedBody}.${signature}` },
    { kind: 'tampered header (genuine signature)', token: `${b64({ alg: 'ES256', typ: 'JWT', kid: real.kid, extra: 1 })}.${body}.${signature}` },
    { kind: 'truncated signature', token: `${head}.${body}.${signature.slice(0, -4)}` },
    { kind: 'signature of another token', token: `${head}.${b64(payload)}.${signature}` },
    { kind: 'two tokens glued', token: `${victim.token}.${victim.token}` },
  ];
}

/**
 * Every forged token at three services' REST routes and at the socket handshake: none may get
 * in, and the attacker's JWKS server (named in jku/x5u headers) must never be fetched. The
 * victim's genuine token must get in everywhere (otherwise the refusals prove nothing).
 */
export async function forgedTokensCase(api: PlatformApi, dataDir: string, victim: Account, rounds = 1): Promise<CaseResult> {
  let fetchedByPlatform = 0;
  const jwksServer = createServer((_req, res) => {
    fetchedByPlatform += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
  const address = jwksServer.address();
  const jkuUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
  const problems: string[] = [];
  const acceptedKinds: string[] = [];
  let tried = 0;
  let accepted = 0;
  try {
    for (const path of REST_TARGETS) {
      const { status } = await api.request('GET', path, { token: victim.token });
      expectThat(problems, status === 200, `the genuine token got ${status} at ${path}`);
    }
    const genuineSocket = api.socket(victim.token);
    expectThat(problems, (await handshakeOutcome(genuineSocket)) === 'connected', 'the genuine token was refused at the handshake');
    genuineSocket.close();

    for (let round = 0; round < rounds; round += 1) {
      for (const { kind, token } of await forgeries(dataDir, victim, jkuUrl)) {
        for (const path of REST_TARGETS) {
          tried += 1;
          const { status } = await api.request('GET', path, { token });
          if (status < 400) {
            accepted += 1;
            acceptedKinds.push(`${kind} at ${path} (${status})`);
          } else if (status !== 401) problems.push(`${kind} at ${path}: ${status} instead of 401`);
        }
        tried += 1;
        const socket = api.socket(token);
        const outcome = await handshakeOutcome(socket);
        socket.close();
        if (outcome === 'connected') {
          accepted += 1;
          acceptedKinds.push(`${kind} at the handshake`);
        } else if (outcome !== 'unauthorized') problems.push(`${kind} at the handshake: ${outcome} instead of unauthorized`);
      }
    }
  } finally {
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  }
  problems.push(...acceptedKinds.map((kind) => `let in: ${kind}`));
  expectThat(problems, fetchedByPlatform === 0, `the platform fetched the attacker's JWKS ${fetchedByPlatform} times`);
  return caseResult(
    { name: 'forged tokens', unit: 'forged tokens', tried, accepted, lost: 0, figures: { restRoutes: REST_TARGETS.length, handshakes: tried / (REST_TARGETS.length + 1), attackerJwksFetched: fetchedByPlatform } },
    problems,
  );
}
