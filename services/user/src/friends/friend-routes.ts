import { Router, type RequestHandler } from 'express';
import {
  createFriendRequestSchema,
  friendRequestListQuerySchema,
  idParamsSchema,
  userIdParamsSchema,
} from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams, parseQuery } from '@parley/http';
import type { FriendRequestNotifier } from './friend-request-notifier.js';
import type { FriendService } from './friend-service.js';

export interface FriendRouteSettings {
  friends: FriendService;
  writeLimit: RequestHandler;
  /** The stricter limit on sending friend requests. */
  friendRequestLimit: RequestHandler;
  notifier: FriendRequestNotifier;
}

/** `/api/v1/users/me/friend-requests` and `/api/v1/users/me/friends`. Mounted behind authentication. */
export function createFriendRouter({ friends, writeLimit, friendRequestLimit, notifier }: FriendRouteSettings): Router {
  const router = Router();

  router.post('/me/friend-requests', writeLimit, friendRequestLimit, async (req, res) => {
    const { userId } = parseBody(createFriendRequestSchema, req.body);
    const { acceptedExisting, request } = await friends.sendRequest(principalOf(res).userId, userId);
    // Asking someone who had asked first accepts their request: they are told so.
    if (acceptedExisting) await notifier.notifyAccepted(request);
    else await notifier.notify(request);
    res.status(acceptedExisting ? 200 : 201).json(request);
  });

  router.get('/me/friend-requests', async (req, res) => {
    const { direction } = parseQuery(friendRequestListQuerySchema, req.query);
    res.json(await friends.listRequests(principalOf(res).userId, direction));
  });

  router.post('/me/friend-requests/:id/accept', writeLimit, async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    const accepted = await friends.accept(principalOf(res).userId, id);
    await notifier.notifyAccepted(accepted);
    res.json(accepted);
  });

  router.post('/me/friend-requests/:id/reject', writeLimit, async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    res.json(await friends.reject(principalOf(res).userId, id));
  });

  router.get('/me/friends', async (_req, res) => {
    res.json(await friends.listFriends(principalOf(res).userId));
  });

  router.delete('/me/friends/:userId', writeLimit, async (req, res) => {
    const { userId } = parseParams(userIdParamsSchema, req.params);
    await friends.unfriend(principalOf(res).userId, userId);
    res.status(204).end();
  });

  return router;
}
