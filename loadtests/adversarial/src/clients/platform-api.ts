import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { AuthSession, ClientToServerEvents, ServerToClientEvents } from '@parley/contracts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ApiAnswer {
  status: number;
  body: any;
}

/** A registered account with one signed-in session. */
export interface Account {
  userId: string;
  username: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** The platform's public API, through the gateway, as any client reaches it. */
export class PlatformApi {
  constructor(
    readonly url: string,
    readonly origin: string,
  ) {}

  async request(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
    const response = await fetch(new URL(path, this.url), {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text for the report.
    }
    return { status: response.status, body };
  }

  /** Like `request`, but throws unless the answer has one of these statuses (setup steps). */
  async expect(statuses: number[], method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<any> {
    const answer = await this.request(method, path, options);
    if (!statuses.includes(answer.status)) throw new Error(`${method} ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async register(label: string): Promise<Account> {
    const suffix = randomBytes(5).toString('hex');
    const username = `adv_${suffix}_${label.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 32);
    const email = `${username}@example.com`;
    const password = `adversarial passphrase ${suffix}`;
    const session = (await this.expect([201], 'POST', '/api/v1/auth/register', { body: { email, username, password } })) as AuthSession & { user: { id: string } };
    return { userId: session.user.id, username, email, password, token: session.accessToken, refreshToken: session.refreshToken ?? '' };
  }

  /** A second session of the same account (its own session id and refresh token). */
  async login(account: Account): Promise<Account> {
    const session = (await this.expect([200], 'POST', '/api/v1/auth/login', { body: { login: account.username, password: account.password } })) as AuthSession;
    return { ...account, token: session.accessToken, refreshToken: session.refreshToken ?? '' };
  }

  async createRoom(owner: Account, name: string, memberIds: string[], visibility: 'private' | 'public' = 'private'): Promise<string> {
    const room = (await this.expect([201], 'POST', '/api/v1/rooms', { token: owner.token, body: { name, visibility, memberIds } })) as { id: string };
    return room.id;
  }

  /** A socket through the gateway with the allowed Origin (unless another is given); not yet connected when returned. */
  socket(token: unknown, options: { origin?: string | null; reconnection?: boolean } = {}): ClientSocket {
    const origin = options.origin === undefined ? this.origin : options.origin;
    return io(this.url, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: options.reconnection ?? false,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
      ...(origin === null ? {} : { extraHeaders: { origin } }),
    });
  }

  /** Opens a socket and waits for the handshake's answer. */
  async connect(token: unknown, options: { origin?: string | null; reconnection?: boolean } = {}): Promise<ClientSocket> {
    const socket = this.socket(token, options);
    const outcome = await handshakeOutcome(socket);
    if (outcome !== 'connected') {
      socket.close();
      throw new Error(`handshake refused: ${outcome}`);
    }
    return socket;
  }

  /** The latest 6-digit code mailed to this address (the launcher's file mailbox, /dev/mailbox). */
  async mailedCode(email: string): Promise<string | undefined> {
    const { messages } = (await this.expect([200], 'GET', `/dev/mailbox?to=${encodeURIComponent(email)}`)) as { messages: unknown[] };
    const match = messages[0] === undefined ? null : /\b(\d{6})\b/.exec(JSON.stringify(messages[0]));
    return match?.[1];
  }
}

/** `connected`, or the refusal's error code (`unauthorized`, `forbidden`, …), or `closed`/`timeout`. */
export function handshakeOutcome(socket: ClientSocket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    const settle = (outcome: string) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    socket.once('connect', () => settle('connected'));
    socket.once('connect_error', (error: Error & { data?: { code?: unknown } }) => {
      settle(typeof error.data?.code === 'string' ? error.data.code : `error: ${error.message}`);
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}
