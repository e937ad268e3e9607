import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { shedSocketsRequestSchema, type ShedSocketsResponse, type SocketCount } from '@parley/contracts';
import { bearerToken } from '@parley/auth-middleware';
import { UnauthorizedError } from '@parley/errors';
import { parseBody } from '@parley/http';
import type { SocketShedder } from './socket-shedder.js';

/**
 * `/admin/v1/sockets` for the operator (rebalancing after a scale-out): this pod's socket
 * count, and shedding N of its sockets. Guarded by ADMIN_API_TOKEN; not mounted at all when
 * it is unset. Never routed by the ingress (not under /api).
 */
export function createAdminRouter(shedder: SocketShedder, adminToken: string): Router {
  const router = Router();
  router.use(requireAdminToken(adminToken));

  router.get('/sockets', (_req, res) => {
    const body: SocketCount = { count: shedder.localCount() };
    res.json(body);
  });

  router.post('/sockets/shed', (req, res) => {
    const { count } = parseBody(shedSocketsRequestSchema, req.body);
    const body: ShedSocketsResponse = { shedding: shedder.shed(count) };
    res.status(202).json(body);
  });

  return router;
}

function requireAdminToken(expected: string): RequestHandler {
  const expectedBuffer = Buffer.from(expected);
  return (req, _res, next) => {
    const given = Buffer.from(bearerToken(req.get('authorization')) ?? '');
    if (given.length !== expectedBuffer.length || !timingSafeEqual(given, expectedBuffer)) {
      next(new UnauthorizedError('Admin endpoints require the admin token'));
      return;
    }
    next();
  };
}
