import type { Express } from 'express';
import type { ServableApp } from '@parley/lifecycle';
import { type Logger } from '@parley/logger';
import type { WebConfig } from './config.js';
export interface WebApp extends ServableApp {
    app: Express;
    logger: Logger;
}
export interface WebAppOptions {
    logger?: Logger;
}
/**
 * The web server: the built browser client with SPA fallback, cache headers fit for hashed
 * assets, a strict Content-Security-Policy, and the platform's `/healthz`, `/readyz` and
 * `/metrics`. It holds no connections of its own, so closing it is immediate.
 */
export declare function createWebApp(config: WebConfig, options?: WebAppOptions): Promise<WebApp>;
//# sourceMappingURL=app.d.ts.map