import { Router } from 'express';
import {
  memberRoleRequestSchema,
  roomEventQuerySchema,
  roomIdParamsSchema,
  roomMemberParamsSchema,
  roomPreferencesRequestSchema,
  updateRoomRequestSchema,
} from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams, parseQuery } from '@parley/http';
import type { RoomSettingsService } from './room-settings-service.js';

/** `/api/v1/rooms/:id` settings, roles, the caller's preferences and the timeline (behind requireAuth). */
export function createRoomSettingsRouter(settings: RoomSettingsService): Router {
  const router = Router();

  router.patch('/:id', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const patch = parseBody(updateRoomRequestSchema, req.body);
    res.json(await settings.update(principalOf(res).userId, id, patch));
  });

  router.put('/:id/members/:userId/role', async (req, res) => {
    const { id, userId } = parseParams(roomMemberParamsSchema, req.params);
    const { role } = parseBody(memberRoleRequestSchema, req.body);
    await settings.setRole(principalOf(res).userId, id, userId, role);
    res.status(204).end();
  });

  router.put('/:id/preferences', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { muted } = parseBody(roomPreferencesRequestSchema, req.body);
    res.json(await settings.setPreferences(principalOf(res).userId, id, muted));
  });

  router.get('/:id/events', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { before, limit } = parseQuery(roomEventQuerySchema, req.query);
    res.json(await settings.timeline(principalOf(res).userId, id, limit, before));
  });

  return router;
}
