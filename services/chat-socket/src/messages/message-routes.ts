import { Router } from 'express';
import { historyQuerySchema, readMarkerRequestSchema, roomIdParamsSchema, sendMessageRequestSchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams, parseQuery } from '@parley/http';
import type { ReadMarkerService } from '../read-markers/read-marker-service.js';
import type { HistoryService } from './history-service.js';
import type { SendMessageService } from './send-message.js';

/** `/api/v1/rooms/:id/messages` and `/read`: the REST twins of the socket events, same services. */
export function createMessageRouter(services: { send: Pick<SendMessageService, 'send'>; history: HistoryService; readMarkers: ReadMarkerService }): Router {
  const router = Router();

  router.post('/:id/messages', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { clientMsgId, body, replyTo, attachments } = parseBody(sendMessageRequestSchema, req.body);
    const { message, created } = await services.send.send({ senderId: principalOf(res).userId, roomId: id, clientMsgId, body, replyTo, attachmentIds: attachments });
    res.status(created ? 201 : 200).json({ message });
  });

  router.get('/:id/messages', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const query = parseQuery(historyQuerySchema, req.query);
    res.json(
      await services.history.pageForMember(principalOf(res).userId, id, {
        limit: query.limit,
        ...(query.before !== undefined ? { before: query.before } : {}),
        ...(query.after !== undefined ? { after: query.after } : {}),
        ...(query.beforeSeq !== undefined ? { beforeSeq: query.beforeSeq } : {}),
        ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}),
      }),
    );
  });

  router.post('/:id/read', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { messageId } = parseBody(readMarkerRequestSchema, req.body);
    const marker = await services.readMarkers.markRead(principalOf(res).userId, id, messageId);
    res.json({ roomId: id, lastReadMessageId: marker });
  });

  return router;
}
