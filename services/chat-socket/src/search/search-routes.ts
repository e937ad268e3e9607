import { Router } from 'express';
import { messageSearchQuerySchema, messagesAroundQuerySchema, roomMessageParamsSchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseParams, parseQuery } from '@parley/http';
import type { MessageContext } from './message-context.js';
import type { MessageSearchService } from './message-search-service.js';

/** `GET /api/v1/search/messages`: the caller's messages search, across their rooms or in one. */
export function createSearchRouter(search: MessageSearchService): Router {
  const router = Router();
  router.get('/messages', async (req, res) => {
    let query;
    try {
      query = parseQuery(messageSearchQuerySchema, req.query);
    } catch (error) {
      search.countInvalid();
      throw error;
    }
    res.json(await search.search(principalOf(res).userId, query));
  });
  return router;
}

/** `GET /api/v1/rooms/:id/messages/around/:messageId`: history around a message (a search hit in context). */
export function createMessageContextRouter(context: MessageContext): Router {
  const router = Router();
  router.get('/:id/messages/around/:messageId', async (req, res) => {
    const { id, messageId } = parseParams(roomMessageParamsSchema, req.params);
    const { limit } = parseQuery(messagesAroundQuerySchema, req.query);
    res.json(await context.around(principalOf(res).userId, id, messageId, limit));
  });
  return router;
}
