import type { Request, Response } from 'express';
import { REFRESH_COOKIE_NAME, TOKEN_TRANSPORT_HEADER, type AuthSession } from '@parley/contracts';

/** The cookie is only ever sent to the auth endpoints. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export interface RefreshCookieSettings {
  secure: boolean;
  maxAgeSeconds: number;
}

/**
 * Browser clients ask (with a custom header) for the refresh token as an HttpOnly cookie.
 * The header also guards cookie use: a cross-site form cannot set custom headers, so a
 * cookie alone never refreshes or logs out (CSRF).
 */
export function wantsCookieTransport(req: Request): boolean {
  return req.get(TOKEN_TRANSPORT_HEADER)?.trim().toLowerCase() === 'cookie';
}

/** The refresh token from the body, else from the cookie when the transport header is present. */
export function presentedRefreshToken(req: Request, bodyToken: string | undefined): string | undefined {
  if (bodyToken) return bodyToken;
  if (!wantsCookieTransport(req)) return undefined;
  const cookie: unknown = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE_NAME];
  return typeof cookie === 'string' && cookie.length > 0 ? cookie : undefined;
}

/** Answers with a session; in cookie mode the refresh token goes to the cookie, not the body. */
export function sendSession(
  req: Request,
  res: Response,
  status: number,
  session: AuthSession & { refreshToken: string },
  cookie: RefreshCookieSettings,
): void {
  res.set('Cache-Control', 'no-store');
  if (!wantsCookieTransport(req)) {
    res.status(status).json(session);
    return;
  }
  res.cookie(REFRESH_COOKIE_NAME, session.refreshToken, {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    maxAge: cookie.maxAgeSeconds * 1000,
  });
  const { refreshToken: _inCookie, ...body } = session;
  res.status(status).json(body);
}

export function clearRefreshCookie(res: Response, cookie: RefreshCookieSettings): void {
  res.clearCookie(REFRESH_COOKIE_NAME, {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
  });
}
