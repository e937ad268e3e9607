import type { Express } from 'express';
import { createAdminApp } from '@parley/http';
import { createResourceStack, type ServableApp } from '@parley/lifecycle';
import { createLogger, type Logger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { createAuthMetrics } from './auth-metrics.js';
import { wireAccounts } from './composition/account-wiring.js';
import { createAuthHealth, createAuthHttpApp } from './composition/auth-http-app.js';
import { openAuthStores } from './composition/auth-stores.js';
import { startMail } from './composition/mail-wiring.js';
import { startTokenPurge, wireSessions } from './composition/session-wiring.js';
import type { AuthConfig } from './config.js';
import type { SigningKeyStore } from './signing-keys/signing-key-store.js';

export interface AuthApp extends ServableApp {
  app: Express;
  handler: Express;
  /** /metrics, /healthz and /readyz, served on METRICS_PORT by main.ts. */
  adminHandler: Express;
  /** The signing keys in use (tests trigger reloads and inspect the active kid). */
  signingKeys: SigningKeyStore;
}

export interface AuthAppOptions {
  logger?: Logger;
}

/**
 * Builds the auth service: its resources (each registered for closing as it opens, closed in
 * reverse order), background work and Express app. A failed build closes what it opened.
 */
export async function createAuthApp(config: AuthConfig, options: AuthAppOptions = {}): Promise<AuthApp> {
  const logger = options.logger ?? createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const resources = createResourceStack({ logger });
  try {
    const stores = await openAuthStores(config, logger, resources);
    const metrics = createServiceMetrics('auth');
    const mail = startMail(config, logger, metrics, resources);
    const sessions = wireSessions(config, logger, stores, resources);
    const accounts = wireAccounts({ config, logger, stores, sessions, mail, metrics: createAuthMetrics(metrics.registry), resources });
    startTokenPurge(sessions.refreshTokens, logger, resources);

    const health = createAuthHealth(stores);
    const app = createAuthHttpApp({ config, logger, metrics, health, stores, verifier: sessions.verifier, accounts });
    return {
      app,
      handler: app,
      adminHandler: createAdminApp({ metrics, health: health.router }),
      signingKeys: stores.signingKeys,
      markDraining: health.markDraining,
      close: async () => void (await resources.close()),
    };
  } catch (error) {
    await resources.close();
    throw error;
  }
}
