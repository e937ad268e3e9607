import { Router } from 'express';
import { presenceQuerySchema, type Presence } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseQuery } from '@parley/http';
import type { PresenceService } from './presence-service.js';

/** `/api/v1/presence?userIds=a,b` (behind requireAuth). */
export function createPresenceRouter(presence: PresenceService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { userIds } = parseQuery(presenceQuerySchema, req.query);
    const body: { presence: Presence[] } = { presence: await presence.statusFor(principalOf(res).userId, [...new Set(userIds)]) };
    res.json(body);
  });
  return router;
}
