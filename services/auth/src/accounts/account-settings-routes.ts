import { Router } from 'express';
import {
  changePasswordRequestSchema,
  deleteAccountRequestSchema,
  sessionParamsSchema,
  type AccountSessionList,
} from '@parley/contracts';
import { principalOf, requireAuth, type AccessTokenVerifier } from '@parley/auth-middleware';
import { parseBody, parseParams } from '@parley/http';
import { clearRefreshCookie, wantsCookieTransport, type RefreshCookieSettings } from '../sessions/token-transport.js';
import type { AccountSettingsService } from './account-settings-service.js';

export interface AccountSettingsRoutesDeps {
  settings: AccountSettingsService;
  verifier: AccessTokenVerifier;
  cookie: RefreshCookieSettings;
}

/** Mounted at /api/v1/auth: the signed-in person's own account. */
export function accountSettingsRoutes(deps: AccountSettingsRoutesDeps): Router {
  const router = Router();
  const { settings } = deps;
  const auth = requireAuth(deps.verifier);

  router.post('/password/change', auth, async (req, res) => {
    const input = parseBody(changePasswordRequestSchema, req.body);
    await settings.changePassword(principalOf(res), input, req.ip ?? 'unknown');
    res.status(204).end();
  });

  router.get('/sessions', auth, async (_req, res) => {
    res.json({ sessions: await settings.listSessions(principalOf(res)) } satisfies AccountSessionList);
  });

  router.delete('/sessions/:sessionId', auth, async (req, res) => {
    const { sessionId } = parseParams(sessionParamsSchema, req.params);
    await settings.endSession(principalOf(res), sessionId);
    res.status(204).end();
  });

  router.delete('/account', auth, async (req, res) => {
    const { password } = parseBody(deleteAccountRequestSchema, req.body);
    await settings.deleteAccount(principalOf(res), password, req.ip ?? 'unknown');
    if (wantsCookieTransport(req)) clearRefreshCookie(res, deps.cookie);
    res.status(204).end();
  });

  return router;
}
