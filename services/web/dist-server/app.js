import { createHealthRouter } from '@parley/health';
import { createHttpApp, finishHttpApp } from '@parley/http';
import { createLogger } from '@parley/logger';
import { createServiceMetrics } from '@parley/metrics';
import { securityHeaders } from './security-headers.js';
import { hasBuild, staticSite } from './static-site.js';
/**
 * The web server: the built browser client with SPA fallback, cache headers fit for hashed
 * assets, a strict Content-Security-Policy, and the platform's `/healthz`, `/readyz` and
 * `/metrics`. It holds no connections of its own, so closing it is immediate.
 */
export async function createWebApp(config, options = {}) {
    const logger = options.logger ?? createLogger({ service: 'web', level: config.LOG_LEVEL });
    const metrics = createServiceMetrics('web');
    const health = createHealthRouter({
        build: async () => {
            if (!hasBuild(config.STATIC_DIR))
                throw new Error(`no index.html in ${config.STATIC_DIR}`);
        },
    });
    if (!hasBuild(config.STATIC_DIR)) {
        logger.warn({ staticDir: config.STATIC_DIR }, 'the web client is not built: run `npm run build`');
    }
    // Same-origin only: the API is behind the same ingress, so no browser origin needs CORS here.
    const app = createHttpApp({ logger, metrics, health: health.router, corsOrigins: [] });
    app.use(securityHeaders());
    app.use(staticSite(config.STATIC_DIR));
    finishHttpApp(app);
    return {
        app,
        handler: app,
        logger,
        markDraining: () => health.markDraining(),
        close: async () => { },
    };
}
//# sourceMappingURL=app.js.map