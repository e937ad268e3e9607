import { randomUUID } from 'node:crypto';
import { decodeJwt, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { Ack, Message } from '@parley/contracts';
import { caseResult, expectThat, type CaseResult } from '../case-result.js';
import { handshakeOutcome, sleep, until, type Account, type ClientSocket, type PlatformApi } from '../clients/platform-api.js';
import { platformSigningKey } from '../clients/platform-signing-key.js';

/** How long a socket that should be closed is waited for before it counts as left open. */
const CLOSE_WAIT_MS = 5_000;

/**
 * The promise (docs/reliability.md): every socket of an ended session is closed within 1 s of
 * the request that ended it (logout, logout-all, the password reset's confirm).
 */
export const SESSION_CLOSE_PROMISE_MS = 1_000;
const SEND_EVERY_MS = 25;

/** A socket that keeps sending to a room until it is closed, noting when each send left and whether it was acked. */
class SendingSocket {
  closedAt: number | undefined;
  endedReason: string | undefined;
  readonly sends: Array<{ at: number; acked: boolean }> = [];
  private running = true;

  constructor(
    readonly socket: ClientSocket,
    roomId: string,
  ) {
    socket.on('session:ended', ({ reason }) => (this.endedReason = reason));
    socket.on('disconnect', () => (this.closedAt ??= Date.now()));
    void (async () => {
      while (this.running && socket.connected) {
        const send = { at: Date.now(), acked: false };
        this.sends.push(send);
        socket
          .timeout(5_000)
          .emitWithAck('message:send', { roomId, clientMsgId: randomUUID(), body: 'still signed in?' })
          .then((ack: Ack<{ message: Message }>) => (send.acked = ack.ok))
          .catch(() => undefined);
        await sleep(SEND_EVERY_MS);
      }
    })();
  }

  ackedAfter(time: number): number {
    return this.sends.filter((send) => send.at > time && send.acked).length;
  }

  stop(): void {
    this.running = false;
    this.socket.close();
  }
}

interface EndingFigures {
  tried: number;
  accepted: number;
  /** From the revoking request being sent to the last socket that had to close closing. */
  closedMs: number | undefined;
  problems: string[];
}

/**
 * Two sessions of one user with sending sockets (two on the first, one on the second); then
 * `end` (logout of the first, logout-all, or a password reset). Every socket of the ended
 * sessions must close within `closeWithinMs` of the revoking request (`end` calls `revoking`
 * just before sending it when it needs steps first, as the reset's mailed code), and after the
 * revocation was answered nothing may be accepted: no send on those sockets, no REST call or
 * handshake with their access tokens. With a logout, the other session must stay.
 */
async function endSessions(
  api: PlatformApi,
  label: string,
  end: (first: Account, user: Account, revoking: () => void) => Promise<void>,
  onlyFirst: boolean,
  closeWithinMs: number,
): Promise<EndingFigures> {
  const problems: string[] = [];
  const first = await api.register(`se_${label}`);
  const second = await api.login(first);
  const roomId = await api.createRoom(first, `session ${label}`, []);
  const sockets = [
    new SendingSocket(await api.connect(first.token), roomId),
    new SendingSocket(await api.connect(first.token), roomId),
    new SendingSocket(await api.connect(second.token), roomId),
  ];
  const mustClose = onlyFirst ? sockets.slice(0, 2) : sockets;
  const mustStay = onlyFirst ? sockets.slice(2) : [];
  await sleep(300);
  let requested = Date.now();
  await end(first, second, () => (requested = Date.now()));
  const answered = Date.now();
  const allClosed = await until(() => mustClose.every((socket) => socket.closedAt !== undefined), CLOSE_WAIT_MS, 10);
  expectThat(problems, allClosed, `${label}: ${mustClose.filter((socket) => socket.closedAt === undefined).length} sockets still open after ${CLOSE_WAIT_MS} ms`);
  expectThat(problems, mustClose.every((socket) => socket.endedReason !== undefined), `${label}: a socket closed without session:ended`);
  expectThat(problems, mustStay.every((socket) => socket.socket.connected), `${label}: the other session's socket was closed too`);

  let tried = mustClose.reduce((sum, socket) => sum + socket.sends.filter((send) => send.at > answered).length, 0);
  let accepted = mustClose.reduce((sum, socket) => sum + socket.ackedAfter(answered), 0);
  const endedTokens = onlyFirst ? [first.token] : [first.token, second.token];
  for (const token of endedTokens) {
    for (const [method, path, body] of [
      ['GET', '/api/v1/auth/me', undefined],
      ['GET', '/api/v1/users/me', undefined],
      ['POST', `/api/v1/rooms/${roomId}/messages`, { clientMsgId: randomUUID(), body: 'after the end' }],
    ] as const) {
      tried += 1;
      if ((await api.request(method, path, { token, body })).status < 400) {
        accepted += 1;
        problems.push(`${label}: an ended session's token was accepted at ${method} ${path}`);
      }
    }
    tried += 1;
    const socket = api.socket(token);
    if ((await handshakeOutcome(socket)) === 'connected') {
      accepted += 1;
      problems.push(`${label}: an ended session's token opened a socket`);
    }
    socket.close();
  }
  for (const socket of sockets) socket.stop();
  const closedMs = allClosed ? Math.max(...mustClose.map((socket) => socket.closedAt! - requested)) : undefined;
  expectThat(problems, closedMs === undefined || closedMs <= closeWithinMs, `${label}: the last socket closed ${closedMs} ms after the revoking request, over ${closeWithinMs} ms`);
  return { tried, accepted, closedMs, problems };
}

/**
 * A socket whose access token expires (a genuine token of a real session, minted to expire in
 * a few seconds) is closed with `session:ended` `expired`, and accepts nothing after expiry.
 */
async function expiringToken(api: PlatformApi, dataDir: string): Promise<EndingFigures & { closedAfterExpiryMs: number | undefined }> {
  const problems: string[] = [];
  const user = await api.register('se_expiry');
  const key = await platformSigningKey(dataDir);
  const genuine = decodeJwt(user.token) as JWTPayload & { username: string; roles: string[]; sid: string };
  const expiresAt = Math.floor(Date.now() / 1000) + 3;
  const token = await new SignJWT({ username: genuine.username, roles: genuine.roles, sid: genuine.sid })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(genuine.sub!)
    .setIssuer(genuine.iss!)
    .setAudience(genuine.aud as string)
    .setIssuedAt(genuine.iat!)
    .setExpirationTime(expiresAt)
    .sign(await importJWK(key.privateJwk, 'ES256'));
  const roomId = await api.createRoom(user, 'expiry', []);
  const socket = new SendingSocket(await api.connect(token), roomId);
  const closed = await until(() => socket.closedAt !== undefined, 3_000 + 10_000, 20);
  socket.stop();
  expectThat(problems, closed, 'a socket stayed open 10 s after its token expired');
  expectThat(problems, socket.endedReason === 'expired', `the expired socket ended with ${socket.endedReason ?? 'no session:ended'}`);
  const expiryMs = expiresAt * 1000;
  return {
    tried: socket.sends.filter((send) => send.at > expiryMs).length,
    accepted: socket.ackedAfter(expiryMs),
    closedMs: undefined,
    closedAfterExpiryMs: closed ? socket.closedAt! - expiryMs : undefined,
    problems,
  };
}

export interface SessionSocketsOptions {
  expiry: boolean;
  reset: boolean;
  /** A close slower than this is a problem: SESSION_CLOSE_PROMISE_MS, unless a run says otherwise. */
  closeWithinMs: number;
}

/** Logout, logout-all, password reset and token expiry against live, sending sockets. */
export async function sessionSocketsCase(api: PlatformApi, dataDir: string, options: SessionSocketsOptions): Promise<CaseResult> {
  const { closeWithinMs } = options;
  const logout = await endSessions(api, 'logout', async (first) => void (await api.expect([204], 'POST', '/api/v1/auth/logout', { body: { refreshToken: first.refreshToken } })), true, closeWithinMs);
  const logoutAll = await endSessions(api, 'logout-all', async (first) => void (await api.expect([204], 'POST', '/api/v1/auth/logout-all', { token: first.token, body: {} })), false, closeWithinMs);
  const endings = [logout, logoutAll];
  const figures: CaseResult['figures'] = { closeWithinMs, logoutClosedMs: logout.closedMs ?? null, logoutAllClosedMs: logoutAll.closedMs ?? null };
  if (options.reset) {
    const reset = await endSessions(
      api,
      'password reset',
      async (first, _second, revoking) => {
        await api.expect([200, 202, 204], 'POST', '/api/v1/auth/password/reset/request', { body: { email: first.email } });
        let code: string | undefined;
        await until(async () => (code = await api.mailedCode(first.email)) !== undefined, 10_000, 100);
        if (!code) throw new Error('no password reset code was mailed');
        // The reset happens at the confirm; requesting and reading the code is the user's time.
        revoking();
        await api.expect([200, 204], 'POST', '/api/v1/auth/password/reset/confirm', { body: { email: first.email, code, newPassword: `${first.password} renewed` } });
      },
      false,
      closeWithinMs,
    );
    endings.push(reset);
    figures.passwordResetClosedMs = reset.closedMs ?? null;
  }
  if (options.expiry) {
    const expiry = await expiringToken(api, dataDir);
    endings.push(expiry);
    figures.expiredTokenClosedAfterExpiryMs = expiry.closedAfterExpiryMs ?? null;
  }
  const closeTimes = endings.flatMap((ending) => (ending.closedMs === undefined ? [] : [ending.closedMs]));
  return caseResult(
    {
      name: 'sessions vs live sockets',
      unit: 'sends, calls, handshakes after the end',
      tried: endings.reduce((sum, ending) => sum + ending.tried, 0),
      accepted: endings.reduce((sum, ending) => sum + ending.accepted, 0),
      lost: 0,
      ...(closeTimes.length > 0 ? { recoverMs: Math.max(...closeTimes) } : {}),
      figures: { ...figures, slowestCloseMs: closeTimes.length > 0 ? Math.max(...closeTimes) : null },
    },
    endings.flatMap((ending) => ending.problems),
  );
}
