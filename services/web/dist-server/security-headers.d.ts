import type { RequestHandler } from 'express';
/**
 * The client's Content-Security-Policy: only this origin's scripts, styles and fonts; API
 * calls and the socket (WebSocket or long-polling) to this origin only; avatars may be any
 * https image. No inline script or style sheet is needed by the Vite build.
 */
export declare const CONTENT_SECURITY_POLICY: string;
/**
 * Headers for every page and file. helmet (from @parley/http) has already set its defaults;
 * these replace the ones a browser app needs tighter or different.
 */
export declare function securityHeaders(): RequestHandler;
//# sourceMappingURL=security-headers.d.ts.map