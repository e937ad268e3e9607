import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@parley/ports';
import { createTestDatabase, deleteRedisPrefix, testRedisPrefix, testServiceEnv, type TestDatabase } from '@parley/testing';
import { createAuthApp, type AuthApp } from '../../../../services/auth/src/app.js';
import { loadAuthConfig } from '../../../../services/auth/src/config.js';
import { createChatSocketApp, type ChatSocketApp } from '../../../../services/chat-socket/src/app.js';
import { loadChatSocketConfig } from '../../../../services/chat-socket/src/config.js';
import { createPersistenceWorkerApp, type PersistenceWorkerApp } from '../../../../services/persistence-worker/src/app.js';
import { loadPersistenceWorkerConfig } from '../../../../services/persistence-worker/src/config.js';
import { createUserApp, type UserApp } from '../../../../services/user/src/app.js';
import { loadUserServiceConfig } from '../../../../services/user/src/config.js';
import type { FuzzTarget } from '../../src/index.js';

export const ORIGIN = 'http://localhost:8080';

/**
 * auth, user, chat-socket and the persistence worker, built from their app.ts in this process,
 * wired to each other as the launcher wires them (JWKS, internal token, user service URL), on
 * one fresh database and Redis prefix. Limits that would turn fuzzing into 429s are raised.
 */
export interface InProcessPlatform {
  target: FuzzTarget;
  internalToken: string;
  auth: AuthApp;
  user: UserApp;
  chat: ChatSocketApp;
  worker: PersistenceWorkerApp;
  database: TestDatabase;
  redisPrefix: string;
  close(): Promise<void>;
}

export async function startInProcessPlatform(label: string): Promise<InProcessPlatform> {
  const database = await createTestDatabase(label);
  const redisPrefix = testRedisPrefix(label);
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-fuzz-'));
  const internalToken = randomBytes(24).toString('base64url');
  const [authPort, userPort, chatPort] = [await freePort(), await freePort(), await freePort()];
  const urls = { auth: `http://127.0.0.1:${authPort}`, user: `http://127.0.0.1:${userPort}`, chat: `http://127.0.0.1:${chatPort}` };
  const common = {
    ...testServiceEnv(database.url, redisPrefix),
    INTERNAL_API_TOKEN: internalToken,
    CORS_ORIGINS: ORIGIN,
    DB_MIGRATE_ON_START: 'true',
    JWKS_URL: `${urls.auth}/.well-known/jwks.json`,
    USER_SERVICE_URL: urls.user,
    DATA_DIR: dataDir,
  };
  const servers: Server[] = [];
  const listen = async (handler: Parameters<typeof createServer>[1], port: number, attach?: (server: Server) => void) => {
    const server = createServer(handler);
    attach?.(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
  };

  const auth = await createAuthApp(
    loadAuthConfig({
      ...common,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      REGISTER_LIMIT_PER_IP: '100000',
      LOGIN_LIMIT_PER_IP: '100000',
      LOGIN_LIMIT_PER_ACCOUNT_IP: '100000',
      CODE_REQUEST_LIMIT_PER_IP: '100000',
      CODE_REQUEST_LIMIT_PER_ACCOUNT: '100000',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      MAIL_WORKER_ENABLED: 'false',
    }),
  );
  await listen(auth.handler, authPort);
  const user = await createUserApp(loadUserServiceConfig({ ...common, WRITE_LIMIT_PER_MINUTE: '100000', FRIEND_REQUEST_LIMIT_PER_MINUTE: '100000' }));
  await listen(user.handler, userPort);
  const chat = await createChatSocketApp(
    loadChatSocketConfig({
      ...common,
      SEND_RATE_PER_SECOND: '10000',
      SEND_BURST: '10000',
      SOCKET_EVENTS_PER_SECOND: '10000',
      SOCKET_EVENT_BURST: '10000',
      SOCKET_FLOOD_DISCONNECT_AFTER: '100000',
    }),
  );
  await listen(chat.handler, chatPort, (server) => chat.attach(server));
  const worker = await createPersistenceWorkerApp(loadPersistenceWorkerConfig({ ...common, PORT: '0', METRICS_PORT: '0', MAIL_WORKER_ENABLED: 'false' }));

  return {
    target: { baseUrls: urls, socketUrl: urls.chat, origin: ORIGIN },
    internalToken,
    auth,
    user,
    chat,
    worker,
    database,
    redisPrefix,
    async close() {
      worker.markDraining();
      await chat.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await worker.close();
      await user.close();
      await auth.close();
      await database.drop();
      await deleteRedisPrefix(redisPrefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
