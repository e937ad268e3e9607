import { Router, type RequestHandler } from 'express';
import { idParamsSchema, updateProfileRequestSchema, userSearchQuerySchema } from '@parley/contracts';
import { principalOf } from '@parley/auth-middleware';
import { parseBody, parseParams, parseQuery } from '@parley/http';
import type { ProfileService } from './profile-service.js';

export interface ProfileRouteSettings {
  profiles: ProfileService;
  writeLimit: RequestHandler;
}

/** `/api/v1/users`: own profile, search, public profiles. Mounted behind authentication. */
export function createProfileRouter({ profiles, writeLimit }: ProfileRouteSettings): Router {
  const router = Router();

  router.get('/me', async (_req, res) => {
    res.json(await profiles.getOwn(principalOf(res).userId));
  });

  router.patch('/me', writeLimit, async (req, res) => {
    const request = parseBody(updateProfileRequestSchema, req.body);
    res.json(await profiles.updateOwn(principalOf(res).userId, request));
  });

  router.get('/', async (req, res) => {
    const query = parseQuery(userSearchQuerySchema, req.query);
    res.json(await profiles.search(principalOf(res).userId, query));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    res.json(await profiles.getPublic(id));
  });

  return router;
}

/** Creates the caller's profile from the token on first access (see ProfileService.materialise). */
export function materialiseCallerProfile(profiles: ProfileService): RequestHandler {
  return async (_req, res, next) => {
    const principal = principalOf(res);
    await profiles.materialise({ userId: principal.userId, username: principal.username });
    next();
  };
}
