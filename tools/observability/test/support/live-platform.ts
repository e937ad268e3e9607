import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteRedisPrefix, startPrivatePostgres, testRedisPrefix, TEST_REDIS_URL, type PrivatePostgres } from '@parley/testing';
import { filesIn, RULES_DIR } from './observability-files.js';
import { startPlatformServices, startService, type ServiceProcess } from './platform-processes.js';
import { startPrometheus, type PrometheusServer } from './prometheus-server.js';

export const SECOND = 1_000;

/** The web origin the services allow (CORS). */
const ORIGIN = 'http://localhost:8080';

export interface RegisteredUser {
  id: string;
  token: string;
  email: string;
  username: string;
  password: string;
}

/**
 * The platform as the live telemetry test meets it: the built services as processes on a
 * PRIVATE PostgreSQL (the test stops it and breaks its writes) with a Redis key prefix of their
 * own, and Debian's Prometheus scraping each admin port every second with the project's rule
 * files, every series labelled with `namespace`.
 */
export interface LivePlatform {
  namespace: string;
  postgres: PrivatePostgres;
  prometheus: PrometheusServer;
  /** A running service by name (`auth`, `user`, `chat-socket-1`, `chat-socket-2`, `persistence-worker`). */
  service(name: string): ServiceProcess;
  stopWorker(): Promise<void>;
  /**
   * Starts the persistence worker again, same settings. Its admin port is a new one, which
   * Prometheus's static targets do not know: from then on the worker's own series are not scraped
   * (chat-socket's queue and backlog series still are), so checks of them come before.
   */
  startWorker(): Promise<void>;
  /** An HTTP call to a service; the JSON body parsed. */
  call(name: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, any> }>;
  register(name: string): Promise<RegisteredUser>;
  /** The state of the namespace's alert, or undefined when it is inactive. */
  alertState(alertname: string): Promise<'pending' | 'firing' | undefined>;
  /** Waits until the alert is in `state` (`pending` is also met by `firing`). */
  alertReaches(alertname: string, state: 'pending' | 'firing', timeoutMs: number): Promise<void>;
  /** The first sample of an instant query (NaN when there is none). */
  value(expr: string): Promise<number>;
  stop(): Promise<void>;
}

/** Polls until `check` returns something, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
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
}

export async function startLivePlatform(namespace: string): Promise<LivePlatform> {
  const services = new Map<string, ServiceProcess>();
  const redisPrefix = testRedisPrefix('live_truth');
  let postgres: PrivatePostgres | undefined;
  let prometheus: PrometheusServer | undefined;
  let dataDir: string | undefined;
  const stop = async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await prometheus?.close();
    await postgres?.destroy();
    await deleteRedisPrefix(redisPrefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    postgres = await startPrivatePostgres();
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
    const workerEnv = { ...common, DATA_DIR: join(dataDir, 'worker') };
    const started: ServiceProcess[] = [];
    try {
      await startPlatformServices({ common, dataDir, chatSocket: { SEND_BURST: '50', SEND_RATE_PER_SECOND: '20' } }, started);
    } finally {
      for (const running of started) services.set(running.name, running);
    }

    const ruleFiles = filesIn(RULES_DIR, '.yaml').map((file) => join(RULES_DIR, file));
    const targets = [...services.values()].map((service) => ({ job: service.name.replace(/-\d$/, ''), pod: service.name, address: new URL(service.adminUrl).host }));
    const server = await startPrometheus(targets, ruleFiles, namespace);
    prometheus = server;

    const service = (name: string) => {
      const found = services.get(name);
      if (!found) throw new Error(`${name} is not running`);
      return found;
    };
    const call: LivePlatform['call'] = async (name, method, path, body, token) => {
      const response = await fetch(`${service(name).url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
    const alertState = async (alertname: string) =>
      (await server.alerts()).find((alert) => alert.labels.alertname === alertname && alert.labels.namespace === namespace)?.state;
    return {
      namespace,
      postgres,
      prometheus: server,
      service,
      async stopWorker() {
        await service('persistence-worker').stop();
        services.delete('persistence-worker');
      },
      async startWorker() {
        services.set('persistence-worker', await startService('persistence-worker', 'persistence-worker', workerEnv));
      },
      call,
      async register(name) {
        const suffix = randomBytes(3).toString('hex');
        const account = { email: `${name}.${suffix}@example.com`, username: `${name}_${suffix}`, password: `a long passphrase for ${name} ${suffix}` };
        const response = await call('auth', 'POST', '/api/v1/auth/register', account);
        if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body)}`);
        return { ...account, id: String(response.body.user.id), token: String(response.body.accessToken) };
      },
      alertState,
      async alertReaches(alertname, state, timeoutMs) {
        const since = Date.now();
        await eventually(
          `${alertname} to be ${state}`,
          async () => {
            const now = await alertState(alertname);
            return now === state || (state === 'pending' && now === 'firing') ? now : undefined;
          },
          timeoutMs,
        );
        // A figure for the reader of the run, not an assertion.
        console.info(`${alertname} ${state} after waiting ${Math.round((Date.now() - since) / SECOND)} s`);
      },
      async value(expr) {
        return Number((await server.query(expr))[0]?.value[1] ?? Number.NaN);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
