import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What every service gets from the launcher. */
export interface PlatformContext {
  repoRoot: string;
  host: string;
  publicOrigin: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  dataDir: string;
  logLevel: string;
  internalToken: string;
  ports: Record<string, number>;
  /** Admin (/metrics) port of each instance, by the same keys as `ports`. */
  metricsPorts: Record<string, number>;
}

export interface ServiceSpec {
  name: string;
  /** Folder under the repo root. */
  dir: string;
  /** Whether it has `dist/migrate.js` to run before start. */
  migrates: boolean;
  /** How many processes to run (chat-socket runs two, so cross-pod fan-out is exercised locally). */
  instances?: number;
  /** The process's script under `dir`, when it is not `dist/main.js` (the web server: `dist-server/main.js`). */
  entry?: string;
  /**
   * Asynchronous work that no user waits on directly: runs at PARLEY_BACKGROUND_NICENESS (off by
   * default), so that on one saturated machine the interactive path (sockets, acks, fan-out) can
   * get the CPU first. A cluster says the same with CPU requests (the cgroup weight).
   */
  background?: boolean;
  env(context: PlatformContext): Record<string, string>;
}

/** Port key of one instance: `auth`, or `chat-socket#2` for the second of several. */
export const instanceKey = (service: string, instance: number) => (instance === 0 ? service : `${service}#${instance + 1}`);

const internalUrl = (context: PlatformContext, service: string) =>
  `http://${context.host}:${context.ports[instanceKey(service, 0)] ?? 0}`;

/** The platform's processes, in start order. Services not built yet are skipped. */
export const SERVICES: ServiceSpec[] = [
  {
    name: 'auth',
    dir: 'services/auth',
    migrates: true,
    env: (context) => ({
      DATA_DIR: context.dataDir,
      USER_SERVICE_URL: internalUrl(context, 'user'),
      CHAT_SERVICE_URL: internalUrl(context, 'chat-socket'),
      // The persistence worker sends mail when it runs; auth only queues it then.
      MAIL_WORKER_ENABLED: context.ports['persistence-worker'] === undefined ? 'true' : 'false',
    }),
  },
  {
    name: 'user',
    dir: 'services/user',
    migrates: true,
    env: (context) => ({
      JWKS_URL: `${internalUrl(context, 'auth')}/.well-known/jwks.json`,
    }),
  },
  {
    name: 'chat-socket',
    dir: 'services/chat-socket',
    migrates: true,
    // Two processes, so every local session exercises cross-pod fan-out through Redis.
    instances: 2,
    env: (context) => ({
      JWKS_URL: `${internalUrl(context, 'auth')}/.well-known/jwks.json`,
      USER_SERVICE_URL: internalUrl(context, 'user'),
      // Attachments in the data directory, shared by both processes, as are the download URLs' key.
      DATA_DIR: context.dataDir,
      ATTACHMENT_URL_SECRET: createHash('sha256').update(`attachment-urls\n${context.internalToken}`).digest('base64url'),
    }),
  },
  {
    name: 'persistence-worker',
    dir: 'services/persistence-worker',
    migrates: false,
    // Its lag target is a second; the delivery target is tens of milliseconds.
    background: true,
    // The user service answers the mention digest's questions (address, names, opt-out, blocks).
    env: (context) => ({ DATA_DIR: context.dataDir, USER_SERVICE_URL: internalUrl(context, 'user'), PUBLIC_URL: context.publicOrigin }),
  },
  {
    // The browser client (`/` on the gateway): a static server over the Vite build.
    name: 'web',
    dir: 'services/web',
    migrates: false,
    entry: 'dist-server/main.js',
    env: (context) => ({
      STATIC_DIR: join(context.repoRoot, 'services/web/dist'),
    }),
  },
];

/**
 * Where Prometheus scrapes each instance: its admin port (METRICS_PORT). Every service, the web
 * static server included, keeps /metrics off its public port.
 */
export function metricsUrls(context: PlatformContext, instances: Array<{ key: string }>): Array<{ key: string; url: string }> {
  return instances.map(({ key }) => ({
    key,
    url: `http://${context.host}:${context.metricsPorts[key] ?? 0}/metrics`,
  }));
}

/** Variables every service receives, on top of the launcher's own environment. */
export function commonServiceEnv(context: PlatformContext, instance: string): Record<string, string> {
  return {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    HOST: context.host,
    PORT: String(context.ports[instance] ?? 0),
    // Each instance's /metrics port; the services' fixed defaults would collide with two chat-sockets.
    METRICS_PORT: String(context.metricsPorts[instance] ?? 0),
    DATABASE_URL: context.databaseUrl,
    REDIS_URL: context.redisUrl,
    REDIS_KEY_PREFIX: context.redisKeyPrefix,
    LOG_LEVEL: context.logLevel,
    CORS_ORIGINS: context.publicOrigin,
    INTERNAL_API_TOKEN: context.internalToken,
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? MALLOC_ARENA_MAX_DEFAULT,
  };
}

/**
 * glibc gives each thread that contends for malloc an arena of its own, up to 8 per core, and
 * memory freed in one is rarely handed back. Two arenas cut chat-socket's RSS per idle socket
 * by about a fifth (see docs/decisions/0028-malloc-arena-max.md); the container images set the same.
 */
const MALLOC_ARENA_MAX_DEFAULT = '2';

export function builtServices(repoRoot: string): ServiceSpec[] {
  return SERVICES.filter((service) => existsSync(join(repoRoot, service.dir, 'package.json')));
}

export function entryPoint(repoRoot: string, service: ServiceSpec, file: 'main.js' | 'migrate.js'): string {
  if (file === 'main.js' && service.entry) return join(repoRoot, service.dir, service.entry);
  return join(repoRoot, service.dir, 'dist', file);
}
