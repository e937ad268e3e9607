import { existsSync } from 'node:fs';
import { launchPlatform, TEST_POSTGRES_URL, TEST_REDIS_URL, type LaunchedPlatform } from '@parley/testing';
import { CHROMIUM } from './browser-session.js';

/** Set to run the browser steps against a platform you started yourself (`npm start`): e.g. http://localhost:8080. */
export const EXTERNAL_URL = process.env.PARLEY_WEB_E2E_URL;

export interface WebPlatform {
  /** The browser origin (http://localhost:<port>: the services allow it for CORS and the socket handshake). */
  origin: string;
  /** The launched platform, unless EXTERNAL_URL is used. */
  platform?: LaunchedPlatform;
  stop(): Promise<void>;
}

/**
 * The whole platform for one browser test file, started by the built launcher exactly as
 * `npm start` does, on its own database, Redis prefix and data directory.
 */
export async function startWebPlatform(label: string, env: Record<string, string> = {}): Promise<WebPlatform> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  if (EXTERNAL_URL) return { origin: EXTERNAL_URL, stop: async () => undefined };
  const platform = await launchPlatform({
    label,
    postgresServerUrl: TEST_POSTGRES_URL,
    redisUrl: TEST_REDIS_URL,
    env: { ARGON2_MEMORY_KIB: '8192', RECONNECT_JITTER_MS: '500', ...env },
  });
  return {
    origin: platform.url.replace('127.0.0.1', 'localhost'),
    platform,
    stop: async () => {
      await platform.stop();
    },
  };
}
