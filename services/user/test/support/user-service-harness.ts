import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_TOKEN_HEADER } from '@parley/contracts';
import {
  createTestDatabase,
  deleteRedisPrefix,
  startTestTokenIssuer,
  testRedisPrefix,
  TEST_REDIS_URL,
  type TestDatabase,
  type TestTokenIssuer,
} from '@parley/testing';
import { createUserApp, type UserApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  // Tests read arbitrary response fields.
  body: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Raw body, sent as is with a JSON content type. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  token: string;
}

export interface UserServiceHarness {
  baseUrl: string;
  /** The admin server (METRICS_PORT in production): /metrics, /healthz, /readyz. */
  adminUrl: string;
  redisPrefix: string;
  databaseUrl: string;
  issuer: TestTokenIssuer;
  userApp: UserApp;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Internal call with the service token. */
  internal(method: string, path: string, body?: unknown): Promise<HttpResult>;
  /** A registered user: provisioned through the internal PUT, as the auth service does. */
  registerUser(username: string, details?: { email?: string; displayName?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

/**
 * Starts the user service in-process against a fresh PostgreSQL database, a private Redis
 * prefix and the stand-in token issuer, on an ephemeral port.
 */
export async function startUserService(env: Record<string, string> = {}, label = 'user'): Promise<UserServiceHarness> {
  const issuer = await startTestTokenIssuer();
  const database: TestDatabase | undefined = env.DATABASE_URL ? undefined : await createTestDatabase(label);
  const redisPrefix = testRedisPrefix(label);
  const config = configSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database?.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    DB_MIGRATE_ON_START: 'true',
    ...env,
  });
  const userApp = await createUserApp(config);
  const server: Server = createServer(userApp.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adminServer: Server = createServer(userApp.adminHandler);
  await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
  const adminUrl = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;

  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  const internal = (method: string, path: string, body?: unknown) =>
    request(method, path, { headers: { [INTERNAL_TOKEN_HEADER]: INTERNAL_TOKEN }, ...(body === undefined ? {} : { body }) });

  return {
    baseUrl,
    adminUrl,
    redisPrefix,
    databaseUrl: config.DATABASE_URL,
    issuer,
    userApp,
    request,
    internal,
    async registerUser(username, details = {}) {
      const id = randomUUID();
      const email = details.email ?? `${username}@example.test`;
      const provisioned = await internal('PUT', `/internal/v1/profiles/${id}`, { username, email });
      if (provisioned.status !== 201) throw new Error(`provisioning ${username} answered ${provisioned.status}`);
      const token = await issuer.mint({ id, username });
      if (details.displayName !== undefined) {
        const patched = await request('PATCH', '/api/v1/users/me', { token, body: { displayName: details.displayName } });
        if (patched.status !== 200) throw new Error(`setting the display name of ${username} answered ${patched.status}`);
      }
      return { id, username, email, token };
    },
    async close() {
      for (const listening of [server, adminServer]) {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeAllConnections();
        });
      }
      await userApp.close();
      await issuer.close();
      await database?.drop();
      await deleteRedisPrefix(redisPrefix);
    },
  };
}
