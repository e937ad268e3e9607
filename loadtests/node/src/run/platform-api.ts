import type { AuthSession, LoginRequest, RegisterRequest, RoomSummary } from '@parley/contracts';

/** An answer outside 2xx, with the platform's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The few REST calls the load generator needs, through the one origin (or the ingress). */
export class PlatformApi {
  constructor(readonly baseUrl: string) {}

  register(input: RegisterRequest): Promise<AuthSession> {
    return this.call<AuthSession>('POST', '/api/v1/auth/register', input);
  }

  login(input: LoginRequest): Promise<AuthSession> {
    return this.call<AuthSession>('POST', '/api/v1/auth/login', input);
  }

  refresh(refreshToken: string): Promise<AuthSession> {
    return this.call<AuthSession>('POST', '/api/v1/auth/refresh', { refreshToken });
  }

  createRoom(token: string, name: string, memberIds: string[]): Promise<RoomSummary> {
    return this.call<RoomSummary>('POST', '/api/v1/rooms', { name, memberIds }, token);
  }

  async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code, `${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text.slice(0, 200)}`.trim());
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 200) } };
  }
}
