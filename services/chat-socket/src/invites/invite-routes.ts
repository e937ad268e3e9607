import { Router } from 'express';
import { createInviteRequestSchema, inviteParamsSchema, inviteTokenParamsSchema, roomIdParamsSchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams } from '@parley/http';
import type { InviteService } from './invite-service.js';

/**
 * Under `/api/v1/rooms` (behind requireAuth): `/:id/invites` for the room's managers, and
 * `/invites/:token` for whoever holds a link (so the ingress needs no new path).
 */
export function createInviteRouter(invites: InviteService): Router {
  const router = Router();

  router.get('/invites/:token', async (req, res) => {
    const { token } = parseParams(inviteTokenParamsSchema, req.params);
    res.json(await invites.preview(principalOf(res).userId, token));
  });

  router.post('/invites/:token/accept', async (req, res) => {
    const { token } = parseParams(inviteTokenParamsSchema, req.params);
    res.json(await invites.accept(principalOf(res).userId, token));
  });

  router.post('/:id/invites', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { expiresInHours } = parseBody(createInviteRequestSchema, req.body ?? {});
    res.status(201).json(await invites.create(principalOf(res).userId, id, expiresInHours));
  });

  router.get('/:id/invites', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    res.json({ invites: await invites.list(principalOf(res).userId, id) });
  });

  router.delete('/:id/invites/:inviteId', async (req, res) => {
    const { id, inviteId } = parseParams(inviteParamsSchema, req.params);
    await invites.revoke(principalOf(res).userId, id, inviteId);
    res.status(204).end();
  });

  return router;
}
