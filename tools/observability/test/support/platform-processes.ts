import { join } from 'node:path';
import { builtServiceEntry, runScriptToCompletion, startServiceProcess, type ServiceProcess } from '@parley/testing';

export type { ServiceProcess };

/** `services/<dir>/dist/<script>`; says how to build when it is missing. */
export { builtServiceEntry as builtScript } from '@parley/testing';

import { freePort } from '@parley/ports';

export { freePort };

/** Runs a script to completion (migrations). */
export const runToCompletion = runScriptToCompletion;

/** Starts `node services/<dir>/dist/main.js` and waits until /readyz answers 200 (see startServiceProcess). */
export function startService(name: string, dir: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  return startServiceProcess(name, builtServiceEntry(dir), env, timeoutMs);
}

export interface PlatformServicesSettings {
  /** What every service gets: database, Redis prefix, internal token, CORS, telemetry. */
  common: Record<string, string>;
  /** The services' data directories go under it. */
  dataDir: string;
  /** The chat-socket pods' own settings (send limits). */
  chatSocket: Record<string, string>;
}

/**
 * The platform as separate processes, as the launcher and Kubernetes run it: migrations, then
 * auth, user, two chat-socket pods and the persistence worker, in that order. Each one that
 * started is pushed to `started` at once, so the caller stops them even when another failed
 * (whose error is then thrown).
 */
export async function startPlatformServices(settings: PlatformServicesSettings, started: ServiceProcess[]): Promise<void> {
  const { common, dataDir } = settings;
  for (const dir of ['auth', 'user', 'chat-socket']) {
    const migration = await runToCompletion(builtServiceEntry(dir, 'migrate.js'), common);
    if (migration.code !== 0) throw new Error(`${dir} migrations failed:\n${migration.output}`);
  }
  const [authPort, userPort] = [await freePort(), await freePort()];
  const jwksUrl = `http://127.0.0.1:${authPort}/.well-known/jwks.json`;
  const userUrl = `http://127.0.0.1:${userPort}`;
  const chatEnv = { ...common, JWKS_URL: jwksUrl, USER_SERVICE_URL: userUrl, ...settings.chatSocket };
  const results = await Promise.allSettled([
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
    startService('persistence-worker', 'persistence-worker', { ...common, DATA_DIR: join(dataDir, 'worker') }),
  ]);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
