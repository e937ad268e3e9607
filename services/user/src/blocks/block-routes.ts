import { Router, type RequestHandler } from 'express';
import { userIdParamsSchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseParams } from '@parley/http';
import type { BlockEvents } from '../block-events/block-events.js';
import type { BlockService } from './block-service.js';

export interface BlockRouteSettings {
  blocks: BlockService;
  events: BlockEvents;
  writeLimit: RequestHandler;
}

/** `/api/v1/users/me/blocks`. Mounted behind authentication. */
export function createBlockRouter({ blocks, events, writeLimit }: BlockRouteSettings): Router {
  const router = Router();

  router.get('/me/blocks', async (_req, res) => {
    res.json(await blocks.list(principalOf(res).userId));
  });

  router.put('/me/blocks/:userId', writeLimit, async (req, res) => {
    const { userId } = parseParams(userIdParamsSchema, req.params);
    const callerId = principalOf(res).userId;
    await blocks.block(callerId, userId);
    await events.changed(callerId, userId);
    res.status(204).end();
  });

  router.delete('/me/blocks/:userId', writeLimit, async (req, res) => {
    const { userId } = parseParams(userIdParamsSchema, req.params);
    const callerId = principalOf(res).userId;
    await blocks.unblock(callerId, userId);
    await events.changed(callerId, userId);
    res.status(204).end();
  });

  return router;
}
