import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, startPrivatePostgres, testRedisPrefix, TEST_REDIS_URL, type PrivatePostgres } from '@parley/testing';
import { startChatLoad, type ChatLoad } from './support/chat-load.js';
import { filesIn, readDashboards, RULES_DIR } from './support/observability-files.js';
import { builtScript, freePort, runToCompletion, startService, type ServiceProcess } from './support/platform-processes.js';
import { startPrometheus, type PrometheusServer } from './support/prometheus-server.js';

/**
 * The telemetry checked against the running platform by a real Prometheus (Debian's), as an
 * SRE would meet it: the built services as processes on a PRIVATE PostgreSQL (this test stops
 * it) and a Redis key prefix of their own, Prometheus scraping every admin port each second with
 * the project's rule files, a steady send load, then faults: the worker stopped, PostgreSQL
 * stopped, a burst of sockets dropped. Each expected alert must go pending and firing; no timing
 * is asserted beyond what the alerts' own thresholds and `for:` clauses imply (the deadlines
 * below add generous slack for a busy two-core machine).
 *
 * Run with `npm run test:telemetry` (several minutes: the alerts' `for:` clauses run in real time).
 */
const NAMESPACE = 'live';
const SECOND = 1_000;

describe('telemetry that tells the truth when things break (live Prometheus)', () => {
  const ORIGIN = 'http://localhost:8080';
  let postgres: PrivatePostgres;
  let redisPrefix: string;
  let dataDir: string;
  let prometheus: PrometheusServer;
  let load: ChatLoad | undefined;
  const services = new Map<string, ServiceProcess>();
  let workerEnv: Record<string, string>;
  let roomId: string;
  let users: Array<{ id: string; token: string }> = [];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    redisPrefix = testRedisPrefix('live_truth');
    dataDir = await mkdtemp(join(tmpdir(), 'parley-live-truth-'));
    const common = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: postgres.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      INTERNAL_API_TOKEN: randomBytes(24).toString('base64url'),
      CORS_ORIGINS: ORIGIN,
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    for (const dir of ['auth', 'user', 'chat-socket']) {
      const migration = await runToCompletion(builtScript(dir, 'migrate.js'), common);
      if (migration.code !== 0) throw new Error(`${dir} migrations failed:\n${migration.output}`);
    }
    const [authPort, userPort] = [await freePort(), await freePort()];
    const jwksUrl = `http://127.0.0.1:${authPort}/.well-known/jwks.json`;
    const userUrl = `http://127.0.0.1:${userPort}`;
    const chatEnv = { ...common, JWKS_URL: jwksUrl, USER_SERVICE_URL: userUrl, SEND_BURST: '50', SEND_RATE_PER_SECOND: '20' };
    workerEnv = { ...common, DATA_DIR: join(dataDir, 'worker') };
    const started = await Promise.allSettled([
      startService('auth', 'auth', {
        ...common,
        PORT: String(authPort),
        DATA_DIR: join(dataDir, 'auth'),
        USER_SERVICE_URL: userUrl,
        MAIL_WORKER_ENABLED: 'false',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        COOKIE_SECURE: 'false',
      }),
      startService('user', 'user', { ...common, PORT: String(userPort), JWKS_URL: jwksUrl }),
      startService('chat-socket-1', 'chat-socket', chatEnv),
      startService('chat-socket-2', 'chat-socket', chatEnv),
      startService('persistence-worker', 'persistence-worker', workerEnv),
    ]);
    for (const result of started) if (result.status === 'fulfilled') services.set(result.value.name, result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;

    const ruleFiles = filesIn(RULES_DIR, '.yaml').map((file) => join(RULES_DIR, file));
    prometheus = await startPrometheus(
      [...services.values()].map((service) => ({ job: service.name.replace(/-\d$/, ''), pod: service.name, address: new URL(service.adminUrl).host })),
      ruleFiles,
      NAMESPACE,
    );
  }, 180 * SECOND);

  afterAll(async () => {
    await load?.stop();
    await Promise.all([...services.values()].map((service) => service.stop()));
    await prometheus?.close();
    await postgres?.destroy();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60 * SECOND);

  const service = (name: string) => services.get(name)!;

  const call = async (name: string, method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${service(name).url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };

  const register = async (name: string) => {
    const suffix = randomBytes(3).toString('hex');
    const account = { email: `${name}.${suffix}@example.com`, username: `${name}_${suffix}`, password: `a long passphrase for ${name} ${suffix}` };
    const response = await call('auth', 'POST', '/api/v1/auth/register', account);
    if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    return { ...account, id: String(response.body.user.id), token: String(response.body.accessToken) };
  };

  /** Polls until `check` returns something, or fails after `timeoutMs` saying what it waited for. */
  const eventually = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, SECOND));
    }
  };

  const alertState = async (alertname: string) => (await prometheus.alerts()).find((alert) => alert.labels.alertname === alertname && alert.labels.namespace === NAMESPACE)?.state;
  const alertReaches = (alertname: string, state: 'pending' | 'firing', timeoutMs: number) =>
    eventually(`${alertname} to be ${state}`, async () => {
      const now = await alertState(alertname);
      return now === state || (state === 'pending' && now === 'firing') ? now : undefined;
    }, timeoutMs);
  const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1] ?? Number.NaN);

  it('loads every rule file without errors', async () => {
    const rules = await eventually('the rules to be evaluated', async () => {
      const loaded = await prometheus.rules();
      return loaded.length > 0 && loaded.every((rule) => rule.health !== 'unknown') ? loaded : undefined;
    }, 30 * SECOND);
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
  }, 60 * SECOND);

  it('answers every dashboard expression with data under load (never "No data")', async () => {
    const created = await Promise.all(Array.from({ length: 8 }, (_, index) => register(`load${index}`)));
    users = created;
    const room = await call('chat-socket-1', 'POST', '/api/v1/rooms', { name: 'live truth', memberIds: created.slice(1).map((user) => user.id) }, created[0]!.token);
    expect(room.status).toBe(201);
    roomId = String(room.body.id);
    // 8 senders, one message each per 400 ms: 20 messages/s, 160 deliveries/s.
    load = await startChatLoad([service('chat-socket-1').url, service('chat-socket-2').url], created, roomId, 400);
    // HTTP traffic of every kind the dashboards show: logins that succeed and fail, reads.
    for (const user of created.slice(0, 3)) {
      await call('auth', 'POST', '/api/v1/auth/login', { login: user.email, password: user.password });
      await call('auth', 'POST', '/api/v1/auth/login', { login: user.email, password: 'not the password at all' });
      await call('user', 'GET', '/api/v1/users/me', undefined, user.token);
    }

    const expressions = readDashboards().flatMap(({ file, dashboard }) =>
      dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr }))),
    );
    const substituted = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', NAMESPACE).replaceAll('$queue', '.*');
    const empty = await eventually(
      'every dashboard expression to return data',
      async () => {
        const missing: string[] = [];
        for (const { where, expr } of expressions) if ((await prometheus.query(substituted(expr))).length === 0) missing.push(where);
        return missing.length === 0 ? missing : undefined;
      },
      120 * SECOND,
    ).catch(async () => {
      const missing: string[] = [];
      for (const { where, expr } of expressions) if ((await prometheus.query(substituted(expr))).length === 0) missing.push(`${where}: ${expr}`);
      return missing;
    });
    expect(empty).toEqual([]);
    expect(load.outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    // Healthy: the ledger is drained as fast as messages come.
    expect(await value(`namespace:parley_persistence_lag_oldest_seconds:max{namespace="${NAMESPACE}"}`)).toBeLessThan(20);
    expect(await alertState('ParleyMessagesNotPersisted')).toBeUndefined();
  }, 200 * SECOND);

  it('pages ParleyMessagesNotPersisted while the worker is stopped, with the backlog counted in messages by chat-socket, and clears once it is back', async () => {
    expect(load, 'the load runs').toBeDefined();
    const before = load!.outcomes.get('ok') ?? 0;
    await service('persistence-worker').stop();
    services.delete('persistence-worker');
    // Pending once the oldest unstored message is 20 s old; firing after `for: 1m`.
    await alertReaches('ParleyMessagesNotPersisted', 'pending', 60 * SECOND);
    await alertReaches('ParleyMessagesNotPersisted', 'firing', 120 * SECOND);
    // The queue signals did not vanish with the worker: chat-socket exports them.
    expect(await value(`max(parley_messages_unpersisted{namespace="${NAMESPACE}", job="chat-socket"})`)).toBeGreaterThan(0);
    expect(await value(`max(parley_queue_jobs{namespace="${NAMESPACE}", job="chat-socket", queue="messages", state="waiting"})`)).toBeGreaterThan(0);
    expect(await value(`max(parley_queue_oldest_waiting_age_seconds{namespace="${NAMESPACE}", queue="messages"})`)).toBeGreaterThan(20);
    // Sends were still acknowledged meanwhile (Redis holds them).
    expect(load!.outcomes.get('ok') ?? 0).toBeGreaterThan(before);

    const worker = await startService('persistence-worker', 'persistence-worker', workerEnv);
    services.set('persistence-worker', worker);
    await eventually('the backlog to drain and the alert to clear', async () => {
      const lag = await value(`max(parley_persistence_lag_oldest_seconds{namespace="${NAMESPACE}"})`);
      return lag < 20 && (await alertState('ParleyMessagesNotPersisted')) === undefined ? true : undefined;
    }, 120 * SECOND);
  }, 360 * SECOND);

  it('pages ParleyMessagesNotPersisted while PostgreSQL is down, and ParleySocketDisconnectStorm for a burst of dropped sockets', async () => {
    expect(load, 'the load runs').toBeDefined();
    // 60 more sockets on pod 2, then all dropped at once (transport closed, no goodbye).
    const burst = await load!.connectIdle(service('chat-socket-2').url, users[0]!, 60);
    await new Promise((resolve) => setTimeout(resolve, 5 * SECOND));
    load!.dropBurst(burst);
    await postgres.stop('fast');
    try {
      await alertReaches('ParleySocketDisconnectStorm', 'pending', 60 * SECOND);
      await alertReaches('ParleyMessagesNotPersisted', 'pending', 90 * SECOND);
      await alertReaches('ParleyMessagesNotPersisted', 'firing', 120 * SECOND);
      await alertReaches('ParleySocketDisconnectStorm', 'firing', 180 * SECOND);
      expect(await value(`max(parley_messages_unpersisted{namespace="${NAMESPACE}"})`)).toBeGreaterThan(0);
    } finally {
      await postgres.start();
    }
    await eventually('the backlog to drain after PostgreSQL is back', async () => {
      const lag = await value(`max(parley_persistence_lag_oldest_seconds{namespace="${NAMESPACE}"})`);
      return lag < 20 ? true : undefined;
    }, 180 * SECOND);
  }, 480 * SECOND);
});
