import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientToServerEvents, Message, ServerToClientEvents } from '@parley/contracts';
import { createTestDatabase, deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL, type TestDatabase, launchPlatform, processesWithRedisPrefix, schedulingOf, type LaunchedPlatform } from '@parley/testing';

let database: TestDatabase;
let prefix: string;
let dataDir: string;
let platform: LaunchedPlatform;

async function api(path: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${platform.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** Niceness of each live process of this run, by the service script it runs. */
async function nicenessByService(): Promise<Map<string, number[]>> {
  const byService = new Map<string, number[]>();
  for (const pid of await processesWithRedisPrefix(prefix)) {
    const script = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).match(/services\/([a-z-]+)\//)?.[1];
    if (script) byService.set(script, [...(byService.get(script) ?? []), getPriority(pid)]);
  }
  return byService;
}

const AUTOGROUP_SCHEDULING = existsSync('/proc/sys/kernel/sched_autogroup_enabled') && readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';

/** Autogroup nice value of each live process of this run, by the service script it runs. */
async function autogroupNiceByService(): Promise<Map<string, Array<number | undefined>>> {
  const byService = new Map<string, Array<number | undefined>>();
  for (const pid of await processesWithRedisPrefix(prefix)) {
    const script = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).match(/services\/([a-z-]+)\//)?.[1];
    if (script) byService.set(script, [...(byService.get(script) ?? []), (await schedulingOf(pid)).autogroupNice]);
  }
  return byService;
}

const uniqueName = (base: string) => `${base}_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  database = await createTestDatabase('e2e');
  prefix = testRedisPrefix('e2e');
  dataDir = await mkdtemp(join(tmpdir(), 'parley-e2e-'));
  platform = await launchPlatform({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_BACKGROUND_NICENESS: '7',
      ARGON2_MEMORY_KIB: '8192',
      // The launcher's own default is under test below.
      MALLOC_ARENA_MAX: undefined,
    },
  });
}, 120_000);

// A failure here is often the platform's, not the test's: show what the launcher said.
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`launcher output so far:\n${platform?.output.join('\n')}`));
});

afterAll(async () => {
  await platform?.stop();
  await database?.drop();
  await deleteRedisPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the platform started by the launcher (npm start)', () => {
  it('registers a user whose profile exists the moment register returns, all through one origin', async () => {
    const username = uniqueName('alice');
    const registered = await api('/api/v1/auth/register', {
      body: { email: `${username}@example.com`, username, password: 'correct horse battery' },
    });
    expect(registered.status).toBe(201);
    const token = registered.body?.accessToken as string;

    const me = await api('/api/v1/users/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: registered.body?.user.id, username, email: `${username}@example.com` });
  });

  it('finds another registered user by exact email through the user service', async () => {
    const [a, b] = [uniqueName('carol'), uniqueName('dave')];
    const first = await api('/api/v1/auth/register', { body: { email: `${a}@example.com`, username: a, password: 'correct horse battery' } });
    await api('/api/v1/auth/register', { body: { email: `${b}@example.com`, username: b, password: 'correct horse battery' } });
    const found = await api(`/api/v1/users?query=${encodeURIComponent(`${b}@example.com`)}`, { token: first.body?.accessToken });
    expect(found.status).toBe(200);
    expect(found.body?.users.map((user: { username: string }) => user.username)).toEqual([b]);
  });

  it('logs in, refreshes with rotation, and rejects the spent refresh token', async () => {
    const username = uniqueName('erin');
    await api('/api/v1/auth/register', { body: { email: `${username}@example.com`, username, password: 'correct horse battery' } });
    const login = await api('/api/v1/auth/login', { body: { login: username, password: 'correct horse battery' } });
    expect(login.status).toBe(200);
    const refreshed = await api('/api/v1/auth/refresh', { body: { refreshToken: login.body?.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body?.refreshToken).not.toBe(login.body?.refreshToken);
  });

  it('serves the JWKS and both OpenAPI documents under the public paths', async () => {
    const jwks = await api('/api/v1/auth/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body?.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.body?.keys[0]).not.toHaveProperty('d');
    expect((await api('/api/v1/auth/openapi.json')).body?.openapi).toMatch(/^3\./);
    expect((await api('/api/v1/users/openapi.json')).body?.openapi).toMatch(/^3\./);
  });

  it('confirms an email address with the code from the local dev mailbox', async () => {
    const username = uniqueName('gina');
    const email = `${username}@example.com`;
    const registered = await api('/api/v1/auth/register', { body: { email, username, password: 'correct horse battery' } });
    const token = registered.body?.accessToken as string;
    expect((await api('/api/v1/auth/email/verify/request', { method: 'POST', token })).status).toBe(202);

    let code: string | undefined;
    for (let attempt = 0; attempt < 50 && !code; attempt += 1) {
      const mailbox = await api(`/dev/mailbox?to=${encodeURIComponent(email)}`);
      code = /\b(\d{6})\b/.exec(mailbox.body?.messages[0]?.text ?? '')?.[1];
      if (!code) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const confirmed = await api('/api/v1/auth/email/verify/confirm', { body: { code }, token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body?.user).toMatchObject({ email, emailVerified: true });
  });

  it('answers unauthenticated and unknown requests with the uniform error body', async () => {
    const unauthorized = await api('/api/v1/users/me');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({ error: { code: 'unauthorized' } });
    const unknown = await api('/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('never routes internal endpoints through the public origin', async () => {
    const internal = await api('/internal/v1/blocks?userA=00000000-0000-4000-8000-000000000000&userB=00000000-0000-4000-8000-000000000001');
    expect(internal.status).toBe(404);
  });

  it('delivers a direct message over WebSockets through the one origin and keeps it in history', async () => {
    const [a, b] = [uniqueName('hana'), uniqueName('ivan')];
    const register = (name: string) =>
      api('/api/v1/auth/register', { body: { email: `${name}@example.com`, username: name, password: 'correct horse battery' } });
    const [hana, ivan] = [await register(a), await register(b)];
    const room = await api('/api/v1/rooms/direct', { body: { userId: ivan.body?.user.id }, token: hana.body?.accessToken });
    expect(room.status).toBe(201);

    const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
    const connect = async (token: string) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(platform.url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    try {
      const [hanaSocket, ivanSocket] = [await connect(hana.body?.accessToken), await connect(ivan.body?.accessToken)];
      const received = new Promise<Message>((resolve) => ivanSocket.once('message:new', resolve));
      const ack = await hanaSocket.emitWithAck('message:send', {
        roomId: room.body?.id,
        clientMsgId: crypto.randomUUID(),
        body: 'hello through the gateway',
      });
      expect(ack).toMatchObject({ ok: true, message: { body: 'hello through the gateway' } });
      expect((await received).id).toBe(ack.ok ? ack.message.id : undefined);

      const history = await api(`/api/v1/rooms/${room.body?.id}/messages`, { token: ivan.body?.accessToken });
      expect(history.body?.messages.map((message: Message) => message.body)).toEqual(['hello through the gateway']);
    } finally {
      for (const socket of sockets) socket.disconnect();
    }
  });

  it('runs the persistence worker at PARLEY_BACKGROUND_NICENESS, below the services users wait on', async () => {
    const niceness = await nicenessByService();
    expect(niceness.get('persistence-worker')).toEqual([7]);
    const own = getPriority();
    expect(niceness.get('chat-socket')).toEqual([own, own]);
    expect(niceness.get('auth')).toEqual([own]);
  });

  // Without autogroup scheduling the process nice value above is all there is.
  it.runIf(AUTOGROUP_SCHEDULING)("lowers the worker's session group too, as the kernel shares CPU between sessions first", async () => {
    const groups = await autogroupNiceByService();
    expect(groups.get('persistence-worker')).toEqual([7]);
    expect(groups.get('chat-socket')).toEqual([0, 0]);
    expect(groups.get('auth')).toEqual([0]);
  });

  it('starts every service with two malloc arenas, which keeps idle sockets smaller', async () => {
    const services: { cmdline: string; environ: string[] }[] = [];
    for (const pid of await processesWithRedisPrefix(prefix)) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      const environ = (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0');
      if (cmdline.includes('services/')) services.push({ cmdline, environ });
    }
    expect(services.filter(({ cmdline }) => cmdline.includes('services/chat-socket/')).length).toBe(2);
    for (const { environ } of services) expect(environ).toContain('MALLOC_ARENA_MAX=2');
  });

  it('prints a metrics URL for every instance, and each one answers with Prometheus text', async () => {
    const line = await vi.waitUntil(() => platform.output.find((entry) => entry.includes('Prometheus metrics: ')), { timeout: 10_000 });
    const printed = [...line.split('Prometheus metrics: ')[1]!.matchAll(/([a-z-]+(?:#\d+)?) (http:\/\/\S+?\/metrics)/g)].map(([, key, url]) => ({ key: key!, url: url! }));
    expect(printed.map(({ key }) => key).sort()).toEqual(['auth', 'chat-socket', 'chat-socket#2', 'persistence-worker', 'user', 'web']);
    for (const { key, url } of printed) {
      const response = await fetch(url);
      expect({ key, status: response.status }).toEqual({ key, status: 200 });
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/^# TYPE parley_process_cpu_user_seconds_total counter$/m);
    }
  });

  it('stops every process and exits 0 on SIGTERM', async () => {
    const code = await platform.stop();
    expect(code).toBe(0);
    expect(platform.output.join('\n')).toContain('all services stopped');
  }, 60_000);
});
