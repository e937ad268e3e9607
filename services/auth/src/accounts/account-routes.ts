import { Router } from 'express';
import {
  REFRESH_COOKIE_NAME,
  loginRequestSchema,
  logoutAllRequestSchema,
  logoutRequestSchema,
  refreshRequestSchema,
  type AuthUserResponse,
} from '@parley/contracts';
import { principalOf, requireAuth, type AccessTokenVerifier } from '@parley/auth-middleware';
import { UnauthorizedError } from '@parley/errors';
import { parseBody } from '@parley/http';
import {
  clearRefreshCookie,
  presentedRefreshToken,
  sendSession,
  wantsCookieTransport,
  type RefreshCookieSettings,
} from '../sessions/token-transport.js';
import type { AccountService } from './account-service.js';
import { parseRegistration } from './registration-input.js';

export interface AccountRoutesDeps {
  accounts: AccountService;
  verifier: AccessTokenVerifier;
  cookie: RefreshCookieSettings;
}

/** Mounted at /api/v1/auth. */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const router = Router();
  const { accounts, cookie } = deps;

  router.post('/register', async (req, res) => {
    await accounts.consumeRegisterAttempt(req.ip ?? 'unknown');
    const session = await accounts.register(parseRegistration(req.body), { userAgent: req.get('user-agent'), ip: req.ip });
    sendSession(req, res, 201, session, cookie);
  });

  router.post('/login', async (req, res) => {
    const input = parseBody(loginRequestSchema, req.body);
    sendSession(req, res, 200, await accounts.login(input, req.ip ?? 'unknown', req.get('user-agent')), cookie);
  });

  router.post('/refresh', async (req, res) => {
    const { refreshToken } = parseBody(refreshRequestSchema, req.body);
    try {
      const session = await accounts.refresh(presentedRefreshToken(req, refreshToken));
      sendSession(req, res, 200, session, cookie);
    } catch (error) {
      // A dead cookie is useless to the browser: drop it.
      if (error instanceof UnauthorizedError && wantsCookieTransport(req)) clearRefreshCookie(res, cookie);
      throw error;
    }
  });

  router.post('/logout', async (req, res) => {
    const { refreshToken } = parseBody(logoutRequestSchema, req.body);
    await accounts.logout(presentedRefreshToken(req, refreshToken));
    const hasCookie = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE_NAME] !== undefined;
    if (wantsCookieTransport(req) || hasCookie) clearRefreshCookie(res, cookie);
    res.status(204).end();
  });

  router.post('/logout-all', requireAuth(deps.verifier), async (req, res) => {
    parseBody(logoutAllRequestSchema, req.body);
    await accounts.logoutAll(principalOf(res).userId);
    if (wantsCookieTransport(req)) clearRefreshCookie(res, cookie);
    res.status(204).end();
  });

  router.get('/me', requireAuth(deps.verifier), async (_req, res) => {
    res.json({ user: await accounts.me(principalOf(res).userId) } satisfies AuthUserResponse);
  });

  return router;
}
