import { Router } from 'express';
import { idParamsSchema, provisionProfileRequestSchema } from '@parley/contracts';
import { parseBody, parseParams } from '@parley/http';
import type { ProfileService } from './profile-service.js';

/** `/internal/v1/profiles`: the auth service provisions a profile right after register. */
export function createInternalProfileRouter(profiles: ProfileService): Router {
  const router = Router();

  router.put('/profiles/:id', async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    const request = parseBody(provisionProfileRequestSchema, req.body);
    const { created, profile } = await profiles.provision(id, request);
    res.status(created ? 201 : 200).json(profile);
  });

  return router;
}
