import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileMailbox, type MailboxMessage } from '@parley/mail';
import { createTestDatabase, deleteRedisPrefix, testRedisPrefix, TEST_REDIS_URL, type TestDatabase } from '@parley/testing';
import { createAuthApp, type AuthApp } from '../../src/app.js';
import { loadAuthConfig, type AuthConfig } from '../../src/config.js';

/** A parsed JSON response. Bodies are loosely typed: tests assert on their shape. */
export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only, asserted field by field
  body: any;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body (sent as is, with content-type application/json). */
  rawBody?: string;
  token?: string;
  /** Client IP as seen through the one trusted proxy hop (X-Forwarded-For). */
  ip?: string;
  headers?: Record<string, string>;
}

export interface AuthTestApp {
  baseUrl: string;
  /** The admin server (METRICS_PORT in production): /metrics, /healthz, /readyz. */
  adminUrl: string;
  config: AuthConfig;
  auth: AuthApp;
  database: TestDatabase;
  redisPrefix: string;
  dataDir: string;
  signingKeysDir: string;
  mailboxDir: string;
  /** A request to the public server, or to `origin` (e.g. adminUrl). */
  request(method: string, path: string, options?: RequestOptions, origin?: string): Promise<TestResponse>;
  post(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>): Promise<TestResponse>;
  get(path: string, options?: RequestOptions): Promise<TestResponse>;
  /** Scrapes /metrics on the admin server. */
  metrics(): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Fast argon2id for tests (the production defaults are the OWASP minimum). */
const TEST_ENV = {
  LOG_LEVEL: 'silent',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  REGISTER_LIMIT_PER_IP: '1000',
  CODE_REQUEST_LIMIT_PER_IP: '1000',
  LOGIN_LIMIT_PER_IP: '1000',
  SIGNING_KEYS_RELOAD_MS: '200',
  OUTBOX_RELAY_INTERVAL_MS: '200',
  DB_MIGRATE_ON_START: 'true',
};

/**
 * Starts the auth service in-process on an ephemeral port, against a fresh PostgreSQL
 * database, its own Redis key prefix and a temporary data directory.
 */
export async function startAuthTestApp(env: Record<string, string> = {}, label = 'auth'): Promise<AuthTestApp> {
  const database = await createTestDatabase(label);
  const redisPrefix = testRedisPrefix(label);
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-auth-'));
  const config = loadAuthConfig({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    DATA_DIR: dataDir,
    ...TEST_ENV,
    ...env,
  });
  let auth: AuthApp;
  try {
    auth = await createAuthApp(config);
  } catch (error) {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const server = createServer(auth.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adminServer = createServer(auth.adminHandler);
  await new Promise<void>((resolve) => adminServer.listen(0, '127.0.0.1', resolve));
  const adminUrl = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;

  const request = async (method: string, path: string, options: RequestOptions = {}, origin = baseUrl): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.ip) headers['x-forwarded-for'] = options.ip;
    const response = await fetch(`${origin}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    baseUrl,
    adminUrl,
    config,
    auth,
    database,
    redisPrefix,
    dataDir,
    signingKeysDir: join(dataDir, 'signing-keys'),
    mailboxDir: join(dataDir, 'mailbox'),
    request,
    post: (path, body, options) => request('POST', path, { ...options, body }),
    get: (path, options) => request('GET', path, options),
    metrics: () => request('GET', '/metrics', {}, adminUrl),
    async close() {
      await closeServer(server);
      await closeServer(adminServer);
      await auth.close();
      await database.drop();
      await deleteRedisPrefix(redisPrefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface TestAccount {
  email: string;
  username: string;
  password: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registration response body
  session: any;
}

/** A fresh, unique account registered through the API. */
export async function registerAccount(app: AuthTestApp, options: { ip?: string; headers?: Record<string, string> } = {}): Promise<TestAccount> {
  const suffix = randomBytes(4).toString('hex');
  const account = { email: `user.${suffix}@example.com`, username: `user_${suffix}`, password: `a long passphrase ${suffix}` };
  const response = await app.post(
    '/api/v1/auth/register',
    { email: account.email, username: account.username, password: account.password },
    options,
  );
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${response.text}`);
  return { ...account, session: response.body };
}

/** Waits until the file mailbox holds at least `count` messages of `kind` to `to`; returns them all. */
export async function waitForMail(
  app: AuthTestApp,
  to: string,
  kind: MailboxMessage['kind'],
  count = 1,
  timeoutMs = 10_000,
): Promise<MailboxMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = (await readFileMailbox(app.mailboxDir, to)).filter((message) => message.kind === kind);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) throw new Error(`no ${kind} mail #${count} to ${to} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The 6-digit code of the `count`-th mail of `kind` to `to` (waiting for it). */
export async function waitForCode(app: AuthTestApp, to: string, kind: MailboxMessage['kind'], count = 1): Promise<string> {
  const messages = await waitForMail(app, to, kind, count);
  const code = /\b(\d{6})\b/.exec(messages[count - 1]?.text ?? '')?.[1];
  if (!code) throw new Error('mail without a code');
  return code;
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port with nothing listening on it (just released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
