import { Router } from 'express';
import { roomMessageParamsSchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseParams } from '@parley/http';
import type { TimelineService } from './timeline-service.js';

/**
 * `/api/v1/rooms/:id/messages/:messageId/revisions`: what edits and deletions replaced, for room
 * owners and admins. Edits, deletions and reactions themselves are socket events.
 */
export function createTimelineRouter(timeline: TimelineService): Router {
  const router = Router();
  router.get('/:id/messages/:messageId/revisions', async (req, res) => {
    const { id, messageId } = parseParams(roomMessageParamsSchema, req.params);
    res.json(await timeline.revisions(principalOf(res).userId, id, messageId));
  });
  return router;
}
