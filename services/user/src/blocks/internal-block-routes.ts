import { Router } from 'express';
import { blockCheckQuerySchema, userIdParamsSchema, type BlockCheckResponse, type BlockedIdsResponse } from '@parley/contracts';
import { parseParams, parseQuery } from '@parley/http';
import type { BlockService } from './block-service.js';

/**
 * `/internal/v1/blocks`: the chat service asks whether two users may talk;
 * `/internal/v1/users/:userId/blocked-ids`: whom not to show the user's presence to.
 */
export function createInternalBlockRouter(blocks: BlockService): Router {
  const router = Router();

  router.get('/blocks', async (req, res) => {
    const { userA, userB } = parseQuery(blockCheckQuerySchema, req.query);
    const body: BlockCheckResponse = { blocked: await blocks.isBlockedEitherWay(userA, userB) };
    res.json(body);
  });

  router.get('/users/:userId/blocked-ids', async (req, res) => {
    const { userId } = parseParams(userIdParamsSchema, req.params);
    const body: BlockedIdsResponse = { userIds: await blocks.blockedEitherWayIds(userId) };
    res.json(body);
  });

  return router;
}
