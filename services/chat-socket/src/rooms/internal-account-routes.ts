import { Router } from 'express';
import { idParamsSchema } from '@parley/contracts';
import { parseParams } from '@parley/http';
import type { RoomService } from './room-service.js';

/** `/internal/v1/users`: the auth service's outbox removes a deleted account's memberships (idempotent). */
export function createInternalAccountRouter(rooms: RoomService): Router {
  const router = Router();
  router.delete('/users/:id/memberships', async (req, res) => {
    const { id } = parseParams(idParamsSchema, { id: req.params.id });
    await rooms.removeAccount(id);
    res.status(204).end();
  });
  return router;
}
