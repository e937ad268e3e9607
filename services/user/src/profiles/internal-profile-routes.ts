import { Router } from 'express';
import {
  idParamsSchema,
  mailProfilesRequestSchema,
  profileEmailStateRequestSchema,
  provisionProfileRequestSchema,
  usernameLookupRequestSchema,
  type MailProfilesResponse,
  type UsernameLookupResponse,
} from '@parley/contracts';
import { parseBody, parseParams } from '@parley/http';
import type { BlockEvents } from '../block-events/block-events.js';
import type { ProfileService } from './profile-service.js';

/**
 * `/internal/v1/profiles`: the auth service provisions a profile right after register, and
 * removes it when the account is deleted, and sends the address state (confirmed, changed) at
 * `/internal/v1/profiles/:id/email` (all through its outbox, so all are idempotent);
 * `/internal/v1/users/by-username`: who has these usernames (mentions);
 * `/internal/v1/users/mail-profiles`: addresses, names and the digest choice (mention digests).
 */
export function createInternalProfileRouter(profiles: ProfileService, blockEvents: BlockEvents): Router {
  const router = Router();

  router.put('/profiles/:id', async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    const request = parseBody(provisionProfileRequestSchema, req.body);
    const { created, profile } = await profiles.provision(id, request);
    res.status(created ? 201 : 200).json(profile);
  });

  router.put('/profiles/:id/email', async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    await profiles.applyEmailState(id, parseBody(profileEmailStateRequestSchema, req.body));
    res.status(204).end();
  });

  router.delete('/profiles/:id', async (req, res) => {
    const { id } = parseParams(idParamsSchema, req.params);
    const formerlyBlocked = await profiles.remove(id);
    for (const other of formerlyBlocked) await blockEvents.changed(id, other);
    res.status(204).end();
  });

  // chat-socket resolves `@username` mentions at send time (a POST: the names stay out of access logs).
  router.post('/users/by-username', async (req, res) => {
    const { usernames } = parseBody(usernameLookupRequestSchema, req.body);
    const body: UsernameLookupResponse = { users: await profiles.usersByUsername(usernames) };
    res.json(body);
  });

  // The persistence worker's mention digest: the recipient's address and choice, the authors' names.
  router.post('/users/mail-profiles', async (req, res) => {
    const { userIds } = parseBody(mailProfilesRequestSchema, req.body);
    const body: MailProfilesResponse = { users: await profiles.mailProfiles(userIds) };
    res.json(body);
  });

  return router;
}
