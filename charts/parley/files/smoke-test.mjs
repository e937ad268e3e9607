// `helm test` smoke test of a Parley install, run by templates/tests/smoke-test-job.yaml with the
// chat-socket image's node (`node --experimental-websocket`): no dependencies, only fetch and
// the WebSocket global. It registers an account, opens a group room, connects a socket.io
// socket (Engine.IO v4 protocol over a raw WebSocket), sends a message with an acknowledgement,
// and reads it back from the room's history. Exit 0 on success, 1 with a reason otherwise.
//
// Environment: AUTH_URL (http://<release>-auth:8081), CHAT_URL (http://<release>-chat-socket:8083),
// SMOKE_TIMEOUT_MS (default 60000). tools/chart-tests runs this same file against the services
// started from their built output.
import { randomBytes, randomUUID } from 'node:crypto';

const AUTH_URL = (process.env.AUTH_URL ?? '').replace(/\/$/, '');
const CHAT_URL = (process.env.CHAT_URL ?? '').replace(/\/$/, '');
const TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS ?? 60_000);

const step = (name) => console.log(JSON.stringify({ smoke: name, at: new Date().toISOString() }));

class SmokeFailure extends Error {}

async function request(method, url, { token, body, expect } = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!expect.includes(response.status)) {
    throw new SmokeFailure(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/** Resolves once `predicate` returns a value, retrying every second until the deadline. */
async function eventually(what, deadline, attempt) {
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new SmokeFailure(`${what} did not happen in time${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

/**
 * A socket.io client reduced to what the smoke test needs: connect with `auth`, emit with an
 * acknowledgement, answer pings. Packet format: Engine.IO type digit, then socket.io type digit,
 * then an optional ack id, then JSON.
 */
function connectSocket(baseUrl, token) {
  const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url);
  const pendingAcks = new Map();
  let nextAck = 1;
  let settleConnect;
  const connected = new Promise((resolve, reject) => {
    settleConnect = { resolve, reject };
  });

  ws.addEventListener('message', (event) => {
    const data = String(event.data);
    if (data === '2') return ws.send('3'); // Engine.IO ping → pong
    if (data.startsWith('0')) return ws.send(`40${JSON.stringify({ token })}`); // open → socket.io CONNECT
    if (data.startsWith('40')) return settleConnect.resolve();
    if (data.startsWith('44')) return settleConnect.reject(new SmokeFailure(`socket handshake refused: ${data.slice(2)}`));
    const ack = /^43(\d+)(.*)$/s.exec(data);
    if (ack) {
      const pending = pendingAcks.get(Number(ack[1]));
      pendingAcks.delete(Number(ack[1]));
      pending?.(JSON.parse(ack[2])[0]);
    }
  });
  ws.addEventListener('error', () => settleConnect.reject(new SmokeFailure(`WebSocket error on ${url}`)));
  ws.addEventListener('close', (event) => settleConnect.reject(new SmokeFailure(`WebSocket closed (${event.code})`)));

  return {
    connected,
    emitWithAck(name, payload) {
      const id = nextAck++;
      return new Promise((resolve) => {
        pendingAcks.set(id, resolve);
        ws.send(`42${id}${JSON.stringify([name, payload])}`);
      });
    },
    close: () => ws.close(),
  };
}

async function main() {
  if (!AUTH_URL || !CHAT_URL) throw new SmokeFailure('AUTH_URL and CHAT_URL are required');
  if (typeof WebSocket === 'undefined') throw new SmokeFailure('no WebSocket global: run node with --experimental-websocket');
  const deadline = Date.now() + TIMEOUT_MS;

  step('waiting for auth and chat-socket readiness');
  await eventually('auth /readyz 200', deadline, async () => ((await fetch(`${AUTH_URL}/readyz`)).ok ? true : undefined));
  await eventually('chat-socket /readyz 200', deadline, async () => ((await fetch(`${CHAT_URL}/readyz`)).ok ? true : undefined));

  step('register');
  const suffix = randomBytes(5).toString('hex');
  const session = await request('POST', `${AUTH_URL}/api/v1/auth/register`, {
    body: { email: `smoke-${suffix}@parley.test`, username: `smoke_${suffix}`, password: `Smoke-${randomBytes(12).toString('hex')}` },
    expect: [201],
  });
  const token = session.accessToken;

  step('create a room');
  const room = await request('POST', `${CHAT_URL}/api/v1/rooms`, {
    token,
    body: { name: `smoke ${suffix}` },
    expect: [201],
  });

  step('connect a socket');
  const socket = connectSocket(CHAT_URL, token);
  await Promise.race([
    socket.connected,
    new Promise((_, reject) => setTimeout(() => reject(new SmokeFailure('socket did not connect in 15 s')), 15_000)),
  ]);

  step('send a message');
  const body = `smoke test ${suffix}`;
  const ack = await Promise.race([
    socket.emitWithAck('message:send', { roomId: room.id, clientMsgId: randomUUID(), body }),
    new Promise((_, reject) => setTimeout(() => reject(new SmokeFailure('no acknowledgement in 15 s')), 15_000)),
  ]);
  socket.close();
  if (!ack?.ok) throw new SmokeFailure(`message:send was refused: ${JSON.stringify(ack)}`);

  step('read history');
  await eventually('the message in the room history', deadline, async () => {
    const history = await request('GET', `${CHAT_URL}/api/v1/rooms/${room.id}/messages`, { token, expect: [200] });
    return history.messages.some((message) => message.id === ack.message.id && message.body === body) ? true : undefined;
  });
  step('ok');
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(JSON.stringify({ smoke: 'failed', error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
}
