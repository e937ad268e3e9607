import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { handshakeOutcome, type Account, type PlatformApi } from '../clients/platform-api.js';

/**
 * Origins a hostile page could open a socket from, next to the platform's own. (Not the own
 * origin with surrounding spaces: HTTP strips those from every header value, so the server
 * rightly sees the own origin.)
 */
function foreignOrigins(allowed: string): string[] {
  const own = new URL(allowed);
  return [
    'https://evil.example',
    'null',
    `${allowed}.evil.example`,
    `http://evil.example:${own.port}`,
    `https://${own.host}`,
    `http://${own.hostname}:${Number(own.port) + 1}`,
    `http://127.0.0.1:${own.port}`,
    `${allowed}/`,
    allowed.toUpperCase(),
    `http://sub.${own.host}`,
    'file://',
  ];
}

/**
 * Socket handshakes with a valid token from origins other than the platform's: none may connect
 * (a page elsewhere must not ride a user's session), and REST answers to those origins must not
 * allow them in CORS. The platform's own origin must connect (so the refusals prove something).
 */
export async function foreignOriginCase(api: PlatformApi, user: Account, rounds = 1): Promise<CaseResult> {
  const problems: string[] = [];
  const own = api.socket(user.token);
  expectThat(problems, (await handshakeOutcome(own)) === 'connected', 'the platform’s own origin was refused');
  own.close();
  let tried = 0;
  let accepted = 0;
  let corsAllowed = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const origin of foreignOrigins(api.origin)) {
      tried += 1;
      const socket = api.socket(user.token, { origin });
      const outcome = await handshakeOutcome(socket);
      socket.close();
      if (outcome === 'connected') {
        accepted += 1;
        problems.push(`a socket connected from ${JSON.stringify(origin)}`);
      }
      tried += 1;
      const response = await fetch(new URL('/api/v1/rooms', api.url), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      }).catch(() => undefined);
      const allowOrigin = response?.headers.get('access-control-allow-origin');
      if (allowOrigin === origin || allowOrigin === '*') {
        accepted += 1;
        corsAllowed += 1;
        problems.push(`CORS allowed ${JSON.stringify(origin)}`);
      }
    }
  }
  return caseResult({ name: 'foreign Origin', unit: 'handshakes and preflights', tried, accepted, lost: 0, figures: { origins: foreignOrigins(api.origin).length, corsAllowed } }, problems);
}
