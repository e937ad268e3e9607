import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@parley/ports';
import { createGateway } from './gateway.js';
import { INGRESS_ROUTES } from './ingress-routes.js';
import type { LauncherConfig } from './launcher-config.js';
import { launcherError, launcherLog } from './launcher-log.js';
import { providePostgres, type ProvidedPostgres } from './postgres-provider.js';
import { waitUntilReady } from './readiness.js';
import { provideRedis, type ProvidedRedis } from './redis-provider.js';
import { builtServices, commonServiceEnv, entryPoint, instanceKey, metricsUrls, type PlatformContext, type ServiceSpec } from './service-catalog.js';
import { runToCompletion, ServiceSupervisor } from './service-supervisor.js';

/** How long the gateway's last connections get to close once the services behind them are gone. */
const GATEWAY_CLOSE_WAIT_MS = 2_000;

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** With PARLEY_SERVICE_PORT_BASE set, instance n serves /metrics on base + 100 + n. */
export const METRICS_PORT_OFFSET = 100;

/** The longest wait before restarting a service that keeps exiting. */
const MAX_RESTART_BACKOFF_MS = 30_000;

export interface RunningPlatform {
  url: string;
  stop(): Promise<void>;
}

/**
 * Data stores first, then migrations, then services (each until ready), then the gateway. Once
 * up, a service that exits is restarted with backoff; `onCrash` is called when one keeps
 * crashing (see ServiceSupervisor).
 */
export async function startPlatform(config: LauncherConfig, onCrash: (name: string) => void): Promise<RunningPlatform> {
  const services = builtServices(REPO_ROOT);
  assertBuilt(services);
  await mkdir(config.dataDir, { recursive: true });

  let postgres: ProvidedPostgres | undefined;
  let redis: ProvidedRedis | undefined;
  let gateway: Server | undefined;
  // A crash while starting fails the start (which then stops what it started), not the process.
  let failStart: (error: Error) => void = () => undefined;
  const startCrashed = new Promise<never>((_resolve, reject) => {
    failStart = reject;
  });
  startCrashed.catch(() => undefined);
  const supervisor = new ServiceSupervisor(
    {
      limit: config.PARLEY_RESTART_LIMIT,
      windowMs: config.PARLEY_RESTART_WINDOW_MS,
      backoffMs: config.PARLEY_RESTART_BACKOFF_MS,
      maxBackoffMs: MAX_RESTART_BACKOFF_MS,
    },
    {
      exitedWhileStarting: (name, code, signal) => {
        launcherError(`${name} exited on its own (code ${code}, signal ${signal}) while the platform was starting; stopping it`);
        failStart(new Error(`${name} exited while the platform was starting`));
      },
      gaveUp: (name) => onCrash(name),
    },
  );

  const stop = async () => {
    // Stop accepting, but keep proxying what is open while the services drain: chat-socket tells
    // its sockets (websockets through the gateway) to reconnect later, then closes them. Waiting
    // for the gateway to close first hung for as long as a browser tab stayed connected.
    const gatewayClosed = new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
    gateway?.closeIdleConnections();
    await supervisor.stopAll();
    gateway?.closeAllConnections();
    await Promise.race([gatewayClosed, sleep(GATEWAY_CLOSE_WAIT_MS)]);
    await redis?.stop();
    await postgres?.stop();
  };

  try {
    postgres = await providePostgres({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.dataDir,
      port: config.PARLEY_POSTGRES_PORT,
      niceness: config.PARLEY_BACKGROUND_NICENESS,
    });
    redis = await provideRedis({ redisUrl: config.REDIS_URL, dataDir: config.dataDir, port: config.PARLEY_REDIS_PORT });
    const context = await platformContext(config, services, postgres.url, redis.url);

    for (const service of services.filter((candidate) => candidate.migrates)) {
      await runToCompletion(`${service.name}:migrate`, entryPoint(REPO_ROOT, service, 'migrate.js'), serviceEnv(context, service, 0));
    }
    const instances = services.flatMap((service) =>
      Array.from({ length: service.instances ?? 1 }, (_, index) => ({ service, key: instanceKey(service.name, index), index })),
    );
    for (const { service, key, index } of instances) {
      const niceness = service.background ? config.PARLEY_BACKGROUND_NICENESS : 0;
      supervisor.start(key, entryPoint(REPO_ROOT, service, 'main.js'), serviceEnv(context, service, index), niceness);
    }
    const baseUrl = (key: string) => `http://${config.PARLEY_HOST}:${context.ports[key]}`;
    // Services depend on each other (user verifies tokens with auth's JWKS): await all together.
    await Promise.race([Promise.all(instances.map(({ key }) => waitUntilReady(key, baseUrl(key)))), startCrashed]);

    const upstreams = Object.fromEntries(
      services.map((service) => [service.name, instances.filter((instance) => instance.service === service).map(({ key }) => baseUrl(key))]),
    );
    gateway = createGateway({
      host: config.PARLEY_HOST,
      port: config.PARLEY_PORT,
      routes: INGRESS_ROUTES,
      upstreams,
      mailboxDir: process.env.SMTP_URL ? undefined : join(config.dataDir, 'mailbox'),
    });
    const listening = gateway;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.PARLEY_PORT, config.PARLEY_HOST, () => resolve());
    });
    const address = listening.address();
    const port = typeof address === 'object' && address ? address.port : config.PARLEY_PORT;
    const url = `http://localhost:${port}`;
    supervisor.running();
    launcherLog(`Parley is up at ${url} (services: ${services.map((service) => service.name).join(', ')})`);
    launcherLog(`Prometheus metrics: ${metricsUrls(context, instances).map(({ key, url }) => `${key} ${url}`).join(', ')}`);
    return { url, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

async function platformContext(config: LauncherConfig, services: ServiceSpec[], databaseUrl: string, redisUrl: string): Promise<PlatformContext> {
  const ports: Record<string, number> = {};
  const metricsPorts: Record<string, number> = {};
  const keys = services.flatMap((service) => Array.from({ length: service.instances ?? 1 }, (_, index) => instanceKey(service.name, index)));
  for (const [index, key] of keys.entries()) {
    ports[key] = config.PARLEY_SERVICE_PORT_BASE > 0 ? config.PARLEY_SERVICE_PORT_BASE + index : await freePort(config.PARLEY_HOST);
    metricsPorts[key] =
      config.PARLEY_SERVICE_PORT_BASE > 0 ? config.PARLEY_SERVICE_PORT_BASE + METRICS_PORT_OFFSET + index : await freePort(config.PARLEY_HOST);
  }
  return {
    repoRoot: REPO_ROOT,
    host: config.PARLEY_HOST,
    publicOrigin: `http://localhost:${config.PARLEY_PORT}`,
    databaseUrl,
    redisUrl,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    dataDir: config.dataDir,
    logLevel: config.LOG_LEVEL,
    // Fresh per launch: every process restarts together, so nothing needs to persist it.
    internalToken: randomBytes(24).toString('base64url'),
    ports,
    metricsPorts,
  };
}

function serviceEnv(context: PlatformContext, service: ServiceSpec, instance: number): Record<string, string> {
  return { ...commonServiceEnv(context, instanceKey(service.name, instance)), ...service.env(context) };
}

function assertBuilt(services: ServiceSpec[]): void {
  const missing = services.filter((service) => !existsSync(entryPoint(REPO_ROOT, service, 'main.js')));
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.map((service) => service.dir).join(', ')} — run \`npm run build\` (npm start does it for you)`);
  }
}
