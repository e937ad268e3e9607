import { Router } from 'express';
import { userIdParamsSchema, type FriendIdsResponse } from '@parley/contracts';
import { parseParams } from '@parley/http';
import type { FriendService } from './friend-service.js';

/** `/internal/v1/users/:userId/friend-ids`: chat-socket tells a user's friends about their presence. */
export function createInternalFriendRouter(friends: FriendService): Router {
  const router = Router();

  router.get('/users/:userId/friend-ids', async (req, res) => {
    const { userId } = parseParams(userIdParamsSchema, req.params);
    const body: FriendIdsResponse = { friendIds: await friends.friendIdsOf(userId) };
    res.json(body);
  });

  return router;
}
