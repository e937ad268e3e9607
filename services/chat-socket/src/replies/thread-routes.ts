import { Router } from 'express';
import { roomMessageParamsSchema, threadQuerySchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseParams, parseQuery } from '@parley/http';
import type { ThreadService } from './thread-service.js';

/** `/api/v1/rooms/:id/messages/:messageId/replies`: a message's thread, for members. Replies are sent with `message:send` (`replyTo`). */
export function createThreadRouter(threads: ThreadService): Router {
  const router = Router();
  router.get('/:id/messages/:messageId/replies', async (req, res) => {
    const { id, messageId } = parseParams(roomMessageParamsSchema, req.params);
    const query = parseQuery(threadQuerySchema, req.query);
    res.json(await threads.replies(principalOf(res).userId, id, messageId, query));
  });
  return router;
}
