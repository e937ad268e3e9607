import { Router } from 'express';
import {
  addMembersRequestSchema,
  createDirectRoomRequestSchema,
  createRoomRequestSchema,
  publicRoomQuerySchema,
  roomIdParamsSchema,
  roomListQuerySchema,
  roomMemberParamsSchema,
} from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams, parseQuery } from '@parley/http';
import type { RoomService } from './room-service.js';

/** `/api/v1/rooms`: rooms and memberships (behind requireAuth). */
export function createRoomRouter(rooms: RoomService): Router {
  const router = Router();

  router.post('/direct', async (req, res) => {
    const { userId } = parseBody(createDirectRoomRequestSchema, req.body);
    const { room, created } = await rooms.openDirect(principalOf(res).userId, userId);
    res.status(created ? 201 : 200).json(room);
  });

  router.post('/', async (req, res) => {
    const request = parseBody(createRoomRequestSchema, req.body);
    res.status(201).json(await rooms.createGroup(principalOf(res).userId, request));
  });

  router.get('/', async (req, res) => {
    const { limit, cursor } = parseQuery(roomListQuerySchema, req.query);
    res.json(await rooms.listMine(principalOf(res).userId, limit, cursor));
  });

  router.get('/public', async (req, res) => {
    const { query, limit, cursor } = parseQuery(publicRoomQuerySchema, req.query);
    res.json(await rooms.searchPublic(query || undefined, limit, cursor));
  });

  router.post('/:id/join', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    res.json(await rooms.join(principalOf(res).userId, id));
  });

  router.post('/:id/leave', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    await rooms.leave(principalOf(res).userId, id);
    res.status(204).end();
  });

  router.get('/:id/members', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    res.json({ members: await rooms.listMembers(principalOf(res).userId, id) });
  });

  router.post('/:id/members', async (req, res) => {
    const { id } = parseParams(roomIdParamsSchema, req.params);
    const { userIds } = parseBody(addMembersRequestSchema, req.body);
    res.json({ members: await rooms.addMembers(principalOf(res).userId, id, userIds) });
  });

  router.delete('/:id/members/:userId', async (req, res) => {
    const { id, userId } = parseParams(roomMemberParamsSchema, req.params);
    await rooms.removeMember(principalOf(res).userId, id, userId);
    res.status(204).end();
  });

  return router;
}
