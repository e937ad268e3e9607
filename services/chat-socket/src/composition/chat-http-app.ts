import { Router, type Express } from 'express';
import { requireAuth, type AccessTokenVerifier } from '@parley/auth-middleware';
import { createSchemaVersionCheck } from '@parley/db';
import { createHealthRouter, type HealthRouter } from '@parley/health';
import { createHttpApp, finishHttpApp, openApiHandler, requireDatabase, requireInternalToken } from '@parley/http';
import type { Logger } from '@parley/logger';
import type { ServiceMetrics } from '@parley/metrics';
import { createAdminRouter } from '../admin/admin-routes.js';
import { createAttachmentDownloadRouter, createAttachmentRouter } from '../attachments/attachment-routes.js';
import type { AttachmentService } from '../attachments/attachment-service.js';
import type { ChatSocketConfig } from '../config.js';
import type { MessageDurability } from '../durability/message-durability.js';
import { createInviteRouter } from '../invites/invite-routes.js';
import { createMessageRouter } from '../messages/message-routes.js';
import { buildChatOpenApiDocument } from '../openapi-document.js';
import { createPresenceRouter } from '../presence/presence-routes.js';
import { createThreadRouter } from '../replies/thread-routes.js';
import { createInternalAccountRouter } from '../rooms/internal-account-routes.js';
import { createRoomRouter } from '../rooms/room-routes.js';
import { createRoomSettingsRouter } from '../rooms/room-settings-routes.js';
import { createMessageContextRouter, createSearchRouter } from '../search/search-routes.js';
import { createTimelineRouter } from '../timeline/timeline-routes.js';
import type { ChatModules } from './chat-modules.js';
import type { ChatStores } from './chat-stores.js';

/** Readiness: PostgreSQL with the chat schema's migrations, and Redis; the durability status rides along. */
export function createChatHealth(stores: ChatStores, durability: MessageDurability): HealthRouter {
  const { database, redis } = stores;
  return createHealthRouter(
    {
      postgres: () => database.ping(),
      // Ready only once the chat schema carries every migration this code needs.
      schema: createSchemaVersionCheck(() => database.ready()),
      redis: async () => {
        await redis.ping();
      },
    },
    () => ({ messageDurability: durability.status() }),
  );
}

export interface ChatHttpAppDeps {
  config: ChatSocketConfig;
  logger: Logger;
  serviceMetrics: ServiceMetrics;
  health: HealthRouter;
  stores: ChatStores;
  verifier: AccessTokenVerifier;
  modules: ChatModules;
  attachments: AttachmentService;
}

/** The REST API (rooms, invites, messages, timeline, threads, attachments, search, presence), the internal and the admin routes. */
export function createChatHttpApp(deps: ChatHttpAppDeps): Express {
  const { config, modules } = deps;
  const { database } = deps.stores;
  const app = createHttpApp({ logger: deps.logger, metrics: deps.serviceMetrics, health: deps.health.router, corsOrigins: config.CORS_ORIGINS, publicMetrics: false });
  const api = Router();
  api.get('/rooms/openapi.json', openApiHandler(buildChatOpenApiDocument()));
  // Signed downloads carry their own authorization (an `<img src>` sends no bearer token).
  api.use('/rooms', createAttachmentDownloadRouter(deps.attachments, requireDatabase(database)));
  api.use(requireAuth(deps.verifier), requireDatabase(database));
  api.use('/rooms', createAttachmentRouter(deps.attachments, config.ATTACHMENT_MAX_BYTES));
  // Invite paths first: `/rooms/invites/:token` must not be read as a room id.
  api.use('/rooms', createInviteRouter(modules.invites));
  api.use('/rooms', createRoomRouter(modules.roomService));
  api.use('/rooms', createRoomSettingsRouter(modules.roomSettings));
  api.use('/rooms', createMessageRouter({ send: modules.composer, history: modules.history, readMarkers: modules.readMarkers }));
  api.use('/rooms', createTimelineRouter(modules.timeline));
  api.use('/rooms', createThreadRouter(modules.threads));
  api.use('/rooms', createMessageContextRouter(modules.messageContext));
  api.use('/search', createSearchRouter(modules.search));
  api.use('/presence', createPresenceRouter(modules.presence));
  app.use('/api/v1', api);
  // Never routed by the ingress; guarded by the shared service token when one is configured.
  app.use('/internal/v1', requireInternalToken(config.INTERNAL_API_TOKEN), requireDatabase(database), createInternalAccountRouter(modules.roomService));
  if (config.ADMIN_API_TOKEN) app.use('/admin/v1', createAdminRouter(modules.shedder, config.ADMIN_API_TOKEN));
  finishHttpApp(app);
  return app;
}
