import { Router } from 'express';
import { blockCheckQuerySchema, type BlockCheckResponse } from '@parley/contracts';
import { parseQuery } from '@parley/http';
import type { BlockService } from './block-service.js';

/** `/internal/v1/blocks`: the chat service asks whether two users may talk. */
export function createInternalBlockRouter(blocks: BlockService): Router {
  const router = Router();

  router.get('/blocks', async (req, res) => {
    const { userA, userB } = parseQuery(blockCheckQuerySchema, req.query);
    const body: BlockCheckResponse = { blocked: await blocks.isBlockedEitherWay(userA, userB) };
    res.json(body);
  });

  return router;
}
